"""The backfill flow, retries and the CLI's backfill on copies of the demo warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from shadowline.flows.backfill import backfill
from shadowline.flows.cli import main
from shadowline.flows.grading import grading
from shadowline.tasks.evaluation.probabilities import update_probabilities
from shadowline.tasks.features.catalog import attach_sources
from shadowline.tasks.features.slate import make_slate, read_prop_players
from shadowline.tasks.features.store import read_feature_batch
from shadowline.tasks.grading.grade import grade_predictions
from shadowline.tasks.registry.entries import read_models
from shadowline.tasks.resources import lend
from shadowline.tasks.scoring.pool import ScorerPool
from shadowline.tasks.scoring.predictions import collect_predictions, write_predictions
from shadowline.tasks.scoring.scorer import ModelScorer
from shadowline.tasks.warehouse import Warehouse, WarehouseError, is_transient, open_warehouse
from tests import prefect_api
from tests.samples import DEMO_MODEL_IDS, DEMO_WINDOW

pytestmark = pytest.mark.usefixtures("scorers", "prefect_server")
WINDOW = DEMO_WINDOW  # the demo fixture's two graded game days
MODELS = DEMO_MODEL_IDS
# What a run, not the data, decides: ids and times of the run that wrote the row.
RUN_COLUMNS = {"run_id", "prediction_time", "result_updated_at"}


def rows(
    warehouse: Warehouse, model_id: str | None = None, span: tuple[date, date] = WINDOW
) -> list[dict]:
    table = warehouse.query(
        """select * from nba_predictions.ml_model_predictions
        where game_date between @start and @end and (@model = '' or model_id = @model)
        order by prediction_id""",
        {"start": span[0], "end": span[1], "model": model_id or ""},
    )
    return [{k: v for k, v in r.items() if k not in RUN_COLUMNS} for r in table.to_pylist()]


def forget_window(warehouse: Warehouse, span: tuple[date, date] = WINDOW) -> None:
    for table in ("ml_model_predictions", "ml_experiment_runs"):
        warehouse.execute(
            f"delete from nba_predictions.{table} where game_date between @start and @end",
            {"start": span[0], "end": span[1]},
        )


def test_backfill_gives_the_day_by_day_rows_and_loads_each_model_once(
    demo_url: str, demo_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shadowline.flows.demo import DEMO_MIN_EDGE

    warehouse = demo_warehouse
    monkeypatch.setenv("SHADOWLINE_MIN_EDGE", str(DEMO_MIN_EDGE))  # as the demo bet
    day_by_day = rows(warehouse)  # the demo ran experiment + grading one day at a time
    assert any(r["bet_outcome"] is not None for r in day_by_day)  # graded, too
    forget_window(warehouse)

    with ScorerPool() as pool, lend(scorers=pool):  # fresh actors, to count the ones it starts
        state = backfill(start=WINDOW[0], end=WINDOW[1], warehouse=demo_url, return_state=True)
    summary = state.result()

    assert rows(warehouse) == day_by_day  # predictions and grades, row for row
    assert summary.dates == list(WINDOW)
    assert summary.models_loaded == len(MODELS)  # each once, for the whole range
    assert summary.scoring_actors == 2  # one per core, not one per model
    assert summary.rows_written == len(day_by_day) and summary.failures == 0
    runs = warehouse.query(
        "select game_date, count(*) as models, count(distinct run_id) as runs "
        "from nba_predictions.ml_experiment_runs "
        "where status = 'success' group by game_date order by game_date"
    ).to_pylist()
    assert [(r["game_date"], r["models"], r["runs"]) for r in runs] == [
        (d, len(MODELS), 1) for d in WINDOW
    ]

    # One flow run: its stage tasks, a progress bar and a line per date; no subflows.
    flow_run_id = state.state_details.flow_run_id
    assert prefect_api.child_flow_runs(flow_run_id) == []
    stages = {run.name.rsplit("-", 1)[0] for run in prefect_api.task_runs(flow_run_id)}
    assert {"build features", "score models", "write predictions", "grade predictions"} <= stages
    found = {a.key: a for a in prefect_api.artifacts(flow_run_id)}
    assert found["backfill"].data == 100 and "2/2" in found["backfill"].description
    per_date = found["backfill-dates"].data
    per_date = json.loads(per_date) if isinstance(per_date, str) else per_date
    assert [r["game_date"] for r in per_date] == [str(d) for d in WINDOW]
    assert sum(r["predictions"] for r in per_date) == len(day_by_day)
    assert sum(r["graded"] for r in per_date) == sum(
        r["prediction_error"] is not None for r in day_by_day
    )


def test_a_season_backfilled_as_a_set_is_what_runs_date_by_date_give(
    demo_url: str, demo_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole demo season (166 dates, ~128k predictions), in parts of 60 dates: the rows of a
    plain date-by-date loop, each date scored, written and graded alone."""
    warehouse = demo_warehouse
    season = (date(2025, 10, 21), date(2026, 4, 12))
    monkeypatch.setenv("SHADOWLINE_BACKFILL_CHUNK_DAYS", "60")
    summary = backfill(start=season[0], end=season[1], warehouse=demo_url)
    backfilled = rows(warehouse, span=season)
    assert summary.rows_written == len(backfilled) > 100_000 and len(summary.dates) == 166
    lined = [r for r in backfilled if r["betting_line"] is not None]
    # every model's over probabilities from its third week on (200 graded rows with a line)
    assert sum(r["over_probability"] is not None for r in lined) > 0.8 * len(lined)

    forget_window(warehouse, span=season)
    specs = [m.spec for m in read_models(warehouse)]
    scorers = [ModelScorer(spec) for spec in specs]  # in this process: the reference
    names = sorted({n for spec in specs for n in spec.expected_features()})
    for day in summary.dates:
        batch = read_feature_batch(warehouse, day)
        batch, _ = attach_sources(warehouse, batch, names, day, day)  # the team's news feed
        slate = make_slate(batch, read_prop_players(warehouse, day))
        results = [scorer.score(slate.rows) for scorer in scorers]
        day_rows, _ = collect_predictions(
            results, specs, slate.rows, min_edge=0.0, run_ids={day: "ref"}, now=datetime.now(UTC)
        )
        assert day_rows is not None
        write_predictions(warehouse, day_rows)
        update_probabilities(warehouse, day)  # as the experiment flow does, before the games
        grade_predictions(warehouse, day)
    assert rows(warehouse, span=season) == backfilled


def test_a_new_model_backfilled_alone_is_comparable_at_once(
    demo_url: str, demo_warehouse: Warehouse
) -> None:
    warehouse = demo_warehouse
    before = rows(warehouse)
    path = warehouse.query(
        "select model_path from nba_predictions.ml_model_registry where model_id = 'xgboost_v2'"
    )["model_path"][0].as_py()
    add = ["registry", "add", "--model-id", "xgboost_v3", "--model-type", "xgboost"]
    add += ["--feature-version", "v2_context", "--file", path]
    assert main(["--warehouse", demo_url, *add]) == 0

    summary = backfill(start=WINDOW[0], end=WINDOW[1], models=["xgboost_v3"], warehouse=demo_url)

    assert [len(e.outcomes) for e in summary.experiments] == [1, 1]
    new = rows(warehouse, "xgboost_v3")
    assert rows(warehouse) == sorted(before + new, key=lambda r: r["prediction_id"])
    board = {
        r["model_id"]: r
        for r in warehouse.query("select * from nba_predictions.v_ml_model_leaderboard").to_pylist()
    }
    # graded on the same players as the model it copies, and so with the same numbers
    assert board["xgboost_v3"]["graded_predictions"] == board["xgboost_v2"]["graded_predictions"]
    assert board["xgboost_v3"]["mae"] == pytest.approx(board["xgboost_v2"]["mae"])


def test_cli_backfill_shows_progress_and_refuses_a_backwards_range(
    demo_url: str, demo_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    forget_window(demo_warehouse)
    args = ["--warehouse", demo_url, "backfill", "--start", str(WINDOW[0])]
    assert main([*args, "--end", str(WINDOW[1]), "--no-grade"]) == 0
    out = capsys.readouterr().out
    assert f"[2/2 dates done] {WINDOW[0]}..{WINDOW[1]}: " in out
    assert "graded" not in out.split("finished")[0]
    assert main([*args, "--end", "2025-10-20"]) == 2
    assert "is before start 2025-10-21" in capsys.readouterr().err
    assert main([*args, "--end", str(WINDOW[1]), "--model", "nope"]) == 1
    assert "no model 'nope'" in capsys.readouterr().err


@contextmanager
def held(path: str) -> Iterator[Callable[[], None]]:
    """Another process holds the DuckDB file (as a second shadowline would) until the
    function this yields is called."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('held', flush=True);"
         " sys.stdin.readline(); con.close(); print('free', flush=True)", path],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdin is not None and holder.stdout is not None

    released: list[bool] = []

    def release() -> None:  # once: later calls find it free
        if not released and holder.poll() is None:
            released.append(True)
            holder.stdin.write("release\n")  # type: ignore[union-attr]
            holder.stdin.flush()  # type: ignore[union-attr]
            assert holder.stdout.readline().strip() == "free"  # type: ignore[union-attr]

    try:
        assert holder.stdout.readline().strip() == "held"
        yield release
    finally:
        holder.kill()
        holder.wait()


@contextmanager
def release_after_a_failed_attempt(release: Callable[[], None], task: str) -> Iterator[None]:
    """Let go of the file when a run of `task` has failed once and awaits its retry: the retry,
    not the first attempt, must find it free. Read from the task's own log line, in process (the
    API learns of the retry from events, which may land after the retries are spent)."""
    import logging

    class OnRetry(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            name = str(getattr(record, "task_run_name", ""))
            if name.startswith(task) and "Retry 1/" in record.getMessage():
                release()

    handler, logger = OnRetry(), logging.getLogger("prefect.task_runs")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        release()  # a run that never retried: free the file all the same


def test_a_warehouse_held_by_another_process_is_retried_until_free(demo_url: str) -> None:
    with held(demo_url.removeprefix("duckdb:///")) as release:
        with release_after_a_failed_attempt(release, "read grading status"):
            state = grading(game_date=WINDOW[0], warehouse=demo_url, return_state=True)
    assert state.is_completed() and state.result().after.graded > 0
    first = min(
        prefect_api.task_runs(state.state_details.flow_run_id), key=lambda run: run.start_time
    )
    assert first.name.startswith("read grading status") and first.run_count == 2


def test_only_errors_another_attempt_can_fix_are_retried(tmp_path: Path) -> None:
    with (
        held(str(tmp_path / "held.duckdb")),
        open_warehouse(f"duckdb:///{tmp_path / 'held.duckdb'}") as locked_out,
    ):
        with pytest.raises(WarehouseError) as locked:
            locked_out.ensure_schema()
    assert is_transient(locked.value) and "another shadowline may be using it" in str(locked.value)
    with open_warehouse(f"duckdb:///{tmp_path / 'free.duckdb'}") as warehouse:
        with pytest.raises(WarehouseError) as bad_sql:
            warehouse.query("select * from nba_predictions.no_such_table")
    assert not is_transient(bad_sql.value)
    assert is_transient(ConnectionResetError()) and not is_transient(ValueError("bad date"))


def _marked(mark: str) -> dict[int, str]:
    """Live processes whose environment holds `mark`, with their command lines. Read from /proc
    (this test is Linux-only): Ray's workers rename themselves, which psutil's parser trips on."""
    import psutil

    found = {}
    for process in psutil.process_iter():
        try:
            with open(f"/proc/{process.pid}/environ", "rb") as block:
                if mark.encode() in block.read().split(b"\0") and process.status() != "zombie":
                    found[process.pid] = " ".join(process.cmdline())[:80]
        except (OSError, psutil.Error):
            continue
    return found


def test_a_command_killed_with_sigkill_leaves_nothing_running(
    demo_url: str, tmp_path: Path
) -> None:
    import os
    import signal
    import uuid

    import psutil

    mark = f"SHADOWLINE_TEST_MARK={uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if k not in {"PREFECT_API_URL", "RAY_ADDRESS"}}
    env |= dict([mark.split("=", 1)], PREFECT_HOME=str(tmp_path / "prefect"))  # a temporary server
    command = subprocess.Popen(
        [str(Path(sys.executable).with_name("shadowline")), "--warehouse", demo_url, "backfill",
         "--start", str(WINDOW[0]), "--end", str(WINDOW[1])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    tree: list[psutil.Process] = []

    def alive() -> dict[int, str]:
        left = _marked(mark)
        for process in tree:
            try:
                if process.is_running() and process.status() != "zombie":
                    left[process.pid] = " ".join(process.cmdline())[:80]
            except psutil.Error:
                continue
        return left

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and command.poll() is None:
            names = " ".join(_marked(mark).values())
            if "uvicorn" in names and "ray::ScorerHost" in names:  # Prefect's and Ray's up
                break
            time.sleep(0.1)
        tree = psutil.Process(command.pid).children(recursive=True)
        assert command.poll() is None, "the command ended before its children were up"
        assert any("ray::DashboardAgent" in " ".join(p.cmdline()) for p in tree)
        command.send_signal(signal.SIGKILL)
        command.wait()
        deadline = time.monotonic() + 30
        while (left := alive()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert left == {}, f"still running after the command was killed: {left}"
    finally:
        command.kill()
        for pid in alive():
            os.kill(pid, signal.SIGKILL)
