"""The experiment and grading flows on a copy of the demo warehouse: real DuckDB, Ray, Prefect."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
import pytest

from shadowline.flows.experiment import experiment
from shadowline.flows.grading import grading
from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.warehouse import Warehouse
from tests import prefect_api
from tests.samples import DEMO_MODEL_IDS, DEMO_WINDOW

pytestmark = pytest.mark.usefixtures("scorers", "prefect_server")
DAY = date(2026, 3, 4)  # the day after the demo fixture's window
DEMO_MODELS = DEMO_MODEL_IDS


def _json(data: object) -> list[dict]:
    return json.loads(data) if isinstance(data, str) else data  # type: ignore[return-value]


def predictions(warehouse: Warehouse, day: date = DAY) -> list[dict]:
    return warehouse.query(
        "select * from nba_predictions.ml_model_predictions where game_date = @d "
        "order by prediction_id",
        {"d": day},
    ).to_pylist()


def run_log(warehouse: Warehouse, day: date = DAY) -> list[dict]:
    return warehouse.query(
        "select * from nba_predictions.ml_experiment_runs where game_date = @d order by model_id",
        {"d": day},
    ).to_pylist()


def register(
    warehouse: Warehouse,
    model_id: str,
    model_type: str,
    path: str,
    version: str,
    names: list[str] | None = None,
) -> None:
    warehouse.execute(
        """insert into nba_predictions.ml_model_registry
        (model_id, model_type, model_path, feature_version, feature_names, enabled,
         is_production, is_baseline, created_at)
        values (@id, @type, @path, @version, @names, true, false, false, current_timestamp())""",
        {
            "id": model_id,
            "type": model_type,
            "path": path,
            "version": version,
            "names": names or [],
        },
    )


def model_path(warehouse: Warehouse, model_id: str) -> str:
    rows = warehouse.query(
        "select model_path from nba_predictions.ml_model_registry where model_id = @m",
        {"m": model_id},
    )
    return rows["model_path"][0].as_py()


def test_rerunning_a_date_leaves_exactly_the_same_rows(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    warehouse = demo_warehouse
    first = experiment(game_date=DAY, warehouse=demo_url)
    before = predictions(warehouse)
    second = experiment(game_date=DAY, warehouse=demo_url)
    after = predictions(warehouse)
    assert first.rows_written == second.rows_written == len(after) == len(before) > 0
    assert len(after) == len(DEMO_MODELS) * first.slate_players
    keep = ("prediction_id", "model_id", "player_lookup", "predicted_points", "recommendation")
    assert [{k: r[k] for k in keep} for r in after] == [{k: r[k] for k in keep} for r in before]
    assert len({r["prediction_id"] for r in after}) == len(after)
    log = run_log(warehouse)
    assert len(log) == 2 * len(DEMO_MODELS)  # both runs are in the log
    assert {r["status"] for r in log} == {"success"}
    assert {r["run_id"] for r in log} == {first.run_id, second.run_id}


def test_out_players_are_skipped_and_counted(demo_url: str, demo_warehouse: Warehouse) -> None:
    warehouse = demo_warehouse
    summary = experiment(game_date=DAY, warehouse=demo_url)
    out = warehouse.query(
        "select player_lookup from nba_predictions.ml_feature_store "
        "where game_date = @d and injury_status = 'OUT'",
        {"d": DAY},
    )["player_lookup"].to_pylist()
    assert summary.skipped_out == len(out) > 0
    assert not {r["player_lookup"] for r in predictions(warehouse)} & set(out)


def test_bad_models_fail_alone_with_reasons_and_the_rest_land(
    demo_url: str, demo_warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse = demo_warehouse
    corrupt = tmp_path / "corrupt.cbm"
    corrupt.write_bytes(b"CBM1 this is not a model" * 10)
    register(warehouse, "bad_missing", "catboost", str(tmp_path / "gone.cbm"), "v1_basic")
    register(warehouse, "bad_corrupt", "catboost", str(corrupt), "v1_basic")
    register(warehouse, "bad_type", "sklearn", model_path(warehouse, "catboost_v1"), "v1_basic")
    # an xgboost model trained on v2_context registered as if it were v1_basic
    register(warehouse, "bad_features", "xgboost", model_path(warehouse, "xgboost_v2"), "v1_basic")
    # the right number of features, registered in another order than the file was trained on
    shuffled = list(reversed(SHIPPED_SETS["v1_basic"]))
    register(
        warehouse,
        "bad_order",
        "lightgbm",
        model_path(warehouse, "lightgbm_v1"),
        "v1_basic",
        shuffled,
    )

    state = experiment(game_date=DAY, warehouse=demo_url, return_state=True)
    summary = state.result()

    landed = {r["model_id"] for r in predictions(warehouse)}
    assert landed == DEMO_MODELS
    log = {r["model_id"]: r for r in run_log(warehouse)}
    assert {m for m, r in log.items() if r["status"] == "success"} == DEMO_MODELS
    reasons = {m: r["error_message"] for m, r in log.items() if r["status"] == "failed"}
    assert "gone.cbm not found (registry model_path" in reasons["bad_missing"]
    assert "could not read" in reasons["bad_corrupt"] and "corrupt" in reasons["bad_corrupt"]
    assert "unknown model_type 'sklearn'" in reasons["bad_type"]
    assert "has 17 features but feature_version 'v1_basic' has 6" in reasons["bad_features"]
    assert "feature 0 of the file is 'pts_avg_last_5' but" in reasons["bad_order"]
    assert all(log[m]["rows_scored"] == 0 for m in reasons)
    assert len(summary.failed) == 5
    # a model that cannot load fails the same way every time: recorded once, never retried
    assert {run.run_count for run in prefect_api.task_runs(state.state_details.flow_run_id)} == {1}
    # and the Prefect UI shows it without SQL
    [artifact] = prefect_api.artifacts(state.state_details.flow_run_id)
    assert (artifact.type, artifact.key) == ("table", f"experiment-{DAY}")
    table = {row["model_id"]: row for row in _json(artifact.data)}
    assert table.keys() == DEMO_MODELS | reasons.keys()
    assert table["bad_corrupt"]["error"] == reasons["bad_corrupt"]
    assert table["catboost_v2"]["rows"] == log["catboost_v2"]["rows_scored"] > 0
    assert "5 failed" in artifact.description


def test_dry_run_writes_nothing(demo_url: str, demo_warehouse: Warehouse) -> None:
    warehouse = demo_warehouse
    store = "select count(*) as n from nba_predictions.ml_feature_store where game_date = @d"
    warehouse.execute(store.replace("select count(*) as n from", "delete from"), {"d": DAY})
    summary = experiment(game_date=DAY, dry_run=True, warehouse=demo_url)
    assert summary.predictions is not None and summary.predictions.num_rows > 0
    assert predictions(warehouse) == [] and run_log(warehouse) == []
    assert warehouse.query(store, {"d": DAY})["n"][0].as_py() == 0


def test_a_model_id_registered_twice_is_refused_not_scored_twice(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    from shadowline.tasks.registry.entries import RegistryError
    from shadowline.tasks.registry.promotion import promote

    warehouse = demo_warehouse
    warehouse.execute(
        "insert into nba_predictions.ml_model_registry "
        "select * from nba_predictions.ml_model_registry where model_id = 'xgboost_v2'"
    )
    summary = experiment(game_date=DAY, warehouse=demo_url)
    rows = predictions(warehouse)
    assert len({r["prediction_id"] for r in rows}) == len(rows)
    assert {r["model_id"] for r in rows} == DEMO_MODELS - {"xgboost_v2"}
    [refused] = summary.failed
    assert refused.model_id == "xgboost_v2" and "registered 2 times" in refused.error_message
    with pytest.raises(RegistryError, match="registered 2 times"):
        promote(warehouse, "xgboost_v2")


def test_one_model_run_replaces_only_that_models_rows(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    warehouse = demo_warehouse
    experiment(game_date=DAY, warehouse=demo_url)
    before = {r["prediction_id"]: r for r in predictions(warehouse)}
    summary = experiment(game_date=DAY, models=["xgboost_v2"], min_edge=2.0, warehouse=demo_url)
    after = {r["prediction_id"]: r for r in predictions(warehouse)}
    assert [o.model_id for o in summary.outcomes] == ["xgboost_v2"]
    assert after.keys() == before.keys()
    changed = {after[k]["model_id"] for k in after if after[k]["run_id"] != before[k]["run_id"]}
    assert changed == {"xgboost_v2"}
    xgb = [r for r in after.values() if r["model_id"] == "xgboost_v2"]
    assert all(r["min_edge"] == 2.0 for r in xgb)
    assert all(
        r["recommendation"] == "PASS"
        for r in xgb
        if r["betting_line"] is not None and abs(r["edge_vs_line"]) < 2.0
    )


def test_grading_before_box_scores_grades_nothing_and_says_so(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    warehouse = demo_warehouse
    experiment(game_date=DAY, warehouse=demo_url)
    warehouse.execute(
        "delete from nba_analytics.player_game_summary where game_date = @d", {"d": DAY}
    )
    summary = grading(game_date=DAY, warehouse=demo_url)
    assert summary.changed == 0 and "no box scores" in (summary.note or "")
    assert all(r["result_updated_at"] is None for r in predictions(warehouse))


def test_grading_fills_results_and_a_second_run_changes_nothing(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    warehouse = demo_warehouse
    experiment(game_date=DAY, warehouse=demo_url)
    state = grading(game_date=DAY, warehouse=demo_url, return_state=True)
    first = state.result()
    graded = predictions(warehouse)
    second = grading(game_date=DAY, warehouse=demo_url)
    assert first.changed == len(graded) and second.changed == 0
    assert predictions(warehouse) == graded
    # rerunning the experiment on a graded date replaces its rows and keeps them graded
    rerun = experiment(game_date=DAY, warehouse=demo_url)
    assert rerun.regraded == len(graded)
    keep = ("prediction_id", "actual_points", "prediction_error", "bet_outcome", "beat_vegas")
    assert [{k: r[k] for k in keep} for r in predictions(warehouse)] == [
        {k: r[k] for k in keep} for r in graded
    ]
    assert first.after.ungraded == 0 and first.after.graded > 0
    assert first.daily is not None and set(first.daily["model_id"].to_pylist()) == DEMO_MODELS
    [artifact] = prefect_api.artifacts(state.state_details.flow_run_id)
    assert (artifact.type, artifact.key) == ("markdown", f"grading-{DAY}")
    daily, board = artifact.data.split("## All-time leaderboard")
    assert f"## Results on {DAY}" in daily and f"{first.after.graded:,} graded" in daily
    assert all(f"| {model} |" in daily and f"| {model} |" in board for model in DEMO_MODELS)
    # the daily monitor: each enabled challenger against production (catboost_v2)
    monitor = daily.split("## Daily monitor: challengers against production")[1]
    challengers = DEMO_MODELS - {"catboost_v2"}
    assert first.watch is not None
    assert set(first.watch.monitor["model_id"].to_pylist()) == challengers
    assert set(first.watch.monitor["against_model_id"].to_pylist()) == {"catboost_v2"}
    monitor, decay = monitor.split("## Decay alarms: each model against its first weeks")
    assert all(f"| {model} | catboost_v2 |" in monitor for model in challengers)
    # the decay alarms: production and every enabled model, warming up on the first game day
    assert set(first.watch.decay["model_id"].to_pylist()) == DEMO_MODELS
    assert all(f"| {model} |" in decay for model in DEMO_MODELS) and "warming up" in decay
    assert "## Alerts" not in artifact.data


def test_a_run_on_its_own_frees_the_warehouse_file_before_it_reports_its_end(
    demo_url: str,
) -> None:
    """A flow run that owns its warehouse (nothing lent: a thread of its own) has closed the
    DuckDB file by the time it returns, so another process can open it at once (a deployment
    run reports Completed, and the next `shadowline` command runs)."""
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        summary = pool.submit(experiment, game_date=DAY, warehouse=demo_url).result()
    assert summary.rows_written > 0
    opened = subprocess.run(
        [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
         demo_url.removeprefix("duckdb:///")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr


# A mid-season day on which three players with a line are back from 40+ days without a game.
BACK_FROM_ABSENCE = date(2026, 2, 25)


def noon_eastern(day: date) -> datetime:
    """When a run reads `day`'s lines (SHADOWLINE_LINE_CUTOFF's default)."""
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(12), ZoneInfo("America/New_York"))


def lines_to_score(warehouse: Warehouse, day: date) -> tuple[set[str], set[str]]:
    """The players with a prop line on `day` by noon Eastern who are not OUT (names through the
    aliases), and the day's prop names that match no player."""
    unmatched = warehouse.query(
        """select distinct p.player_lookup as name
           from nba_raw.player_points_props as p
           left join nba_predictions.v_player_names as n on n.name = p.player_lookup
           where p.game_date = @d and n.player_lookup is null""",
        {"d": day},
    )["name"].to_pylist()
    rows = warehouse.query(
        """with lines as (
             select distinct n.player_lookup, p.player_lookup as name
             from nba_raw.player_points_props as p
             left join nba_predictions.v_player_names as n on n.name = p.player_lookup
             where p.game_date = @d and p.processed_at <= @cutoff),
           latest as (
             select player_lookup, injury_status from nba_raw.injury_report where game_date = @d
             qualify row_number() over (partition by player_lookup order by report_time desc) = 1)
           select l.player_lookup, l.name
           from lines as l left join latest as i using (player_lookup)
           where coalesce(i.injury_status, '') != 'OUT'""",
        {"d": day, "cutoff": noon_eastern(day)},
    ).to_pylist()
    return {r["player_lookup"] for r in rows if r["player_lookup"] is not None}, set(unmatched)


def test_every_player_with_a_line_is_scored_unless_out_even_back_from_a_long_absence(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    summary = experiment(game_date=BACK_FROM_ABSENCE, warehouse=demo_url)
    # the fixture's window (every team's first game of the season) and the day just run
    for day in (*DEMO_WINDOW, BACK_FROM_ABSENCE):
        with_line, unmatched = lines_to_score(demo_warehouse, day)
        rows = predictions(demo_warehouse, day)
        for model in DEMO_MODELS:
            ours = [r for r in rows if r["model_id"] == model]
            scored = {r["player_lookup"] for r in ours if r["betting_line"] is not None}
            assert scored == with_line > set(), (day, model)
        for logged in run_log(demo_warehouse, day):
            assert logged["players_with_line"] == len(with_line), day
            assert logged["props_unmatched"] == len(unmatched), day
    assert summary.slate is not None and summary.slate.with_line == len(with_line)

    # The window's days are the first game of the season for all 30 teams...
    first_games = demo_warehouse.query(
        """select team, min(game_date) as first_game
           from (select home_team_abbr as team, game_date from nba_raw.schedule
                 union all select away_team_abbr, game_date from nba_raw.schedule)
           where game_date >= @start group by team""",
        {"start": DEMO_WINDOW[0]},
    )["first_game"].to_pylist()
    assert len(first_games) == 30 and set(first_games) == set(DEMO_WINDOW)
    # ...and on the mid-season day, players back from 40+ days without a game are among them
    back = demo_warehouse.query(
        """select n.player_lookup
           from nba_raw.player_points_props as p
           join nba_predictions.v_player_names as n on n.name = p.player_lookup
           join nba_analytics.player_game_summary as b
             on b.player_lookup = n.player_lookup and b.game_date < @d and b.minutes_played > 0
           where p.game_date = @d and p.processed_at <= @cutoff
           group by n.player_lookup
           having max(b.game_date) <= date_sub(@d, interval 40 day)""",
        {"d": BACK_FROM_ABSENCE, "cutoff": noon_eastern(BACK_FROM_ABSENCE)},
    )["player_lookup"].to_pylist()
    assert back and set(back) <= with_line
    # and some book's spelling of a name on the window's days matches no player: logged above
    assert any(lines_to_score(demo_warehouse, day)[1] for day in DEMO_WINDOW)


def test_a_feed_posting_at_13_et_gets_a_warning_with_its_share(
    demo_url: str, demo_warehouse: Warehouse, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The books' morning snapshots of DAY (standard time) move to 13:00-16:30 ET, as a feed
    stamped at 17:00 UTC posts in winter: at the default noon cutoff most player-games have no
    line, and `run` says how many, with the fix; the run log keeps the counts; `feeds timing`
    shows when the feed posts; a tip-off relative cutoff reads the lines."""
    from shadowline.flows.cli import main

    demo_warehouse.execute(
        "update nba_raw.player_points_props set processed_at = timestamp_add(processed_at, "
        "interval 5 hour) where game_date = @d and processed_at < @noon",
        {"d": DAY, "noon": noon_eastern(DAY)},
    )
    capsys.readouterr()
    assert main(["--warehouse", demo_url, "run", "--date", str(DAY)]) == 0
    shown = capsys.readouterr().out
    warning = re.search(
        r"warning: (\d+) of (\d+) prop player-games on 2026-03-04 \((\d+)%\) were first posted "
        r"after the line cutoff \(12:00 ET\)", shown,
    )  # fmt: skip
    assert warning, shown
    after, total, share = map(int, warning.groups())
    assert share > 50 and share == round(100 * after / total)
    assert "SHADOWLINE_LINE_CUTOFF later (13:30) or relative to tip-off (tipoff-60m)" in shown
    logged = {(r["props_before_cutoff"], r["props_after_cutoff"]) for r in run_log(demo_warehouse)}
    assert logged == {(total - after, after)}

    assert main(["--warehouse", demo_url, "feeds", "timing", "--start", str(DAY),
                 "--end", str(DAY), "--format", "json"]) == 0  # fmt: skip
    books = {r["bookmaker"]: r for r in json.loads(capsys.readouterr().out)}
    assert books["(any book)"]["after_cutoff"] == after
    assert all(r["earliest_first_post_et"] > "12:00" for r in books.values()), books
    assert books["(any book)"]["median_first_post_et"] >= "13:00"

    monkeypatch.setenv("SHADOWLINE_LINE_CUTOFF", "tipoff-60m")
    assert main(["--warehouse", demo_url, "run", "--date", str(DAY), "--dry-run"]) == 0
    assert "warning" not in capsys.readouterr().out


def test_a_run_by_its_cutoff_is_live_and_a_late_one_backfill(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    """A game two days ahead, its line posted an hour ago: scoring it now is what a daily run
    does (live). Scoring a past date is a backfill, and the leaderboard's live figures leave
    it out."""
    from datetime import UTC, timedelta

    from shadowline.tasks.ingest.loading import load_rows

    ahead = datetime.now(UTC).date() + timedelta(days=2)
    player = demo_warehouse.query(
        "select player_lookup, team_abbr from nba_analytics.player_game_summary "
        "where minutes_played > 20 order by game_date desc, player_lookup limit 1"
    ).to_pylist()[0]
    load_rows(demo_warehouse, "nba_raw.schedule", pa.Table.from_pylist([
        {"game_id": "ahead", "game_date": ahead, "home_team_abbr": player["team_abbr"],
         "away_team_abbr": "ZZZ"},
    ]))  # fmt: skip
    load_rows(demo_warehouse, "nba_raw.player_points_props", pa.Table.from_pylist([
        {"player_lookup": player["player_lookup"], "game_date": ahead, "bookmaker": "a",
         "points_line": 20.5, "over_odds": -110, "under_odds": -110,
         "processed_at": datetime.now(UTC) - timedelta(hours=1)},
    ]))  # fmt: skip
    assert experiment(game_date=ahead, warehouse=demo_url).rows_written > 0
    experiment(game_date=DAY, warehouse=demo_url)
    assert {r["provenance"] for r in predictions(demo_warehouse, ahead)} == {"live"}
    assert {r["provenance"] for r in predictions(demo_warehouse, DAY)} == {"backfill"}
    board = demo_warehouse.query(
        "select model_id, graded_predictions, live_graded_predictions, live_mae "
        "from nba_predictions.v_ml_model_leaderboard"
    ).to_pylist()
    assert board and all(r["graded_predictions"] > 0 for r in board)
    assert all(r["live_graded_predictions"] == 0 and r["live_mae"] is None for r in board)
