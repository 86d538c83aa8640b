"""What a grading run tells the team beyond its tables: production turned decaying, or a
challenger turned better than production in the monitor. Each is a Prefect event (the grading
flow emits it) that an automation can route to Slack, email or a pager: README, "What a betting
team asks"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from shadowline.tasks.evaluation.decay import turned
from shadowline.tasks.warehouse import Warehouse, sql_text

DECAYING_EVENT = "shadowline.model.decaying"
BETTER_EVENT = "shadowline.challenger.better"


@dataclass(frozen=True)
class Alert:
    event: str
    model_id: str
    game_date: date
    message: str
    payload: dict[str, object]

    @property
    def resource(self) -> dict[str, str]:
        """The Prefect resource the event is about: the model (automations match on its id)."""
        return {
            "prefect.resource.id": f"shadowline.model.{self.model_id}",
            "prefect.resource.name": self.model_id,
        }


def _number(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else "n/a"


@dataclass(frozen=True)
class Watch:
    """A grading run's look at the models: the monitor's and the decay alarms' latest rows, and
    what turned on the day graded."""

    monitor: pa.Table
    decay: pa.Table
    alerts: list[Alert]


def stored_states(warehouse: Warehouse, game_date: date) -> set[tuple[str, str, str]]:
    """(source, model_id, state) stored for `game_date` before this run rewrites it."""
    rows = warehouse.query(sql_text("monitor/states_on"), {"game_date": game_date}).to_pylist()
    return {(r["source"], r["model_id"], r["state"]) for r in rows}


DECAY_PAYLOAD = (
    "mae_14", "reference_mae", "reference_source", "test_mae", "decay_z", "hit_rate_14"
)  # fmt: skip


def alerts(
    decay: pa.Table, monitor: pa.Table, game_date: date, known: set[tuple[str, str, str]]
) -> list[Alert]:
    """The alerts in a grading run's decay and monitor rows (all days, as written) that turned
    on `game_date` and were not already stored so (`known`, from `stored_states`): regrading a
    day, or an older day, repeats none."""
    production = decay.filter(decay["is_production"])
    found = [
        Alert(
            DECAYING_EVENT,
            r["model_id"],
            r["game_date"],
            f"production model {r['model_id']} is decaying on {r['game_date']}: {r['reason']} "
            f"(mae_14 {_number(r['mae_14'])} against {_number(r['reference_mae'])} in its first "
            f"weeks {'live' if r['reference_source'] == 'live' else '(backfilled rows)'}, "
            f"test_mae {_number(r['test_mae'])})",
            _payload(r, DECAY_PAYLOAD),
        )
        for r in turned(production, "decaying")
        if r["game_date"] == game_date and ("decay", r["model_id"], "decaying") not in known
    ]
    found += [
        Alert(
            BETTER_EVENT,
            r["model_id"],
            r["game_date"],
            f"challenger {r['model_id']} is better than production {r['against_model_id']} on "
            f"{r['game_date']}: {_number(r['estimate'])} lower MAE, 95% confidence sequence "
            f"{_number(r['lower_bound'])} to {_number(r['upper_bound'])} over {r['game_days']} "
            "game days (`shadowline registry promote` gives the gate's verdict)",
            _payload(r, ("against_model_id", "estimate", "lower_bound", "upper_bound")),
        )
        for r in turned(monitor, "better")
        if r["game_date"] == game_date and ("monitor", r["model_id"], "better") not in known
    ]
    return found


def _payload(row: dict[str, object], names: tuple[str, ...]) -> dict[str, object]:
    return {"game_date": str(row["game_date"]), **{name: row[name] for name in names}}
