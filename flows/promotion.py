"""The promotion flow: the promotion gate where a deployment or the Prefect UI can run it.

Local run: `shadowline registry promote MODEL`; deployed as `promotion` (prefect.yaml, no
schedule: someone decides to ask). The run ends Completed either way, named after the verdict
(Promoted, Held, Rejected), with the verdict and its numbers in a markdown artifact.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.states import Completed, State

from shadowline.tasks.core.settings import Settings
from shadowline.tasks.registry import promotion as gate
from shadowline.tasks.resources import warehouse_for_run

STATE_NAMES = {gate.HOLD: "Held", gate.REJECT: "Rejected"}


def _run_name() -> str:
    return f"promotion {flow_run.parameters.get('model_id')}"


@flow(name="promotion", flow_run_name=_run_name, validate_parameters=True, timeout_seconds=600)
def promotion(
    model_id: str, force: bool = False, reason: str = "", warehouse: str | None = None
) -> State:
    """Make `model_id` production if the promotion gate says PROMOTE (or with `force` and a
    `reason`); the verdict, its numbers, the reason and this flow run go into the audit trail."""
    settings = Settings()
    with warehouse_for_run(warehouse or settings.warehouse) as store:
        verdict, promoted = gate.decide(
            store, model_id, force=force, reason=reason, settings=settings
        )
    line = verdict.line()
    outcome = f"{model_id} is now the production model" if promoted else "nothing changed"
    logger = get_run_logger()
    (logger.info if promoted else logger.warning)("%s; %s", line, outcome)
    create_markdown_artifact(
        key=f"promotion-{model_id.replace('_', '-').replace('.', '-').lower()}",
        markdown=f"# Promotion of {model_id}\n\n**{verdict.decision}**: {line}\n\n{outcome}",
        description=f"{verdict.decision}: {outcome}",
    )
    name = "Promoted" if promoted else STATE_NAMES[verdict.decision]
    return Completed(name=name, message=f"{line}; {outcome}", data=verdict)
