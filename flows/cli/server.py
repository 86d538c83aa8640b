"""Commands of the local stack: `server start`, `stop`, `status` and `deploy`."""

from __future__ import annotations

from cyclopts import App

from shadowline.flows.cli.app import Given, app, say

server_app = app.command(
    App(
        name="server",
        help="a local Prefect server, process worker and Ray instance for development "
        "(state in .prefect/)",
    )
)


@server_app.command(name="start")
def server_start(*, session: Given) -> int:
    """start a Prefect server, a process worker and a Ray instance (warm scoring actors) in the
    background"""
    from shadowline.flows import server

    local = server.start(
        session.settings.prefect_port, say=say, ray_num_cpus=session.settings.ray_num_cpus
    )
    say(f"Prefect UI: {local.ui_url}  (logs in .prefect/server.log, .prefect/worker.log)")
    say("next: `make deploy`, then trigger a run from the UI or with")
    say("  .venv/bin/prefect deployment run experiment/experiment-daily --param game_date=...")
    say("      (with PREFECT_API_URL=" + local.api_url + ")")
    say("stop both with `make stop`")
    return 0


@server_app.command(name="stop")
def server_stop(*, session: Given) -> int:
    """stop the worker, the Ray instance and the server"""
    from shadowline.flows import server

    server.stop(say=say)
    return 0


@server_app.command(name="status")
def server_status(*, session: Given) -> int:
    """whether the local server and its worker run"""
    from shadowline.flows import server

    local = server.running()
    if local is None:
        say("no local Prefect server is running (start one with `make server`)")
        return 1
    worker = "running" if server.alive(local.worker_pid) else "not running"
    ray = f"Ray at {local.ray_address}" if local.ray_address else "Ray not running"
    say(f"Prefect server at {local.ui_url} (pid {local.server_pid}); worker {worker}; {ray}")
    return 0


@server_app.command(name="deploy")
def server_deploy(*, session: Given) -> int:
    """deploy this repository's prefect.yaml to the local server"""
    from shadowline.flows import server

    server.deploy(say=say)
    return 0
