"""The `shadowline` command line, as a user types it, against real warehouses."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from flows.cli import main
from tasks.warehouse import open_warehouse

DAY = "2026-03-04"

# The seed document's SQL, verbatim.
SEED_REGISTER = """
INSERT INTO nba_predictions.ml_model_registry (
    model_id, model_name, model_type, model_version,
    model_path, model_format,
    feature_version, feature_count,
    test_mae,
    enabled, is_production, is_baseline,
    created_at, notes
) VALUES (
    'catboost_v9',
    'CatBoost V9 with Injury Features',
    'catboost',
    'v9',
    'models/catboost_v9_36features.cbm',
    'cbm',
    'v9_36features',
    36,
    3.35,
    TRUE,   -- enabled for experiments
    FALSE,  -- not production yet
    FALSE,  -- not baseline
    CURRENT_TIMESTAMP(),
    'V9 adds injury features'
)
"""
SEED_UNPROMOTE = """
-- 1. Remove current production flag
UPDATE nba_predictions.ml_model_registry
SET is_production = FALSE, updated_at = CURRENT_TIMESTAMP()
WHERE is_production = TRUE;
"""
SEED_PROMOTE = """
-- 2. Set new production model
UPDATE nba_predictions.ml_model_registry
SET is_production = TRUE, updated_at = CURRENT_TIMESTAMP()
WHERE model_id = 'catboost_v9';
"""
SEED_DAILY = """
-- Daily performance
SELECT * FROM nba_predictions.v_ml_model_daily_performance
WHERE game_date = DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
ORDER BY mae ASC;
"""
SEED_LEADERBOARD = """
-- Overall leaderboard
SELECT model_id, mae, bet_accuracy, graded_predictions
FROM nba_predictions.v_ml_model_leaderboard
ORDER BY mae ASC;
"""
SEED_HEAD_TO_HEAD = """
-- Head-to-head: v8 vs v9
SELECT *
FROM nba_predictions.v_ml_model_head_to_head
WHERE 'catboost_v8' IN (model_a, model_b)
  AND 'catboost_v9' IN (model_a, model_b);
"""


def cli(url: str, *args: str) -> int:
    return main(["--warehouse", url, *args])


def flags(url: str) -> dict[str, tuple[bool, bool]]:
    rows = open_warehouse(url).query(
        "select model_id, is_production, is_baseline from nba_predictions.ml_model_registry"
    )
    return {r["model_id"]: (r["is_production"], r["is_baseline"]) for r in rows.to_pylist()}


def test_help_lists_every_command() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "flows.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in (
        "init",
        "demo",
        "load",
        "features",
        "train",
        "run",
        "backfill",
        "grade",
        "query",
        "registry",
        "leaderboard",
        "head-to-head",
        "daily",
        "server",
    ):
        assert f"    {command}" in shown


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["run", "--date", "2026-13-01"], "bad date '2026-13-01': use YYYY-MM-DD"),
        (["grade", "--date", "yesterday"], "bad date 'yesterday'"),
        (["run", "--min-edge", "-1"], "must be 0 or more"),
        (["registry", "promote"], "required: MODEL_ID"),
        (["train", "--model-type", "sklearn"], "invalid choice: 'sklearn'"),
        (["load", "nba_raw.nope", "x.csv"], "invalid choice: 'nba_raw.nope'"),
        (["demo", "--days", "0"], "--days must be a whole number from 1 to 40"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["backfill", "--end", "2026-03-02"], "required: --start"),
        (["server", "restart"], "invalid choice: 'restart'"),
    ],
)
def test_bad_arguments_exit_2_with_a_one_line_reason(
    args: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    err = capsys.readouterr().err.strip()
    assert exited.value.code == 2
    assert reason in err and len(err.splitlines()) == 1


@pytest.mark.usefixtures("ray_session", "prefect_server")
def test_the_seeds_sql_runs_verbatim_and_the_next_run_picks_up_the_model(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_url, "query", SEED_REGISTER) == 0
    assert "1 rows affected" in capsys.readouterr().out
    shown = {}
    for name, select in (
        ("daily", SEED_DAILY),
        ("leaderboard", SEED_LEADERBOARD),
        ("h2h", SEED_HEAD_TO_HEAD),
    ):
        assert cli(demo_url, "query", select) == 0
        shown[name] = capsys.readouterr().out
    assert shown["daily"].split()[:2] == ["game_date", "model_id"]  # no games "yesterday"
    assert shown["leaderboard"].split()[:4] == [
        "model_id",
        "mae",
        "bet_accuracy",
        "graded_predictions",
    ]
    assert shown["h2h"].startswith("model_a") and "(no rows)" in shown["h2h"]
    assert cli(demo_url, "query", "--format", "json", SEED_LEADERBOARD) == 0
    board = json.loads(capsys.readouterr().out)
    assert {r["model_id"] for r in board} == {
        "catboost_v1",
        "lightgbm_v1",
        "xgboost_v2",
        "catboost_v2",
    }
    assert [r["mae"] for r in board] == sorted(r["mae"] for r in board)

    # the next run picks the new model up; its file and feature set do not exist here
    assert cli(demo_url, "run", "--date", DAY) == 0
    out = capsys.readouterr().out
    assert "catboost_v9" in out and "unknown feature_version 'v9_36features'" in out
    log = open_warehouse(demo_url).query(
        "select status from nba_predictions.ml_experiment_runs where model_id = 'catboost_v9'"
    )
    assert log["status"].to_pylist() == ["failed"]

    assert cli(demo_url, "query", SEED_UNPROMOTE) == 0
    assert cli(demo_url, "query", SEED_PROMOTE) == 0
    production = [m for m, (prod, _) in flags(demo_url).items() if prod]
    assert production == ["catboost_v9"]


def test_promote_and_set_baseline_leave_exactly_one(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_url, "registry", "promote", "xgboost_v2") == 0
    assert cli(demo_url, "registry", "set-baseline", "lightgbm_v1") == 0
    assert cli(demo_url, "registry", "promote", "xgboost_v2") == 0  # again: still one
    current = flags(demo_url)
    assert [m for m, (prod, _) in current.items() if prod] == ["xgboost_v2"]
    assert [m for m, (_, base) in current.items() if base] == ["lightgbm_v1"]
    assert cli(demo_url, "registry", "disable", "catboost_v1") == 0
    audit = (
        open_warehouse(demo_url)
        .query(
            "select action, model_id from nba_predictions.ml_model_registry_audit "
            "where action in ('promote', 'set-baseline', 'disable') order by changed_at"
        )
        .to_pylist()
    )
    assert audit[-4:] == [
        {"action": "promote", "model_id": "xgboost_v2"},
        {"action": "set-baseline", "model_id": "lightgbm_v1"},
        {"action": "promote", "model_id": "xgboost_v2"},
        {"action": "disable", "model_id": "catboost_v1"},
    ]
    capsys.readouterr()
    assert cli(demo_url, "registry", "promote", "nope") == 1
    assert "no model 'nope'" in capsys.readouterr().err
    assert [m for m, (prod, _) in flags(demo_url).items() if prod] == ["xgboost_v2"]


@pytest.mark.usefixtures("ray_session", "prefect_server")
def test_run_twice_and_grade_twice_change_nothing(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def count() -> int:
        return (
            open_warehouse(demo_url)
            .query(
                "select count(*) as n from nba_predictions.ml_model_predictions "
                "where game_date = @d",
                {"d": date.fromisoformat(DAY)},
            )["n"][0]
            .as_py()
        )

    assert cli(demo_url, "run", "--date", DAY) == 0
    first = count()
    assert cli(demo_url, "run", "--date", DAY) == 0
    assert count() == first > 0
    assert cli(demo_url, "grade", "--date", DAY) == 0
    assert f"{first:,} rows changed" in capsys.readouterr().out
    assert cli(demo_url, "grade", "--date", DAY) == 0
    assert "grading 2026-03-04: 0 rows changed" in capsys.readouterr().out
    assert cli(demo_url, "daily", "--date", DAY, "--format", "csv") == 0
    assert capsys.readouterr().out.count("\n") == 1 + 4  # header + four models


def test_load_checks_columns_and_loading_twice_changes_nothing(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "schedule.csv"
    good.write_text(
        "game_id,game_date,home_team_abbr,away_team_abbr\n"
        "g1,2026-01-08,BOS,NYK\ng2,2026-01-08,LAL,GSW\n"
    )
    assert cli(warehouse_url, "load", "nba_raw.schedule", str(good)) == 0
    assert cli(warehouse_url, "load", "nba_raw.schedule", str(good)) == 0
    rows = open_warehouse(warehouse_url).query("select * from nba_raw.schedule")
    assert rows.num_rows == 2 and rows["season"].null_count == 2  # optional column left empty

    missing = tmp_path / "missing.csv"
    missing.write_text("game_id,game_date\ng3,2026-01-09\n")
    mistyped = tmp_path / "mistyped.csv"
    mistyped.write_text(
        "game_id,game_date,home_team_abbr,away_team_abbr\ng4,next tuesday,BOS,NYK\n"
    )
    duplicated = tmp_path / "duplicated.csv"
    duplicated.write_text(
        "game_id,game_date,home_team_abbr,away_team_abbr\n"
        "g5,2026-01-08,BOS,NYK\ng5,2026-01-08,BOS,NYK\n"
    )
    capsys.readouterr()
    expected = {
        missing: "missing required column(s) home_team_abbr, away_team_abbr",
        mistyped: "game_date should be date32[day], found string ('next tuesday')",
        duplicated: "appear more than once",
    }
    for path, reason in expected.items():
        assert cli(warehouse_url, "load", "nba_raw.schedule", str(path)) == 1
        assert reason in capsys.readouterr().err
    assert open_warehouse(warehouse_url).query("select * from nba_raw.schedule").num_rows == 2
