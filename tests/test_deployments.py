"""The repository's prefect.yaml on a real Prefect server with a real process worker.

The module starts `prefect server start` on a free loopback port with its own PREFECT_HOME
(through `shadowline server start`, the code behind `make server`), deploys prefect.yaml,
triggers the deployments with `prefect deployment run` (as the README shows) and Prefect's
`run_deployment`, and checks the warehouse rows and the
Prefect API. It stops the worker and the server by process id.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import ray
import yaml
from prefect.client.schemas import filters, sorting
from prefect.client.schemas.objects import StateType
from prefect.states import AwaitingRetry

from shadowline.flows import server
from shadowline.tasks.warehouse import open_warehouse
from tests import prefect_api
from tests.samples import DEMO_MODEL_IDS

REPO = Path(__file__).resolve().parents[1]
DAY = date(2026, 3, 4)  # the day after the demo fixture's window: nothing predicted yet
MODELS = len(DEMO_MODEL_IDS)


@pytest.fixture(scope="module")
def deployed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, ray_session: None
) -> Iterator[tuple[server.LocalServer, Path, str]]:
    root = tmp_path_factory.mktemp("deployments")
    warehouse = root / "warehouse.duckdb"
    url = f"duckdb:///{warehouse}"
    state_dir = root / ".prefect"
    with socket.socket() as probe:
        probe.bind((server.HOST, 0))
        port = probe.getsockname()[1]
    with pytest.MonkeyPatch.context() as env:
        env.chdir(REPO)  # `prefect deploy` reads ./prefect.yaml; runs execute in this checkout
        env.setenv("SHADOWLINE_WAREHOUSE", url)  # reaches the runs through the worker
        env.setenv("PREFECT_WORKER_QUERY_SECONDS", "1")
        # the runs join the session's Ray as a production worker joins its cluster: each run
        # then skips starting (and stopping) a Ray of its own
        env.setenv("RAY_ADDRESS", ray.get_runtime_context().gcs_address)
        # the server boots (subprocesses, mostly waiting) while this process builds the demo
        with ThreadPoolExecutor(1) as pool:
            starting = pool.submit(server.start, port, state_dir, say=lambda _: None)
            try:
                shutil.copy(request.getfixturevalue("demo_file"), warehouse)
            finally:
                local = starting.result()
        try:
            server.deploy(state_dir, say=lambda _: None)
            yield local, state_dir, url
        finally:
            server.stop(state_dir, say=lambda _: None)


def trigger_from_shell(local: server.LocalServer, state_dir: Path, deployment: str) -> str:
    """`prefect deployment run` for DAY, as the README shows; waits (through the API) for the
    run to end; its flow run id. (Not `--watch`: Prefect 3.9's watcher can give up when its
    events websocket closes early, PrefectHQ/prefect#22549.)"""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("prefect")), "deployment", "run", deployment,
         "--param", f"game_date={DAY}"],
        env=server.prefect_env(state_dir, local.api_url), capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", done.stdout).group(1)  # type: ignore[union-attr]
    finished = wait_for(local, flow_run_id)
    assert finished.state is not None and finished.state.is_completed(), finished.state
    return flow_run_id


def wait_for(local: server.LocalServer, flow_run_id: str, timeout: float = 300) -> Any:
    """The flow run once it is in a final state."""
    deadline = time.monotonic() + timeout
    with prefect_api.client(local.api_url) as api:
        while not (run := api.read_flow_run(UUID(flow_run_id))).state.is_final():
            assert time.monotonic() < deadline, f"flow run {flow_run_id} is {run.state.name}"
            time.sleep(0.5)
    return run


def trigger(local: server.LocalServer, deployment: str, **parameters: Any) -> str:
    """The same through Prefect's Python API (`run_deployment`), without a CLI process to
    start: waits for the run to end; its flow run id."""
    return str(finished_run(local, deployment, **parameters).id)


def finished_run(local: server.LocalServer, deployment: str, **parameters: Any) -> Any:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: local.api_url}):
        run = run_deployment(
            deployment, parameters=parameters or {"game_date": str(DAY)}, poll_interval=0.5
        )
    assert run.state is not None and run.state.is_completed(), run.state
    return run


def query(url: str, sql: str) -> list[dict]:
    # closed at once: a run cannot open the DuckDB file while this process holds it
    with open_warehouse(url) as warehouse:
        return warehouse.query(sql, {"d": DAY}).to_pylist()


def run_log(url: str) -> list[dict]:
    return query(url, "select * from nba_predictions.ml_experiment_runs where game_date = @d")


def prediction_count(url: str) -> int:
    sql = "select count(*) as n from nba_predictions.ml_model_predictions where game_date = @d"
    return query(url, sql)[0]["n"]


def graded_count(url: str) -> int:
    sql = (
        "select count(*) as n from nba_predictions.ml_model_predictions "
        "where game_date = @d and result_updated_at is not null"
    )
    return query(url, sql)[0]["n"]


@pytest.fixture(scope="module")
def experiment_run(deployed: tuple) -> str:
    """experiment-daily run once for DAY, from its deployment: the flow run id."""
    local, state_dir, _ = deployed
    return trigger_from_shell(local, state_dir, "experiment/experiment-daily")


@pytest.fixture(scope="module")
def grading_run(deployed: tuple, experiment_run: str) -> str:
    """grading-daily run once for DAY, after the experiment run: the flow run id."""
    local, _, _ = deployed
    return trigger(local, "grading/grading-daily")


def test_prefect_yaml_uses_the_local_work_pool_and_eastern_schedules() -> None:
    config = yaml.safe_load((REPO / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in config["deployments"]}
    assert deployments.keys() == {"experiment-daily", "grading-daily", "backfill", "promotion"}
    assert {d["work_pool"]["name"] for d in deployments.values()} == {server.WORK_POOL}
    crons = {
        name: [(s["cron"], s["timezone"]) for s in d.get("schedules") or []]
        for name, d in deployments.items()
    }
    assert crons == {
        "experiment-daily": [("0 12 * * *", "America/New_York")],
        "grading-daily": [("0 2 * * *", "America/New_York")],
        "backfill": [],
        "promotion": [],
    }


def test_a_deployment_run_writes_the_rows_and_publishes_its_table(
    deployed: tuple, experiment_run: str
) -> None:
    local, _, url = deployed
    flow_run_id = experiment_run

    log = [r for r in run_log(url) if r["flow_run_id"] == flow_run_id]
    assert len(log) == MODELS and {r["status"] for r in log} == {"success"}
    # the run's actors ran in the Ray cluster at the worker's RAY_ADDRESS (the session's)
    assert {r["ray_node_id"] for r in log} == {ray.get_runtime_context().get_node_id()}
    assert prediction_count(url) == sum(r["rows_scored"] for r in log) > 0
    with prefect_api.client(local.api_url) as api:
        assert api.read_flow_run(flow_run_id).name == f"experiment {DAY}"
    [table] = prefect_api.artifacts(flow_run_id, local.api_url)
    assert (table.type, table.key) == ("table", f"experiment-{DAY}")
    assert {row["status"] for row in json.loads(table.data)} == {"success"}


def test_grading_deployment_grades_and_publishes_the_leaderboard(
    deployed: tuple, grading_run: str
) -> None:
    local, _, url = deployed
    flow_run_id = grading_run

    assert graded_count(url) == prediction_count(url) > 0
    [markdown] = prefect_api.artifacts(flow_run_id, local.api_url)
    assert (markdown.type, markdown.key) == ("markdown", f"grading-{DAY}")
    assert f"## Results on {DAY}" in markdown.data and "## All-time leaderboard" in markdown.data
    assert "| catboost_v2 |" in markdown.data.split("## All-time leaderboard")[1]


def test_a_rerun_keeps_the_rows_and_the_run_log_shows_both_runs(
    deployed: tuple, grading_run: str
) -> None:
    local, state_dir, url = deployed
    before = prediction_count(url)
    runs_before = {r["flow_run_id"] for r in run_log(url)}
    rerun = trigger(local, "experiment/experiment-daily")

    assert prediction_count(url) == before
    assert graded_count(url) == before  # the replaced rows were graded again
    runs = {r["flow_run_id"] for r in run_log(url)}
    assert runs == runs_before | {rerun} and len(run_log(url)) == len(runs) * MODELS


def test_retrying_a_finished_run_as_the_ui_does_runs_it_again_with_the_same_rows(
    deployed: tuple, grading_run: str
) -> None:
    local, _, url = deployed
    before = (prediction_count(url), graded_count(url))
    with prefect_api.client(local.api_url) as api:
        run = api.read_flow_run(grading_run)
        assert run.state.is_completed() and run.run_count == 1
        # the UI's Retry button: the finished run goes back to the worker, same id and parameters
        api.set_flow_run_state(run.id, AwaitingRetry(message="Retry from the UI"))
        deadline = time.monotonic() + 180
        while not ((run := api.read_flow_run(run.id)).state.is_final() and run.run_count == 2):
            assert time.monotonic() < deadline, f"the retried run is {run.state.name}"
            time.sleep(1)
    assert run.state.is_completed()
    assert (prediction_count(url), graded_count(url)) == before
    assert len(prefect_api.artifacts(run.id, local.api_url)) == 2  # one per run


def test_the_server_scheduled_the_next_runs_in_eastern_time(deployed: tuple) -> None:
    local, _, _ = deployed
    eastern = ZoneInfo("America/New_York")
    for name, hour in (("experiment/experiment-daily", 12), ("grading/grading-daily", 2)):
        with prefect_api.client(local.api_url) as api:
            deployment = api.read_deployment_by_name(name)
            scheduled = api.read_flow_runs(
                deployment_filter=filters.DeploymentFilter(
                    id=filters.DeploymentFilterId(any_=[deployment.id])
                ),
                flow_run_filter=filters.FlowRunFilter(
                    state=filters.FlowRunFilterState(
                        type=filters.FlowRunFilterStateType(any_=[StateType.SCHEDULED])
                    )
                ),
                sort=sorting.FlowRunSort.EXPECTED_START_TIME_ASC,
            )
        assert scheduled, f"no scheduled run of {name}"
        first = scheduled[0].expected_start_time
        assert first > datetime.now(UTC)
        assert (first.astimezone(eastern).hour, first.astimezone(eastern).minute) == (hour, 0)


def test_cli_runs_use_the_running_local_server(deployed: tuple, grading_run: str) -> None:
    local, state_dir, url = deployed
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("shadowline")), "--warehouse", url, "grade",
         "--date", str(DAY)],
        cwd=state_dir.parent, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == ""
    assert f"grading {DAY}: 0 rows changed" in done.stdout
    with prefect_api.client(local.api_url) as api:
        runs = api.read_flow_runs(
            flow_run_filter=filters.FlowRunFilter(
                name=filters.FlowRunFilterName(any_=[f"grading {DAY}"])
            )
        )
    # the deployment's run, and the CLI's (no deployment)
    assert sorted(str(run.id) == grading_run for run in runs) == [False, True]
    assert [run.deployment_id for run in runs if str(run.id) != grading_run] == [None]


def test_the_promotion_deployment_gives_its_verdict_and_audits_its_flow_run(
    deployed: tuple, grading_run: str
) -> None:
    local, _, url = deployed
    production = "select model_id from nba_predictions.ml_model_registry where is_production"
    held = finished_run(local, "promotion/promotion", model_id="xgboost_v2")
    assert held.state.name == "Held"  # the demo fixture's few graded days: not enough yet
    assert "game days" in held.state.message
    assert [r["model_id"] for r in query(url, production)] == ["catboost_v2"]
    [verdict] = prefect_api.artifacts(held.id, local.api_url)
    assert verdict.type == "markdown" and "**HOLD**" in verdict.data

    forced = finished_run(
        local, "promotion/promotion", model_id="xgboost_v2", force=True, reason="from the UI"
    )
    assert forced.state.name == "Promoted"
    assert [r["model_id"] for r in query(url, production)] == ["xgboost_v2"]
    [last] = query(
        url,
        "select verdict, reason, changed_by, previous_model_id "
        "from nba_predictions.ml_model_registry_audit where action = 'promote' "
        "order by changed_at desc limit 1",
    )
    assert (last["verdict"], last["reason"], last["previous_model_id"]) == (
        "HOLD", "from the UI", "catboost_v2")  # fmt: skip
    assert last["changed_by"] == f"prefect flow run {forced.name} ({forced.id})"


def test_a_model_trained_in_another_folder_runs_on_the_worker(
    deployed: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trained in a folder of its own with an absolute SHADOWLINE_MODELS_DIR; the worker's runs
    work in the checkout (prefect.yaml's pull step), another directory."""
    from shadowline.flows.cli import main

    local, _, url = deployed
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHADOWLINE_MODELS_DIR", str(tmp_path / "models"))
    train = ["train", "--model-type", "xgboost", "--feature-version", "v1_basic",
             "--train-end", "2025-10-15", "--model-id", "xgb_elsewhere", "--register"]  # fmt: skip
    assert main(["--warehouse", url, *train]) == 0
    other_day = date(2026, 3, 5)
    run = finished_run(
        local, "experiment/experiment-daily", game_date=str(other_day), models=["xgb_elsewhere"]
    )
    with open_warehouse(url) as warehouse:
        log = warehouse.query(
            "select * from nba_predictions.ml_experiment_runs where flow_run_id = @run",
            {"run": str(run.id)},
        ).to_pylist()
    assert [(r["model_id"], r["status"], r["error_message"]) for r in log] == [
        ("xgb_elsewhere", "success", None)
    ]
    assert main(["--warehouse", url, "registry", "disable", "xgb_elsewhere"]) == 0


def _readme_automation() -> str:
    """The automation YAML of the README's "Hearing about it" section, as a team copies it."""
    section = (REPO / "README.md").read_text().split("### Hearing about it", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_readmes_automation_sends_the_decay_alert_from_a_grading_deployment_run(
    deployed: tuple, tmp_path: Path
) -> None:
    """A test season whose production model decays, graded on the day it turns through the
    grading-daily deployment: its event fires the README's automation, whose notification (a
    webhook block aimed at a listener here) carries the message."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tests.samples import DECAY_MODELS, write_decaying_season

    local, state_dir, _ = deployed
    received: list[str] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            received.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    listener = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        season = f"duckdb:///{tmp_path / 'decaying.duckdb'}"
        with open_warehouse(season) as warehouse:
            warehouse.ensure_schema()
            turn = write_decaying_season(warehouse)
        with temporary_settings({PREFECT_API_URL: local.api_url}):
            block = CustomWebhookNotificationBlock(
                name="shadowline alerts",
                url=f"http://127.0.0.1:{listener.server_port}/hook",
                json_data={"subject": "{{subject}}", "text": "{{body}}"},
            )
            block_id = block.save("shadowline-test-hook", overwrite=True)
        automation = tmp_path / "shadowline-alerts.yaml"
        automation.write_text(
            _readme_automation().replace("YOUR-NOTIFICATION-BLOCK-ID", str(block_id))
        )
        created = subprocess.run(
            [str(Path(sys.executable).with_name("prefect")), "automation", "create",
             "--from-file", str(automation)],
            env=server.prefect_env(state_dir, local.api_url), capture_output=True, text=True,
        )  # fmt: skip
        assert created.returncode == 0, created.stdout[-2000:] + created.stderr[-2000:]
        run = finished_run(
            local, "grading/grading-daily", game_date=str(turn), warehouse=season, report=False
        )
        deadline = time.monotonic() + 90
        while not received and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        listener.shutdown()
        listener.server_close()
    assert received, f"no notification within 90 s of grading run {run.id}"
    (message,) = [json.loads(body) for body in received]
    assert message["subject"] == "shadowline: shadowline.model.decaying"
    assert f"production model {DECAY_MODELS[0]} is decaying on {turn}" in message["text"]


def test_stopping_leaves_nothing_running(deployed: tuple) -> None:
    local, state_dir, _ = deployed
    assert server.stop(state_dir, say=lambda _: None)
    assert not server.alive(local.server_pid) and not server.alive(local.worker_pid)
    assert server.running(state_dir) is None
