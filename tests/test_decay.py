"""Decay alarms, tested by simulation (vectorised: thousands of seasons at once): a model that
never changes is rarely called decaying over a season of daily looks, and a real decay is found
within weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pyarrow as pa

from shadowline.tasks.evaluation.decay import (
    DECAY_THRESHOLD,
    HORIZON,
    REFERENCE_DAYS,
    WINDOW,
    decay_rows,
    decay_z,
    turned,
)

LOOKS = REFERENCE_DAYS + WINDOW - 1 + HORIZON  # game days until the last look
ERROR_SD = 3.8  # sd of a row's absolute error (demo models)
DAY_SD = 0.2  # a night's shared shock to every row's error


def _daily_mae(rng: np.random.Generator, seasons: int, days: int, mae: np.ndarray | float):
    """Per-day MAE of a model: slates of 30-150 graded rows (light Thursdays, heavy Fridays), a
    shared nightly shock, and each row's noise."""
    rows = rng.integers(30, 150, size=(seasons, days))
    shock = rng.standard_t(5, size=(seasons, days)) * DAY_SD / np.sqrt(5 / 3)
    noise = rng.normal(0, ERROR_SD / np.sqrt(rows))
    return mae + shock + noise


def test_a_model_that_never_changes_is_rarely_called_decaying_over_a_season_of_looks() -> None:
    rng = np.random.default_rng(17)
    z = decay_z(_daily_mae(rng, 4000, LOOKS, 4.9))
    alarmed = (z > DECAY_THRESHOLD).any(axis=1).mean()
    naive = (z > 1.96).any(axis=1).mean()  # a one-look 95% rule, read every day
    print(
        f"\nstationary model, {HORIZON} daily looks: decaying in {alarmed:.1%} of seasons "
        f"(a 1.96 rule: {naive:.1%})"
    )
    assert alarmed <= 0.05
    assert naive > 0.3  # the correction is needed


def test_a_fifteen_percent_rise_in_mae_is_found_within_three_weeks() -> None:
    rng = np.random.default_rng(8)
    start = 60
    mae = np.where(np.arange(LOOKS) >= start, 4.9 * 1.15, 4.9)
    z = decay_z(_daily_mae(rng, 2000, LOOKS, mae))
    found = z > DECAY_THRESHOLD
    assert not found[:, :start].any(axis=1).mean() > 0.02  # hardly ever before it starts
    first = np.where(found[:, start:].any(axis=1), found[:, start:].argmax(axis=1), np.inf)
    within = (first < 21).mean()
    print(f"\n15% rise from day {start}: found within 3 weeks in {within:.1%} of seasons")
    assert within >= 0.8


def _results(
    mae_by_day: list[float], model: str = "champ_v1", production: bool = True, backfilled: int = 0
):
    """A model's per-day results; its first `backfilled` days scored in a backfill."""
    start = date(2025, 10, 21)
    return pa.Table.from_pylist(
        [
            {
                "model_id": model,
                "is_production": production,
                "test_mae": 4.8,
                "game_date": start + timedelta(days=i),
                "graded_rows": 100,
                "error_sum": 100 * m,
                "decided_bets": 20,
                "wins": 10 if i < 40 else 8,
                "live_rows": 0 if i < backfilled else 100,
            }
            for i, m in enumerate(mae_by_day)
        ]
    )


def test_the_rows_warm_up_then_turn_decaying_on_the_day_the_evidence_holds() -> None:
    rng = np.random.default_rng(2)
    maes = list(4.9 + rng.normal(0, 0.3, 40)) + list(5.9 + rng.normal(0, 0.3, 20))
    rows = decay_rows(_results(maes), datetime.now(UTC)).to_pylist()
    assert [r["state"] for r in rows[: REFERENCE_DAYS + WINDOW - 1]] == ["warming up"] * 27
    assert all(r["state"] != "decaying" for r in rows[:40])
    first = next(i for i, r in enumerate(rows) if r["state"] == "decaying")
    assert 40 < first < 50
    day = rows[first]
    assert day["mae_14_lower"] < day["mae_14"] < day["mae_14_upper"]
    assert day["decay_z"] > DECAY_THRESHOLD and "standard errors" in day["reason"]
    assert day["reference_mae"] < 5.1 and day["test_mae"] == 4.8
    # on the day it turns, and only then, it is news
    upto = pa.Table.from_pylist(rows[: first + 1])
    assert [r["model_id"] for r in turned(upto, "decaying")] == ["champ_v1"]
    assert turned(pa.Table.from_pylist(rows[: first + 2]), "decaying") == []


def test_grading_the_day_production_turns_decaying_says_so_and_emits_the_event(
    warehouse_url: str, prefect_server: None
) -> None:
    from prefect.artifacts import Artifact

    from shadowline.flows.grading import grading
    from shadowline.tasks.evaluation.alerts import DECAYING_EVENT
    from shadowline.tasks.warehouse import open_warehouse
    from tests.samples import DECAY_DAY, DECAY_MODELS, DECAY_START, write_decaying_season

    with open_warehouse(warehouse_url) as warehouse:
        warehouse.ensure_schema()
        turn = write_decaying_season(warehouse)
    assert DECAY_START + timedelta(days=DECAY_DAY) < turn  # found after it began, not before
    summary = grading(game_date=turn, warehouse=warehouse_url, report=False)
    (alert,) = summary.watch.alerts
    assert (alert.event, alert.model_id, alert.game_date) == (DECAYING_EVENT, DECAY_MODELS[0], turn)
    assert alert.resource["prefect.resource.id"] == f"shadowline.model.{DECAY_MODELS[0]}"
    states = {r["model_id"]: r["state"] for r in summary.watch.decay.to_pylist()}
    assert states[DECAY_MODELS[0]] == "decaying" and states[DECAY_MODELS[1]] != "decaying"
    artifact = Artifact.get(f"grading-{turn}")
    assert artifact is not None and "## Alerts" in artifact.data
    assert f"production model {DECAY_MODELS[0]} is decaying on {turn}" in artifact.data

    # grading the same day again: the state holds, but it is not news twice
    again = grading(game_date=turn, warehouse=warehouse_url, report=False)
    assert again.watch.alerts == []


def test_once_live_a_model_is_held_to_its_first_weeks_live_not_to_its_backfill() -> None:
    """A model backfilled over games it trained on misses by a point less there than it ever
    will live: held to that backfill, a model that never changed after going live would be
    called decaying within days."""
    rng = np.random.default_rng(9)
    backfilled = 40
    maes = list(3.9 + rng.normal(0, 0.3, backfilled)) + list(4.9 + rng.normal(0, 0.3, 80))
    rows = decay_rows(_results(maes, backfilled=backfilled), datetime.now(UTC)).to_pylist()
    before, live = rows[:backfilled], rows[backfilled:]
    assert {r["reference_source"] for r in before[REFERENCE_DAYS - 1 :]} == {"backfill"}
    assert before[-1]["state"] != "warming up" and before[-1]["reference_mae"] < 4.1
    # live, it warms up again against its own first weeks live, then is held to them
    assert [r["state"] for r in live[: REFERENCE_DAYS + WINDOW - 1]] == ["warming up"] * 27
    held = live[REFERENCE_DAYS + WINDOW - 1 :]
    assert {r["reference_source"] for r in held} == {"live"}
    assert all(4.7 < r["reference_mae"] < 5.1 for r in held)
    assert "decaying" not in {r["state"] for r in live}
    # the backfill's reference would have called it decaying from its first live weeks on
    old = decay_rows(_results(maes), datetime.now(UTC)).to_pylist()[backfilled:]
    assert {r["state"] for r in old[REFERENCE_DAYS:]} == {"decaying"}
