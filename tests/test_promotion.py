"""The promotion gate, its audit trail, rollback and concurrent promotions, on a warehouse whose
graded predictions are crafted so the right verdict is known: a model clearly sharper than
production, one identical to it, and one clearly worse."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from shadowline.flows.cli import main
from shadowline.tasks.models.files import ModelSpec
from shadowline.tasks.registry import promotion
from shadowline.tasks.registry.entries import register_model
from shadowline.tasks.warehouse import open_warehouse
from shadowline.tasks.warehouse.schemas import arrow_schema

DAYS, PLAYERS = 12, 60
FIRST_DAY = date(2026, 1, 5)
# mean absolute error relative to production: sharper by 0.6 points, identical, worse by 0.6
MODELS = {"prod": 0.0, "sharper": -0.6, "twin": 0.0, "worse": 0.6}


def _predictions(seed: int = 3) -> pa.Table:
    rng = np.random.default_rng(seed)
    base = np.abs(rng.normal(0, 5, size=(DAYS, PLAYERS))) + 1.0  # production's errors
    rows = []
    now = datetime(2026, 2, 1, tzinfo=UTC)
    for model, shift in MODELS.items():
        errors = base if model in ("prod", "twin") else np.maximum(base + shift, 0.0)
        for d in range(DAYS):
            day = FIRST_DAY + timedelta(days=d)
            for p in range(PLAYERS):
                rows.append({
                    "prediction_id": f"{model}-{day}-{p}", "model_id": model,
                    "player_lookup": f"player{p}", "game_date": day, "predicted_points": 20.0,
                    "actual_points": 20, "prediction_error": float(errors[d, p]),
                    "result_updated_at": now, "provenance": "live",
                })  # fmt: skip
    schema = arrow_schema("nba_predictions.ml_model_predictions")
    return pa.Table.from_pylist(rows, schema=schema)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    with open_warehouse(url) as warehouse:
        for model in MODELS:
            register_model(warehouse, ModelSpec(model, "catboost", f"{model}.cbm", "v1_basic"))
        warehouse.write("nba_predictions.ml_model_predictions", _predictions())
        verdict = promotion.promote(warehouse, "prod")  # nothing in production yet: no gate
    assert verdict.decision == promotion.NO_GATE
    return url


def test_the_gate_counts_live_days_only_unless_told_to_include_backfill(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows scored after their cutoff (a backfill, a late rerun) may hold news a live run lacked:
    by default the gate does not count them, and says how many days it left out."""
    with open_warehouse(url) as warehouse:
        warehouse.execute(
            "update nba_predictions.ml_model_predictions set provenance = 'backfill' "
            "where game_date >= @d",
            {"d": FIRST_DAY + timedelta(days=3)},
        )
        held = promotion.evaluate(warehouse, "sharper")
        monkeypatch.setenv("SHADOWLINE_PROMOTION_INCLUDE_BACKFILL", "true")
        counted = promotion.evaluate(warehouse, "sharper")
    assert held.decision == promotion.HOLD and held.game_days == 3
    assert "3 of 7 game days" in held.line()
    assert f"{DAYS - 3} more game days of backfill rows not counted" in held.line()
    assert "SHADOWLINE_PROMOTION_INCLUDE_BACKFILL=true" in held.line()
    assert counted.decision == promotion.PROMOTE and counted.game_days == DAYS
    assert "(live and backfill rows" in counted.line()


def production(url: str) -> list[str]:
    with open_warehouse(url) as warehouse:
        rows = warehouse.query(
            "select model_id from nba_predictions.ml_model_registry where is_production"
        )
    return rows["model_id"].to_pylist()


def history(url: str) -> list[dict]:
    with open_warehouse(url) as warehouse:
        return warehouse.query(
            "select action, model_id, previous_model_id, verdict, reason, changed_by, detail "
            "from nba_predictions.ml_model_registry_audit "
            "where action in ('promote', 'rollback') order by changed_at"
        ).to_pylist()


def test_the_gate_promotes_a_sharper_model_and_rollback_restores_production(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--warehouse", url, "registry", "promote", "sharper"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PROMOTE sharper against production prod: ")
    assert f"{DAYS * PLAYERS:,} shared graded rows over {DAYS} game days" in out
    assert production(url) == ["sharper"]
    last = history(url)[-1]
    assert (last["action"], last["model_id"], last["previous_model_id"], last["verdict"]) == (
        "promote", "sharper", "prod", "PROMOTE")  # fmt: skip
    assert last["changed_by"] and "95% CS +" in last["detail"]

    assert main(["--warehouse", url, "registry", "rollback", "--reason", "bad night"]) == 0
    assert "prod is the production model again (was sharper)" in capsys.readouterr().out
    assert production(url) == ["prod"]
    last = history(url)[-1]
    assert (last["action"], last["model_id"], last["previous_model_id"], last["reason"]) == (
        "rollback", "prod", "sharper", "bad night")  # fmt: skip
    assert main(["--warehouse", url, "registry", "history", "sharper"]) == 0
    shown = capsys.readouterr().out
    assert "rollback" in shown and "PROMOTE" in shown and "bad night" in shown


@pytest.mark.parametrize(
    ("model", "env", "expected"),
    [
        ("worse", {}, "REJECT worse against production prod: worse than production; "),
        ("twin", {}, "HOLD twin against production prod: no detectable difference yet; "),
        ("sharper", {"SHADOWLINE_PROMOTION_MIN_DAYS": "30"},
         f"HOLD sharper against production prod: {DAYS} of 30 game days; "),
        ("sharper", {"SHADOWLINE_PROMOTION_MIN_ROWS": "1000"},
         f"HOLD sharper against production prod: {DAYS * PLAYERS} of 1,000 shared rows; "),
    ],
)  # fmt: skip
def test_a_model_not_clearly_better_is_held_or_rejected_and_nothing_changes(
    url: str,
    model: str,
    env: dict[str, str],
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = history(url)
    assert main(["--warehouse", url, "registry", "promote", model]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"shadowline: error: {expected}") and len(err.splitlines()) == 1, err
    assert err.endswith('Nothing changed; promote anyway with --force --reason "..."')
    assert production(url) == ["prod"] and history(url) == before


def test_force_needs_a_reason_and_is_audited_with_the_verdict(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--warehouse", url, "registry", "promote", "worse", "--force"]
    assert main(args) == 2
    assert "--force needs --reason" in capsys.readouterr().err
    assert main([*args, "--reason", "new features need live data"]) == 0
    assert production(url) == ["worse"]
    last = history(url)[-1]
    assert (last["verdict"], last["reason"], last["previous_model_id"]) == (
        "REJECT", "new features need live data", "prod")  # fmt: skip
    assert main(["--warehouse", url, "registry", "promote", "worse"]) == 1
    assert "worse is already the production model" in capsys.readouterr().err


def test_registry_list_flags_a_production_flag_changed_outside_shadowline(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--warehouse", url, "registry", "list"]) == 0
    assert "warning" not in capsys.readouterr().err
    seed_update = (
        "UPDATE nba_predictions.ml_model_registry SET is_production = (model_id = 'twin') "
        "WHERE TRUE"
    )
    assert main(["--warehouse", url, "query", seed_update]) == 0
    assert main(["--warehouse", url, "registry", "list"]) == 0
    assert (
        "warning: production is twin but the last audited promotion made prod production"
        in capsys.readouterr().err
    )


# What a promotion that lost a race says: nothing of it was written.
LOST = ("already the production model", "at the same moment", "while")


def _promote_many(url: str, model: str, outcomes: list[str], surprises: list[str]) -> None:
    with open_warehouse(url) as warehouse:
        for _ in range(3):
            try:
                promotion.promote(warehouse, model, force=True, reason="race")
                outcomes.append(model)
            except Exception as error:  # noqa: BLE001 (collected: the test asserts on them)
                if not (isinstance(error, promotion.RegistryError) and any(
                        w in str(error) for w in LOST)):  # fmt: skip
                    surprises.append(repr(error))


def test_concurrent_promotions_leave_exactly_one_production_model_at_every_moment(
    url: str,
) -> None:
    seen: Counter[int] = Counter()
    done = threading.Event()

    def read() -> None:
        with open_warehouse(url) as warehouse:
            while not done.is_set():
                counted = warehouse.query(
                    "select count(*) as n from nba_predictions.ml_model_registry "
                    "where is_production"
                )
                seen[counted["n"][0].as_py()] += 1

    reader = threading.Thread(target=read)
    reader.start()
    outcomes: list[str] = []
    surprises: list[str] = []
    racers = [threading.Thread(target=_promote_many, args=(url, m, outcomes, surprises))
              for m in ("sharper", "twin", "worse")]  # fmt: skip
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    done.set()
    reader.join()
    assert surprises == []
    assert set(seen) == {1} and seen[1] > 0  # never zero, never two
    # every promotion that returned is audited once, and the last one audited is production
    audited = [r["model_id"] for r in history(url) if r["reason"] == "race"]
    assert sorted(audited) == sorted(outcomes) and outcomes
    assert production(url) == [audited[-1]]
