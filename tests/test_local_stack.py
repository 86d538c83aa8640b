"""`shadowline server start` (what `make server` runs): its Ray instance keeps the scoring actors,
with the models they loaded, from one command-line run to the next, and `server stop` ends it
all."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from shadowline.flows import server
from shadowline.tasks.warehouse import open_warehouse
from tests.samples import DEMO_MODEL_IDS

DAY = date(2026, 3, 4)
SHADOWLINE = str(Path(sys.executable).with_name("shadowline"))

# Asks the stack's Ray what each kept scoring actor is: its process, models held and loads done.
ACTORS = """
import json, sys, ray
from shadowline.tasks.scoring.pool import ACTOR_NAMESPACE
ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
about = {}
for a in ray.util.list_named_actors(all_namespaces=True):
    if a["namespace"] == ACTOR_NAMESPACE:
        actor = ray.get_actor(a["name"], namespace=ACTOR_NAMESPACE)
        about[a["name"]] = ray.get(actor.about.remote())
print(json.dumps(about))
"""


def _all_exit(pids: list[int], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while any(server.alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_the_stack_keeps_the_actors_and_their_loaded_models_between_runs(
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

        def actors() -> dict[str, dict[str, int]]:
            done = subprocess.run(
                [sys.executable, "-c", ACTORS, local.ray_address], env=env,
                capture_output=True, text=True, timeout=120, check=True,
            )  # fmt: skip
            return json.loads(done.stdout.strip().splitlines()[-1])

        first = shadowline("--warehouse", url, "run", "--date", str(DAY))
        assert first.returncode == 0, first.stderr
        loaded = actors()
        second = shadowline("--warehouse", url, "run", "--date", str(DAY))
        assert second.returncode == 0, second.stderr
        # the same processes, one per core, holding every model, none loaded again
        assert len(loaded) == 2 and actors() == loaded
        assert sum(a["models"] for a in loaded.values()) == len(DEMO_MODEL_IDS)
        assert sum(a["loads"] for a in loaded.values()) == len(DEMO_MODEL_IDS)

        # other settings (a larger memory budget) need other actors: they replace the kept
        # ones, which nothing would reach again, instead of piling up beside them
        env["SHADOWLINE_SCORING_MEMORY_MIB"] = "2048"
        third = shadowline("--warehouse", url, "run", "--date", str(DAY))
        assert third.returncode == 0, third.stderr
        replaced = actors()
        assert len(replaced) == 2 and not set(replaced) & set(loaded), (replaced, loaded)
        assert _all_exit([a["pid"] for a in loaded.values()])  # ray.kill returns before they do
        loaded |= replaced
    finally:
        stopped = shadowline("server", "stop")
    assert stopped.returncode == 0 and "Ray" in stopped.stdout
    assert not server.alive(local.ray_pid)
    assert not any(server.alive(a["pid"]) for a in loaded.values())
    with open_warehouse(url) as warehouse:
        runs = warehouse.query(
            "select run_id, count(*) as models, countif(status = 'success') as ok "
            "from nba_predictions.ml_experiment_runs where game_date = @d group by run_id",
            {"d": DAY},
        ).to_pylist()
    models = len(DEMO_MODEL_IDS)
    assert [(r["models"], r["ok"]) for r in runs] == [(models, models)] * 4
