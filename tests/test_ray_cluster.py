"""With RAY_ADDRESS set, the experiment joins that Ray cluster instead of starting its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from shadowline.tasks.warehouse import open_warehouse
from tests.emulators import free_port

DAY = date(2026, 3, 4)


@pytest.fixture(scope="module")
def ray_head(
    tmp_path_factory: pytest.TempPathFactory, start_local_ray: Callable[[], None]
) -> Iterator[str]:
    """A Ray head started by `ray start --head` on loopback, stopped by its pid. The session's
    own Ray is stopped meanwhile (a process joins one Ray at a time) and started again after."""
    import ray

    session_ray = ray.is_initialized()
    if session_ray:
        ray.shutdown()
    port = free_port()
    log = tmp_path_factory.mktemp("ray-head") / "head.log"
    args = [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block",
            f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
            "--include-dashboard=false", "--disable-usage-stats"]  # fmt: skip
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    with log.open("w") as output:
        head = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 90
        while "Ray runtime started" not in log.read_text():
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray start --head did not come up:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        if ray.is_initialized():
            ray.shutdown()
        head.terminate()
        head.wait(timeout=90)
        if session_ray:
            start_local_ray()


@pytest.mark.usefixtures("prefect_server")
def test_the_experiment_runs_its_actors_in_the_cluster_at_ray_address(
    demo_url: str, ray_head: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    from shadowline.flows.experiment import experiment
    from shadowline.tasks.resources import lend
    from shadowline.tasks.scoring import ScorerPool

    monkeypatch.setenv("RAY_ADDRESS", ray_head)
    with ScorerPool() as pool, lend(scorers=pool):  # held here, to look at it after the run
        summary = experiment(game_date=DAY, warehouse=demo_url)
        assert ray.get_runtime_context().gcs_address == ray_head  # joined, not started
        cluster_nodes = {node["NodeID"] for node in ray.nodes()}
    assert not ray.is_initialized()  # the pool joined the cluster, and left it when closed
    with open_warehouse(demo_url) as warehouse:
        log = warehouse.query(
            "select model_id, status, ray_node_id from nba_predictions.ml_experiment_runs "
            "where game_date = @d",
            {"d": DAY},
        ).to_pylist()
    assert len(log) == 4 and {r["status"] for r in log} == {"success"}
    assert {r["ray_node_id"] for r in log} <= cluster_nodes
    assert summary.rows_written == 4 * summary.slate_players > 0
