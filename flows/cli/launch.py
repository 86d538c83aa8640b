"""Launching a command and ending it: the session it is given (settings, warehouse, Prefect's
temporary server for the commands that run flows), the flow runs' Ray and scoring actors, the
one handler that turns errors into one line and an exit code, and the executable's fast exit."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import cyclopts
from cyclopts import Parameter

from shadowline.flows.cli.app import Session, app
from shadowline.tasks.core.errors import ShadowlineError, UsageError
from shadowline.tasks.core.reaper import watch_children
from shadowline.tasks.core.settings import apply_runtime_defaults, read_settings
from shadowline.tasks.warehouse import open_warehouse

# Commands that run Prefect flows (and so need an API: the local server's, else a temporary one).
FLOW_COMMANDS = {"run", "backfill", "grade", "demo"}


@contextmanager
def flow_runs(
    session: Session, *, scoring: bool, models: Sequence[str] | None = None
) -> Iterator[None]:
    """Around a command's flow runs. A scoring command starts Ray and the actors of the models
    it will score (`models`, else the enabled ones) while Prefect's temporary server boots, if
    the command has one, and lends them to its runs; then the server is ready. Command-line
    runs send no flow-run heartbeats (Prefect's crash detection for runs nobody watches: a
    terminal sees its own crash; deployment runs keep them), so a run ends without waiting a
    heartbeat out."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from shadowline.tasks.resources import lend

    pool, started_ray = None, False
    if scoring:
        from shadowline.tasks.scoring.cluster import start_ray
        from shadowline.tasks.scoring.pool import ScorerPool

        started_ray = start_ray(session.settings.ray_num_cpus)
        pool = ScorerPool.from_settings(session.settings)
        _warm(pool, session, models)
    server = session.temporary_server
    try:
        if server is not None:
            server.ready()
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), lend(scorers=pool):
            yield
    finally:
        if server is not None:
            from prefect.events.worker import EventsWorker
            from prefect.logging.handlers import APILogWorker

            # what Prefect sends at exit goes now, while its server still listens
            APILogWorker.drain_all(timeout=10)
            EventsWorker.drain_all(timeout=10)
        if _exit.fast and (started_ray or server is not None):
            _exit.handed_off = True  # the command's watcher stops them as it exits
        else:
            if server is not None:
                server.process.terminate()  # it stops while Ray does
            _stop_scoring(pool, started_ray)
            if server is not None:
                server.stop()


def _stop_scoring(pool: Any, started_ray: bool) -> None:
    if pool is not None:
        pool.close()
    if started_ray:
        import ray

        ray.shutdown()


def _warm(pool: Any, session: Session, models: Sequence[str] | None) -> None:
    """Start the models' actors now, if the registry can be read now; else the run starts them
    when it scores (and reports whatever kept the registry from being read)."""
    from shadowline.tasks.registry.entries import read_models

    try:
        with open_warehouse(session.warehouse) as warehouse:
            registered = read_models(warehouse, list(models or []))
    except ShadowlineError:
        return
    pool.warm([m.spec for m in registered if not m.duplicate_error])


@app.meta.default
def _launch(
    *tokens: Annotated[str, Parameter(show=False, allow_leading_hyphen=True)],
    warehouse: Annotated[
        str | None,
        Parameter(
            help="warehouse URL (default: SHADOWLINE_WAREHOUSE or "
            "duckdb:///.shadowline/warehouse.duckdb in the working directory)"
        ),
    ] = None,
) -> int:
    command, bound, ignored = app.parse_args(tokens)
    if "session" in ignored:
        temporary = None
        if not (tokens and tokens[0] == "server"):
            from shadowline.flows.server import TemporaryServer, use_running_server

            use_running_server()  # flow runs then show in the local server's UI, score on its Ray
            watch_children()  # Prefect's temporary server and Ray's agents end with this command
            if tokens[0] in FLOW_COMMANDS and not os.environ.get("PREFECT_API_URL"):
                temporary = TemporaryServer()  # boots while this process gets ready
                os.environ["PREFECT_API_URL"] = temporary.api_url
        settings = read_settings()
        bound.arguments["session"] = Session(settings, warehouse or settings.warehouse, temporary)
    result = command(*bound.args, **bound.kwargs)
    return 0 if result is None else int(result)


class _exit:  # noqa: N801 (a namespace for two flags)
    fast = False  # set by `console()`: this process is the `shadowline` executable
    handed_off = False  # Ray or Prefect's temporary server are left to the watcher


def console() -> None:
    """The `shadowline` executable. It ends as an orderly exit would (other threads joined,
    atexit functions run: logging, Prefect's queues) but skips the interpreter's teardown of
    the thousand-odd modules Prefect and the libraries import, ~0.5 s that no command needs.
    A command that started a Ray or Prefect's temporary server of its own leaves them to its
    watcher (tasks/core/reaper.py), which stops them as the process ends, rather than waiting about
    two seconds for their orderly shutdown (Ray's atexit function); everything Prefect holds is
    sent before that."""
    _exit.fast = True
    code = main() or 0  # None: cyclopts printed --help
    if not _exit.handed_off:
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()  # what Python runs at exit, before the teardown skipped here
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that left (`| head`), a closed stream
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """`shadowline ...`: the exit code (0 ok, 1 an error with its fix, 2 a usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # The CLI prints its own one-line errors; Prefect's console would repeat each with a traceback
    # (flow logs still reach the Prefect API).
    apply_runtime_defaults(console_level="CRITICAL")
    if not argv:
        app.help_print([])
        return 2
    try:
        return app.meta(argv)
    except (cyclopts.CycloptsError, UsageError) as error:
        reason = " ".join(str(error).split())
        print(f"shadowline: error: {reason} (see shadowline --help)", file=sys.stderr)
        return 2
    except ShadowlineError as error:
        print(f"shadowline: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shadowline: interrupted", file=sys.stderr)
        return 130
