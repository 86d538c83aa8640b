"""The services the tests start themselves on loopback: wire-protocol peers for Google services
(BigQuery, Cloud Storage), and the helpers to start, wait for and stop any of them.

The emulators live in their own virtual environment (`.venv-emulators`, created on first use)
because bqemulator pins a DuckDB and sqlglot that clash with the project's.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-emulators"
# What the emulators need; tests/emulators-requirements.txt pins them and everything they pull
# in (`make lock` refreshes it from this list).
REQUIREMENTS = Path(__file__).with_name("emulators-requirements.txt")
PACKAGES = [
    "bqemulator==1.4.0",
    "duckdb==1.5.5",
    "duckdb-extension-spatial==1.5.5",
    "numpy",
    "google-cloud-bigquery",
    "gcp-storage-emulator",
]
# bqemulator loads DuckDB's spatial extension, which DuckDB would download; install the copy
# that the PyPI package ships instead (no network here).
_INSTALL_SPATIAL = """
import os, duckdb, duckdb_extension_spatial as d
con = duckdb.connect()
installed = con.execute(
    "select installed from duckdb_extensions() where extension_name = 'spatial'"
).fetchone()
if not (installed and installed[0]):
    folder = os.path.join(os.path.dirname(d.__file__), "extensions", "v1.5.5")
    con.execute(f"INSTALL '{os.path.join(folder, 'spatial.duckdb_extension')}'")
"""


class EmulatorError(RuntimeError):
    pass


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise EmulatorError(f"{what} failed:\n{tail}")


def ensure_installed() -> Path:
    """The emulators' virtual environment, created and filled (at the pinned versions) if
    missing or pinned differently; one process at a time installs, the others wait for it.
    Standard library only: `make test` runs it with the system Python, beside the main install."""
    stamp = VENV / ".installed"
    python = VENV / "bin" / "python"
    pinned = REQUIREMENTS.read_text()
    with (ROOT / ".venv-emulators.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != pinned:
            if not python.exists():
                _run([sys.executable, "-m", "venv", str(VENV)], "creating .venv-emulators")
            _run(
                # no .pyc now: the two emulators compile what they import when they start
                [str(python), "-m", "pip", "install", "-q", "--no-compile", "-r",
                 str(REQUIREMENTS)],
                "installing emulators",
            )  # fmt: skip
            stamp.write_text(pinned)
        _run([str(python), "-c", _INSTALL_SPATIAL], "installing DuckDB's spatial extension")
    return VENV / "bin"


def install_in_background() -> subprocess.Popen | None:
    """Start `ensure_installed()` in another process when the venv is missing or outdated (the
    first test run of a clone): it overlaps the tests that need no emulator, and the first one
    that does waits for it (the lock)."""
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == REQUIREMENTS.read_text():
        return None
    return subprocess.Popen(
        [sys.executable, "-c", "from tests.emulators import ensure_installed; ensure_installed()"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `args` in the background, its output in `log`."""
    with log.open("w") as output:
        return subprocess.Popen(
            args, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env or os.environ,
        )  # fmt: skip


def wait_until_answers(process: subprocess.Popen, url: str, log: Path, timeout: float) -> None:
    """Wait until `url` answers over HTTP (any status), or raise with the process's log."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise EmulatorError(f"{process.args[0]} exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (404 on its root is fine)
        except OSError:
            if time.monotonic() > deadline:
                raise EmulatorError(
                    f"{process.args[0]} did not answer at {url} in {timeout:.0f}s"
                ) from None
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """Stop a process started here, by its pid: politely, then for good."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running(args: list[str], url: str, log: Path, timeout: float = 60) -> Iterator[None]:
    """Start `args`, wait until `url` answers over HTTP, and stop the process by its pid."""
    process = start(args, log)
    try:
        wait_until_answers(process, url, log, timeout)
        yield
    finally:
        stop(process)


@contextmanager
def bigquery_emulator(workdir: Path) -> Iterator[str]:
    """bqemulator (BigQuery's REST API over an in-memory DuckDB); yields its endpoint URL."""
    bin_dir = ensure_installed()
    rest, grpc = free_port(), free_port()
    args = [str(bin_dir / "bqemulator"), "start", "--rest-host", "127.0.0.1",
            "--rest-port", str(rest), "--grpc-host", "127.0.0.1", "--grpc-port", str(grpc),
            "--project", "shadowline-test", "--log-level", "warning"]  # fmt: skip
    endpoint = f"http://127.0.0.1:{rest}"
    with running(args, endpoint + "/", workdir / "bqemulator.log"):
        yield endpoint


@contextmanager
def storage_emulator(workdir: Path) -> Iterator[str]:
    """gcp-storage-emulator (Cloud Storage's JSON API, in memory); yields its endpoint URL."""
    bin_dir = ensure_installed()
    port = free_port()
    args = [str(bin_dir / "gcp-storage-emulator"), "start", "--host=127.0.0.1",
            f"--port={port}", "--in-memory"]  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    with running(args, endpoint + "/", workdir / "gcs-emulator.log"):
        yield endpoint
