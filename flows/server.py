"""A local stack for development: a Prefect server, a process worker and a Ray instance,
started by `shadowline server start` and stopped by `shadowline server stop`.

The server is Prefect's own `prefect server start`, waited for with `prefect server status --wait`
and stopped with `prefect server stop`, with PREFECT_HOME in `.prefect/` (its database, its pid
file, its log). Prefect has no background mode for a worker, so that part is here: `prefect
worker start` in its own process group, its pid in `.prefect/worker.pid`, its log in
`.prefect/worker.log`. The worker
runs deployments of the repository's `prefect.yaml` (`make deploy`) in its own environment, so
SHADOWLINE_* settings exported before `server start` reach every run. Command-line runs use this
server while it runs (their flow runs show in its UI), else Prefect's temporary one.

The Ray instance (tasks/scoring/ray_head.py, pid in `.prefect/ray.pid`, address in
`.prefect/ray.address`) keeps each model's scoring actor loaded between runs: the worker's runs and
command-line runs join it while it is up, so a daily run starts neither Ray nor a model. With
RAY_ADDRESS set before `server start` (a cluster of your own) none is started and the worker's runs
use that cluster.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.core.reaper import outside_watch
from shadowline.tasks.core.settings import RUNTIME_DEFAULTS

STATE_DIR = Path(".prefect")
WORK_POOL = "shadowline-local"  # prefect.yaml's work pool (a test holds them equal)
HOST = "127.0.0.1"
_PORT_FILE = "server.port"  # which port `server start` used, for commands that look it up
_WORKER_PID_FILE = "worker.pid"
_SERVER_PID_FILE = "server.pid"  # where `prefect server stop` looks (Prefect's own name)
_RAY_PID_FILE = "ray.pid"
_RAY_ADDRESS_FILE = "ray.address"


class ServerError(ShadowlineError):
    """The local server could not be started, worded for the person who has to fix it."""


@dataclass(frozen=True)
class LocalServer:
    port: int
    server_pid: int | None
    worker_pid: int | None
    ray_pid: int | None = None
    ray_address: str | None = None  # the stack's Ray instance, while it runs

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def prefect_env(state_dir: Path, api_url: str) -> dict[str, str]:
    """The environment for the server, the worker and `prefect` commands against them."""
    return {
        **RUNTIME_DEFAULTS,
        **outside_watch(os.environ),  # they outlive the command that starts them
        "PREFECT_HOME": str(state_dir.resolve()),
        "PREFECT_API_URL": api_url,
    }


def _executable() -> str:
    return str(Path(sys.executable).with_name("prefect"))


def _prefect(*args: str, env: dict[str, str]) -> str:
    """Run a `prefect` command; its output, or a ServerError with its last lines."""
    command = [_executable(), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise ServerError(f"`prefect {' '.join(args)}` failed: " + " / ".join(detail))
    return done.stdout


def healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def alive(pid: int | None) -> bool:
    """Whether process `pid` runs (an exited process not yet reaped does not)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except ProcessLookupError:
        return False
    except OSError:  # no /proc (not Linux), or not ours to signal: it exists
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def running(state_dir: Path = STATE_DIR) -> LocalServer | None:
    """The local server started from `state_dir`, if it is up and answering."""
    port = _read_int(state_dir / _PORT_FILE)
    if port is None:
        return None
    ray_pid = _read_int(state_dir / _RAY_PID_FILE)
    ray_address = None
    if alive(ray_pid):
        try:
            ray_address = (state_dir / _RAY_ADDRESS_FILE).read_text().strip() or None
        except OSError:
            pass
    server = LocalServer(
        port, _read_int(state_dir / _SERVER_PID_FILE), _read_int(state_dir / _WORKER_PID_FILE),
        ray_pid, ray_address,
    )  # fmt: skip
    return server if healthy(server.api_url, timeout=0.5) else None


def use_running_server(state_dir: Path = STATE_DIR) -> str | None:
    """Point this process's flow runs at the local server and its scoring at the stack's Ray
    (warm actors), if the stack runs and no PREFECT_API_URL is set; its API URL, or None. Call
    before Prefect and the settings are read."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    server = running(state_dir)
    if server is None:
        return None
    os.environ["PREFECT_API_URL"] = server.api_url
    if server.ray_address and not os.environ.get("RAY_ADDRESS"):
        os.environ.update(_ray_env(server.ray_address))
    return server.api_url


def _ray_env(address: str) -> dict[str, str]:
    """What a process needs to score on the stack's Ray, keeping its actors warm."""
    return {"RAY_ADDRESS": address, "RAY_AUTH_MODE": "disabled", "SHADOWLINE_KEEP_ACTORS": "true"}


def start(
    port: int,
    state_dir: Path = STATE_DIR,
    say: Callable[[str], None] = print,
    ray_num_cpus: int | None = None,
) -> LocalServer:
    """Start the server, a Ray instance and a process worker in the background (idempotent)."""
    server = running(state_dir)
    if server is not None:
        say(f"already running: {server.ui_url} (stop it with `shadowline server stop`)")
        return server
    stop(state_dir, say=lambda _: None)  # what a half-started earlier attempt left
    api_url = f"http://{HOST}:{port}/api"
    if healthy(api_url):
        raise ServerError(
            f"something else already serves {api_url}: stop it, or pick another port "
            "(SHADOWLINE_PREFECT_PORT)"
        )
    state_dir.mkdir(parents=True, exist_ok=True)
    env = prefect_env(state_dir, api_url)
    try:
        _start_prefect_server(port, state_dir, env, say)
        ray_address = os.environ.get("RAY_ADDRESS") or None  # a cluster of your own: runs use it
        if ray_address is None:
            ray_address = _start_ray(state_dir, env, ray_num_cpus, say)
            env = {**env, **_ray_env(ray_address)}  # its runs score on the warm actors
    except ServerError:
        stop(state_dir, say=lambda _: None)
        raise
    worker_pid = _start_worker(state_dir, env, say)
    ray_pid = _read_int(state_dir / _RAY_PID_FILE)
    ray_pid = ray_pid if alive(ray_pid) else None  # none when runs use RAY_ADDRESS's cluster
    return LocalServer(
        port, _read_int(state_dir / _SERVER_PID_FILE), worker_pid, ray_pid,
        ray_address if ray_pid else None,
    )  # fmt: skip


def _start_prefect_server(
    port: int, state_dir: Path, env: dict[str, str], say: Callable[[str], None]
) -> None:
    """Start the Prefect server in the background and create the work pool once it answers."""
    say(f"starting a Prefect server on {HOST}:{port} (state in {state_dir}/) ...")
    # Not `prefect server start --background`: that sends the server's output to a pipe nobody
    # reads once the command returns, so there is no log when something goes wrong. The same
    # server, its output in .prefect/server.log; its pid where `--background` writes it, so that
    # Prefect's own `prefect server stop` stops it.
    with (state_dir / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [_executable(), "server", "start", "--host", HOST, "--port", str(port)],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this command
        )  # fmt: skip
    (state_dir / _SERVER_PID_FILE).write_text(str(process.pid))
    (state_dir / _PORT_FILE).write_text(str(port))
    _prefect("server", "status", "--wait", "--timeout", "120", env=env)
    _prefect("work-pool", "create", WORK_POOL, "--type", "process", "--overwrite", env=env)


def _start_worker(state_dir: Path, env: dict[str, str], say: Callable[[str], None]) -> int:
    """Start the process worker in the background; its pid."""
    say(f"starting a process worker for work pool {WORK_POOL} ...")
    with (state_dir / "worker.log").open("ab") as log:
        worker = subprocess.Popen(
            # one run at a time: a DuckDB file has one writer
            [_executable(), "worker", "start",
             "--pool", WORK_POOL, "--name", "shadowline-local", "--limit", "1"],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: it outlives this command
        )  # fmt: skip
    (state_dir / _WORKER_PID_FILE).write_text(str(worker.pid))
    return worker.pid


def _start_ray(
    state_dir: Path, env: dict[str, str], num_cpus: int | None, say: Callable[[str], None]
) -> str:
    """Start the stack's Ray instance; its address once other processes can join it."""
    say("starting a Ray instance for warm scoring actors ...")
    address_file = state_dir / _RAY_ADDRESS_FILE
    address_file.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "shadowline.tasks.scoring.ray_head",
        str(address_file.resolve()),
    ]
    with (state_dir / "ray.log").open("ab") as log:
        head = subprocess.Popen(
            [*command, str(num_cpus or "")],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this command
        )  # fmt: skip
    (state_dir / _RAY_PID_FILE).write_text(str(head.pid))
    deadline = time.monotonic() + 120
    while not address_file.is_file():
        if head.poll() is not None or time.monotonic() > deadline:
            tail = (state_dir / "ray.log").read_text(errors="replace").strip().splitlines()[-3:]
            raise ServerError("Ray did not start: " + " / ".join(tail or ["no output"]))
        time.sleep(0.2)
    return address_file.read_text().strip()


def deploy(state_dir: Path = STATE_DIR, say: Callable[[str], None] = print) -> None:
    """Deploy every deployment in ./prefect.yaml to the running local server."""
    server = running(state_dir)
    if server is None:
        raise ServerError("no local Prefect server is running: start one with `make server`")
    if not Path("prefect.yaml").is_file():
        raise ServerError("no prefect.yaml here: run this from the shadowline repository root")
    say(f"deploying prefect.yaml to {server.ui_url} ...")
    # prefect.yaml's pull step records "{{ $PWD }}": this checkout, whatever the shell's PWD says
    env = {**prefect_env(state_dir, server.api_url), "PWD": str(Path.cwd())}
    output = _prefect("--no-prompt", "deploy", "--all", env=env)
    names = [line.split("'")[1] for line in output.splitlines() if "Deployment '" in line]
    for name in dict.fromkeys(names):
        say(f"  deployed {name}")


def stop(state_dir: Path = STATE_DIR, say: Callable[[str], None] = print) -> bool:
    """Stop the worker, then the server; whether anything was running."""
    port = _read_int(state_dir / _PORT_FILE)
    if port is None:
        say("no local Prefect server recorded in .prefect/: nothing to stop")
        return False
    worker_pid = _read_int(state_dir / _WORKER_PID_FILE)
    server_pid = _read_int(state_dir / _SERVER_PID_FILE)
    stopped = _stop_worker(worker_pid)
    stopped |= _stop_ray(_read_int(state_dir / _RAY_PID_FILE))
    if server_pid is not None:
        _prefect("server", "stop", env=prefect_env(state_dir, f"http://{HOST}:{port}/api"))
        stopped |= _wait_for_exit(server_pid, 15.0)
    for name in (_PORT_FILE, _WORKER_PID_FILE, _RAY_PID_FILE, _RAY_ADDRESS_FILE):
        (state_dir / name).unlink(missing_ok=True)
    say("stopped the local Prefect server, worker and Ray" if stopped else "nothing was running")
    return stopped


def _stop_worker(pid: int | None, grace: float = 30.0) -> bool:
    """Stop the worker's process group. A Prefect worker's first SIGTERM is a graceful stop (no
    new runs; a run in flight finishes, up to `grace` seconds); what is left is then killed."""
    if not alive(pid):
        return False
    assert pid is not None
    os.killpg(pid, signal.SIGTERM)
    if not _wait_for_exit(pid, grace):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _wait_for_exit(pid, 5.0)
    return True


def _stop_ray(pid: int | None, grace: float = 30.0) -> bool:
    """Stop the stack's Ray: SIGTERM shuts it down (its actors with it); its watcher stops
    whatever a SIGKILL, the last resort, leaves."""
    if not alive(pid):
        return False
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    if not _wait_for_exit(pid, grace):
        os.kill(pid, signal.SIGKILL)
        _wait_for_exit(pid, 5.0)
    return True


def _wait_for_exit(pid: int, timeout: float) -> bool:
    """Wait until process `pid` is gone (reaping it if it is our child); whether it is."""
    deadline = time.monotonic() + timeout
    while alive(pid):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass  # not our child: its parent reaps it
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class TemporaryServer:
    """Prefect's temporary API server for one command, started as the command starts.

    What Prefect itself does when no API is set (the same uvicorn app, no UI, Prefect's
    ephemeral flags), minus the wait: Prefect would start it at the first flow run and import
    the whole server package into this process to do so (~3 s); started here, it boots in its
    own process while this one imports the flows and starts Ray. `ready()` waits for it before
    the first flow run; `stop()` ends it. The command's watcher (tasks/core/reaper.py) ends it too
    if the command is killed."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.api_url = f"http://{HOST}:{self.port}/api"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", _prefect_dir(), "--factory",
             "prefect.server.api.server:create_app", "--host", HOST, "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                 "PREFECT__SERVER_FINAL": "1",
                 # block types are registered by servers that keep blocks, not by this one
                 "PREFECT_API_BLOCKS_REGISTER_ON_START": "false"},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def ready(self, timeout: float = 120.0) -> str:
        """The API URL once the server answers; a ServerError if it cannot start."""
        deadline = time.monotonic() + timeout
        while not healthy(self.api_url, timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                detail = (self.process.stderr.read() if self.process.stderr else b"").decode()
                self.stop()
                lines = detail.strip().splitlines()[-3:] or ["no output"]
                raise ServerError("Prefect's temporary server did not start: " + " / ".join(lines))
            time.sleep(0.05)
        return self.api_url

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _prefect_dir() -> str:
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None
    return str(Path(spec.origin).parent.parent)
