"""`shadowline server start` (what `make server` runs): its Ray instance keeps each model's scoring
actor loaded from one command-line run to the next, and `server stop` ends it all."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

from shadowline.flows import server
from shadowline.tasks.warehouse import open_warehouse
from tests.samples import DEMO_MODEL_IDS

DAY = date(2026, 3, 4)
SHADOWLINE = str(Path(sys.executable).with_name("shadowline"))

# Asks the stack's Ray for each kept scoring actor's process id (a zero-row prediction).
ACTOR_PIDS = """
import json, sys, numpy as np, ray
from shadowline.tasks.scoring.pool import ACTOR_NAMESPACE
ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
pids = {}
for a in ray.util.list_named_actors(all_namespaces=True):
    if a["namespace"] == ACTOR_NAMESPACE:
        actor = ray.get_actor(a["name"], namespace=ACTOR_NAMESPACE)
        pids[a["name"]] = ray.get(actor.predict.remote(np.empty((0, 6)))).pid
print(json.dumps(pids))
"""


def test_the_stack_keeps_each_models_actor_loaded_between_runs(
    demo_file: Path, tmp_path: Path
) -> None:
    shutil.copy(demo_file, tmp_path / "warehouse.duckdb")
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    with socket.socket() as probe:
        probe.bind((server.HOST, 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "RAY_ADDR"))}
    env |= {"SHADOWLINE_PREFECT_PORT": str(port), "SHADOWLINE_RAY_NUM_CPUS": "2"}

    def shadowline(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SHADOWLINE, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip

    # without the stack: Prefect's temporary server and a Ray of the command's own, both gone
    # when it ends, and a quiet terminal
    alone = shadowline("--warehouse", url, "run", "--date", str(DAY))
    assert alone.returncode == 0 and alone.stderr == "", alone.stderr
    assert "predictions written" in alone.stdout

    started = shadowline("server", "start")
    assert started.returncode == 0, started.stderr
    local = server.running(tmp_path / ".prefect")
    try:
        assert local is not None and local.ray_address and server.alive(local.ray_pid)
        assert "Ray at" in shadowline("server", "status").stdout

        def actor_pids() -> dict[str, int]:
            done = subprocess.run(
                [sys.executable, "-c", ACTOR_PIDS, local.ray_address], env=env,
                capture_output=True, text=True, timeout=120, check=True,
            )  # fmt: skip
            return json.loads(done.stdout.strip().splitlines()[-1])

        first = shadowline("--warehouse", url, "run", "--date", str(DAY))
        assert first.returncode == 0, first.stderr
        loaded = actor_pids()
        second = shadowline("--warehouse", url, "run", "--date", str(DAY))
        assert second.returncode == 0, second.stderr
        # the same processes, one per model
        assert len(loaded) == len(DEMO_MODEL_IDS) and actor_pids() == loaded
    finally:
        stopped = shadowline("server", "stop")
    assert stopped.returncode == 0 and "Ray" in stopped.stdout
    assert not server.alive(local.ray_pid)
    assert not any(server.alive(pid) for pid in loaded.values())
    with open_warehouse(url) as warehouse:
        runs = warehouse.query(
            "select run_id, count(*) as models, countif(status = 'success') as ok "
            "from nba_predictions.ml_experiment_runs where game_date = @d group by run_id",
            {"d": DAY},
        ).to_pylist()
    models = len(DEMO_MODEL_IDS)
    assert [(r["models"], r["ok"]) for r in runs] == [(models, models)] * 3
