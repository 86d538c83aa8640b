"""The `shadowline` command line: typed commands over the flows and tasks; nothing imports it.

Errors a person can fix print one line, `shadowline: error: ...`, and exit 1; usage errors exit
2. Heavy modules (Prefect, Ray, the model frameworks) are imported by the commands that use them,
so `--help` and the table commands start fast.

One module per command group (`runs`, `registry`, `results`, `data`, `server`), each adding its
commands to the one `app` (`app.py`: the shared argument types and session); `launch.py` starts
a command with its session and ends it (errors, exit codes, the executable's fast exit). It may
import the flows and the tasks.
"""

from __future__ import annotations

# Each group module adds its commands to `app` as it is imported.
from shadowline.flows.cli import data, registry, results, runs, server  # noqa: F401
from shadowline.flows.cli.launch import console, main

__all__ = ["console", "main"]
