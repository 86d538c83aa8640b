"""Nothing a shadowline command starts outlives it, even when the command is killed with SIGKILL.

A command starts children it cannot always stop itself: Prefect's temporary API server (uvicorn),
Ray's head node and its agents, model-check processes. A clean exit stops them; a `kill -9`
gives no chance to, and Ray's agents and the server then run on for good, reparented to init.

`watch_children()` starts a small watcher, in a session of its own, holding the read end of a
pipe whose write end only this process has. While this process lives the watcher notes its
descendants once a second; when the pipe closes (this process ended, however it ended) it stops
every process it noted that still runs, their children, and any process whose environment
carries this process's token (what was started in the last second): SIGTERM, then SIGKILL after a
few seconds. Two ways because neither is enough alone: a process renamed with setproctitle (Ray's
workers) can lose its environment block, and an orphan's parent is no longer ours.

The local server and worker of `shadowline server start` are meant to outlive that command: the
`server` commands do not call `watch_children()`, and `outside_watch(env)` keeps the token of a
caller that did off them.
"""

from __future__ import annotations

import os
import secrets
import select
import subprocess
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

ENV = "SHADOWLINE_PROCESS_TREE"
GRACE_SECONDS = 5.0
LOOK_EVERY_SECONDS = 1.0

_watching_pid: int | None = None  # the process whose children are watched (forks start over)
_watcher: subprocess.Popen[bytes] | None = None  # held: collecting it would close the pipe


def watch_children() -> None:
    """Have this process's children stopped when it ends (idempotent per process)."""
    global _watching_pid, _watcher
    if _watching_pid == os.getpid():
        return
    token = f"{os.getpid()}-{secrets.token_hex(8)}"
    os.environ[ENV] = token
    _watcher = subprocess.Popen(
        [sys.executable, "-m", "shadowline.tasks.core.reaper", str(os.getpid()), token],
        stdin=subprocess.PIPE,  # the write end stays here; its close is the signal
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=outside_watch(os.environ),
        start_new_session=True,  # a Ctrl-C or a killed process group leaves it to do its job
    )
    _watching_pid = os.getpid()


def outside_watch(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without the token: for a process meant to outlive this command."""
    return {name: value for name, value in env.items() if name != ENV}


def _carries(process: psutil.Process, token: str) -> bool:
    # Linux: read the block itself. Ray's workers rename themselves (setproctitle), which zeroes
    # the start of their environment block; psutil's parser stops at the first empty entry.
    try:
        with open(f"/proc/{process.pid}/environ", "rb") as block:
            return f"{ENV}={token}".encode() in block.read().split(b"\0")
    except FileNotFoundError:  # no /proc (macOS): psutil asks the kernel
        return process.environ().get(ENV) == token


def _descendants(processes: Iterable[psutil.Process]) -> dict[int, psutil.Process]:
    import psutil

    found: dict[int, psutil.Process] = {}
    for process in processes:
        try:
            if process.is_running():  # same pid *and* start time: not a reused pid
                found[process.pid] = process
                found |= {child.pid: child for child in process.children(recursive=True)}
        except psutil.Error:
            continue
    return found


def sweep(
    token: str, noted: Iterable[psutil.Process] = (), grace: float = GRACE_SECONDS
) -> set[int]:
    """Stop the noted processes still running, their descendants, and every process carrying
    `token` (other than this one); the pids stopped."""
    import psutil

    me = os.getpid()
    stopped: set[int] = set()
    noted = list(noted)
    for _ in range(3):  # a process being stopped may just have started another
        marked = _descendants(noted)
        for process in psutil.process_iter():
            try:
                if process.pid not in marked and _carries(process, token):
                    marked |= _descendants([process])
            except (psutil.Error, OSError):  # gone, a zombie, or another user's
                continue
        marked.pop(me, None)
        if not marked:
            break
        stopped |= set(marked)
        for process in marked.values():
            try:
                process.terminate()
            except psutil.Error:
                pass
        _, alive = psutil.wait_procs(list(marked.values()), timeout=grace)
        for process in alive:
            try:
                process.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(alive, timeout=grace)
        noted = []
    return stopped


def _main(owner_pid: int, token: str) -> int:
    import psutil

    noted: dict[int, psutil.Process] = {}
    try:
        owner = psutil.Process(owner_pid)
    except psutil.Error:
        owner = None
    while True:
        ready, _, _ = select.select([sys.stdin.buffer], [], [], LOOK_EVERY_SECONDS)
        if ready and not os.read(sys.stdin.fileno(), 65536):  # nothing is written: EOF = ended
            break
        if owner is not None:
            try:
                now = owner.children(recursive=True)
            except psutil.Error:
                break
            noted = {pid: p for pid, p in noted.items() if p.is_running()}
            noted |= {p.pid: p for p in now}
    sweep(token, noted.values())
    return 0


if __name__ == "__main__":
    sys.exit(_main(int(sys.argv[1]), sys.argv[2]))
