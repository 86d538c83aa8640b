"""The model registry: read the models to run, register, enable/disable, set baseline (promotion
and rollback, gated: `tasks/registry/promotion.py`).

Every change made here is one transaction that also writes an audit row.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from shadowline.tasks.core.domains import check_model_id
from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.features.catalog import feature_sets
from shadowline.tasks.models.files import ModelSpec, model_root
from shadowline.tasks.models.lineage import Lineage
from shadowline.tasks.warehouse import Warehouse, sql_text

REGISTRY = "nba_predictions.ml_model_registry"


class RegistryError(ShadowlineError):
    """A registry request that names no registered model."""


@dataclass(frozen=True)
class RegisteredModel:
    spec: ModelSpec
    enabled: bool
    is_production: bool
    is_baseline: bool
    registrations: int = 1

    @property
    def duplicate_error(self) -> str | None:
        """Why this model must not run: its model_id is on more than one registry row."""
        if self.registrations <= 1:
            return None
        return (
            f"model_id {self.spec.model_id!r} is registered {self.registrations} times in "
            f"{REGISTRY}; delete the extra rows (it was not scored, so no duplicate predictions)"
        )


def actor() -> str:
    """Who makes a registry change: the Prefect flow run it runs in, else the OS user."""
    context = sys.modules.get("prefect.context")  # only if Prefect is already loaded
    run = getattr(context.FlowRunContext.get(), "flow_run", None) if context else None
    if run is not None:
        return f"prefect flow run {run.name} ({run.id})"
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def read_models(warehouse: Warehouse, model_ids: Sequence[str] = ()) -> list[RegisteredModel]:
    """Every enabled model, or just the models named in `model_ids` (enabled or not)."""
    if isinstance(model_ids, str):
        model_ids = (model_ids,)
    for model_id in model_ids:  # an empty id would read as "every enabled model"
        check_model_id(model_id)
    rows = []
    for model_id in dict.fromkeys(model_ids) or [""]:
        found = warehouse.query(sql_text("registry/models"), {"model_id": model_id}).to_pylist()
        if model_id and not found:
            raise RegistryError(_unknown(warehouse, model_id))
        rows += found
    root = str(model_root(Settings().model_root))
    # a row added by INSERT names only its feature_version: its names are that set's
    sets = feature_sets(warehouse) if any(not r["feature_names"] for r in rows) else {}
    return [
        RegisteredModel(
            ModelSpec(
                model_id=row["model_id"],
                model_type=(row["model_type"] or "").strip().lower(),
                model_path=row["model_path"],
                feature_version=row["feature_version"],
                feature_count=row["feature_count"],
                feature_names=tuple(row["feature_names"] or sets.get(row["feature_version"]) or ()),
                model_sha256=row["model_sha256"],
                model_root=root,
            ),
            row["enabled"],
            row["is_production"],
            row["is_baseline"],
            row["registrations"],
        )
        for row in rows
    ]


# `registry list`'s table by default (model_path and updated_at: --wide).
REGISTRY_COLUMNS = (
    "model_id", "model_type", "feature_version", "test_mae", "enabled", "is_production",
    "is_baseline",
)  # fmt: skip


def list_models(warehouse: Warehouse) -> pa.Table:
    return warehouse.query(sql_text("registry/list"))


def history(warehouse: Warehouse, model_id: str | None = None) -> pa.Table:
    """The audit trail, newest first: every change of `model_id` (None: of every model) and
    every promotion that replaced it."""
    return warehouse.query(sql_text("registry/history"), {"model_id": model_id or ""})


def describe(warehouse: Warehouse, model_id: str) -> list[str]:
    """A registered model as `registry show` prints it: what it is, then its lineage."""
    import json

    [row] = warehouse.query(sql_text("registry/show"), {"model_id": model_id}).to_pylist()
    flags = [f for f in ("enabled", "is_production", "is_baseline") if row[f]] or ["disabled"]
    names = row["feature_names"] or []
    test_mae = f"{row['test_mae']:.3f}" if row["test_mae"] is not None else "not recorded"
    lines = [
        f"{row['model_id']}  ({row['model_name'] or row['model_id']}; {', '.join(flags)})",
        f"  type        {row['model_type']}  file {row['model_path']}",
        f"  sha256      {row['model_sha256'] or 'not recorded'}",
        f"  features    {row['feature_version']} ({len(names)}): {', '.join(names)}",
        f"  test MAE    {test_mae}",
        f"  registered  {row['created_at']} by {row['created_by'] or 'unknown'}"
        + (f", updated {row['updated_at']}" if row["updated_at"] else ""),
    ]
    if row["notes"]:
        lines.append(f"  notes       {row['notes']}")
    lines.append("lineage:")
    first, last = row["train_first_game_date"], row["train_last_game_date"]
    unknown = "not recorded (added from a file or by INSERT)"
    lines.append(f"  trained on  {f'{first} .. {last}' if first else unknown}")
    if row["train_rows"] is not None:
        lines.append(f"  rows        {row['train_rows']:,} (held-out test rows not included)")
    lines.append(f"  library     {row['library'] or 'not recorded'}")
    params = json.loads(row["hyperparameters"]) if row["hyperparameters"] else None
    shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items())) if params else None
    lines.append(f"  parameters  {shown or 'not recorded'}")
    lines.append(f"  fingerprint {row['training_fingerprint'] or 'not recorded'}")
    return lines


def _unknown(warehouse: Warehouse, model_id: str) -> str:
    known = warehouse.query(sql_text("registry/model_ids"))
    names = ", ".join(known["model_id"].to_pylist()) or "none yet"
    return f"no model {model_id!r} in {REGISTRY} (registered: {names})"


def require_registered(warehouse: Warehouse, model_id: str) -> None:
    """Flag changes need exactly one registry row for `model_id`."""
    check_model_id(model_id)
    found = warehouse.query(sql_text("registry/registrations"), {"model_id": model_id})["n"][
        0
    ].as_py()
    if found == 0:
        raise RegistryError(_unknown(warehouse, model_id))
    if found > 1:
        raise RegistryError(
            f"model_id {model_id!r} is registered {found} times in {REGISTRY}; "
            "delete the extra rows first"
        )


def set_baseline(warehouse: Warehouse, model_id: str, detail: str = "") -> None:
    """Make `model_id` the only baseline model (production: `tasks/registry/promotion.py`,
    gated)."""
    require_registered(warehouse, model_id)
    warehouse.execute(
        sql_text("registry/set_baseline"),
        {"model_id": model_id, "detail": detail, "changed_by": actor()},
    )


def set_enabled(warehouse: Warehouse, model_id: str, enabled: bool, detail: str = "") -> None:
    require_registered(warehouse, model_id)
    warehouse.execute(
        sql_text("registry/set_enabled"),
        {"model_id": model_id, "enabled": enabled, "detail": detail, "changed_by": actor()},
    )


def register_model(
    warehouse: Warehouse,
    spec: ModelSpec,
    *,
    model_name: str | None = None,
    model_version: str | None = None,
    model_format: str | None = None,
    test_mae: float | None = None,
    notes: str | None = None,
    lineage: Lineage | None = None,
) -> None:
    """Add `spec` to the registry (enabled), or update the file and metadata of a model with the
    same id, keeping its flags."""
    check_model_id(spec.model_id)
    warehouse.execute(
        sql_text("registry/register_model"),
        {
            "model_id": spec.model_id,
            "model_name": model_name or spec.model_id,
            "model_type": spec.model_type,
            "model_version": model_version,
            "model_path": spec.model_path,
            "model_format": model_format,
            "feature_version": spec.feature_version,
            "feature_count": len(spec.expected_features()),
            "feature_names": list(spec.expected_features()),
            "model_sha256": spec.model_sha256,
            "test_mae": test_mae,
            "notes": notes,
            "changed_by": actor(),
            **(lineage or Lineage()).params(),
        },
    )
