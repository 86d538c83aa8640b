"""A local Prefect server and process worker for development: `shadowline server start|stop`.

State (the server's SQLite database, logs, process ids) lives under `.prefect/` in the working
directory. The worker runs deployments of the repository's `prefect.yaml` (`make deploy`) in its
own environment, so SHADOWLINE_* settings exported before `server start` reach every run.
Ordinary CLI runs use this server while it runs (their flow runs show in its UI) and Prefect's
quiet temporary server otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STATE_DIR = Path(".prefect")
WORK_POOL = "shadowline-local"  # prefect.yaml's work pool (a test holds them equal)
HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """The local server could not be started, worded for the person who has to fix it."""


@dataclass(frozen=True)
class LocalServer:
    port: int
    server_pid: int
    worker_pid: int | None

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def _state_file(state_dir: Path) -> Path:
    return state_dir / "server.json"


def prefect_env(state_dir: Path, api_url: str) -> dict[str, str]:
    """The environment for the server, the worker and `prefect` commands against them."""
    return {
        **os.environ,
        "PREFECT_HOME": str(state_dir.resolve()),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }


def _prefect() -> str:
    return str(Path(sys.executable).with_name("prefect"))


def healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not running
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def running(state_dir: Path = STATE_DIR) -> LocalServer | None:
    """The local server recorded under `state_dir`, if its process is up and answering."""
    try:
        server = LocalServer(**json.loads(_state_file(state_dir).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if alive(server.server_pid) and healthy(server.api_url, timeout=0.5):
        return server
    return None


def use_running_server(state_dir: Path = STATE_DIR) -> str | None:
    """Point this process's flow runs at the local server, if one runs and no
    PREFECT_API_URL is set; its API URL, or None. Call before Prefect is imported."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    server = running(state_dir)
    if server is None:
        return None
    os.environ["PREFECT_API_URL"] = server.api_url
    return server.api_url


def start(
    port: int, state_dir: Path = STATE_DIR, say: Callable[[str], None] = print
) -> LocalServer:
    """Start the server and a process worker in the background (idempotent)."""
    server = running(state_dir)
    if server is not None:
        say(f"already running: {server.ui_url} (stop it with `shadowline server stop`)")
        return server
    stop(state_dir, say=lambda _: None)  # a half-started earlier attempt
    api_url = f"http://{HOST}:{port}/api"
    if healthy(api_url):
        raise ServerError(
            f"something else already serves {api_url}: stop it, or pick another port "
            "(SHADOWLINE_PREFECT_PORT)"
        )
    state_dir.mkdir(parents=True, exist_ok=True)
    env = prefect_env(state_dir, api_url)
    say(f"starting a Prefect server on {HOST}:{port} (state in {state_dir}/) ...")
    server_pid = _spawn(
        [_prefect(), "server", "start", "--host", HOST, "--port", str(port)],
        env,
        state_dir / "server.log",
    )
    server = LocalServer(port, server_pid, None)
    _state_file(state_dir).write_text(json.dumps(server.__dict__))
    deadline = time.monotonic() + 120
    while not healthy(api_url):
        if not alive(server_pid) or time.monotonic() > deadline:
            stop(state_dir, say=lambda _: None)
            raise ServerError(f"the Prefect server did not start; see {state_dir / 'server.log'}")
        time.sleep(0.5)
    _run([_prefect(), "work-pool", "create", WORK_POOL, "--type", "process", "--overwrite"], env)
    say(f"starting a process worker for work pool {WORK_POOL} ...")
    worker_pid = _spawn(
        # one run at a time: a DuckDB file has one writer
        [
            _prefect(),
            "worker",
            "start",
            "--pool",
            WORK_POOL,
            "--name",
            "shadowline-local",
            "--limit",
            "1",
        ],  # fmt: skip
        env,
        state_dir / "worker.log",
    )
    server = LocalServer(port, server_pid, worker_pid)
    _state_file(state_dir).write_text(json.dumps(server.__dict__))
    return server


def deploy(state_dir: Path = STATE_DIR, say: Callable[[str], None] = print) -> None:
    """Deploy every deployment in ./prefect.yaml to the running local server."""
    server = running(state_dir)
    if server is None:
        raise ServerError("no local Prefect server is running: start one with `make server`")
    if not Path("prefect.yaml").is_file():
        raise ServerError("no prefect.yaml here: run this from the shadowline repository root")
    say(f"deploying prefect.yaml to {server.ui_url} ...")
    output = _run(
        [_prefect(), "--no-prompt", "deploy", "--all"], prefect_env(state_dir, server.api_url)
    )
    names = [line.split("'")[1] for line in output.splitlines() if "Deployment '" in line]
    for name in dict.fromkeys(names):
        say(f"  deployed {name}")


def stop(state_dir: Path = STATE_DIR, say: Callable[[str], None] = print) -> bool:
    """Stop the worker, then the server, by process id; whether anything was running."""
    try:
        recorded = json.loads(_state_file(state_dir).read_text())
    except (OSError, ValueError):
        say("no local Prefect server recorded in .prefect/: nothing to stop")
        return False
    stopped = False
    for name in ("worker_pid", "server_pid"):
        stopped |= terminate(recorded.get(name))
    _state_file(state_dir).unlink(missing_ok=True)
    say("stopped the local Prefect server and worker" if stopped else "nothing was running")
    return stopped


def terminate(pid: int | None, grace: float = 15.0) -> bool:
    """Stop the process group led by `pid`, and the groups of its children (a worker's flow
    runs lead their own): SIGTERM twice (a Prefect worker exits on the second), then SIGKILL."""
    if not alive(pid):
        return False
    assert pid is not None
    groups = [pid, *_children(pid)]
    for attempt in range(2):
        _signal(groups, signal.SIGTERM)
        deadline = time.monotonic() + (1.0 if attempt == 0 else grace)
        while any(map(alive, groups)) and time.monotonic() < deadline:
            for group in groups:
                _reap(group)
            time.sleep(0.1)
    _signal(groups, signal.SIGKILL)  # anything left in the groups
    for group in groups:
        _reap(group)
    return True


def _signal(groups: list[int], signum: int) -> None:
    for group in groups:
        try:
            os.killpg(group, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc; elsewhere none are found)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):  # fields after the name: state, ppid, ...
            found.append(int(stat.parent.name))
    return found


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass  # not our child: its parent reaps it


def _spawn(command: list[str], env: dict[str, str], log: Path) -> int:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one, outlives the CLI
        )
    return process.pid


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise ServerError(f"`prefect {' '.join(command[1:])}` failed: " + " / ".join(detail))
    return result.stdout
