"""Open a model file in a process of its own, so a model library that crashes (a C++ abort on
a corrupt file) takes down that process, not shadowline.

`check_in_subprocess(spec)` runs this module (`python -m shadowline.tasks.models.check`) with
the spec on stdin; the child prints what `load_model` said as JSON on stdout. Framework chatter
on the child's stderr is dropped.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys

from shadowline.tasks.core.errors import first_line
from shadowline.tasks.models.files import ModelError, ModelSpec, load_model

TIMEOUT_SECONDS = 300


def crash_message(spec: ModelSpec, returncode: int) -> str:
    number = -returncode
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "unknown signal"
    return (
        f"the {spec.model_type} library crashed while loading {spec.model_path} (signal {number}, "
        f"{name}): the file is corrupt or was written by an incompatible version; retrain or "
        "replace it"
    )


def check_in_subprocess(spec: ModelSpec) -> None:
    """`load_model(spec)` in a child process: its ModelError, or a ModelError for a crash."""
    done = subprocess.run(
        [sys.executable, "-m", "shadowline.tasks.models.check"],
        input=json.dumps(dataclasses.asdict(spec)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    if done.returncode < 0:
        raise ModelError(crash_message(spec, done.returncode))
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise ModelError(
            f"checking {spec.model_path} failed (exit {done.returncode}): "
            f"{first_line(Exception(done.stderr.strip() or 'no output'))}"
        ) from None
    if answer.get("error"):
        raise ModelError(answer["error"])


def _main() -> int:
    fields = json.loads(sys.stdin.read())
    spec = ModelSpec(**{**fields, "feature_names": tuple(fields.get("feature_names") or ())})
    try:
        load_model(spec)
    except ModelError as error:
        print(json.dumps({"error": str(error)}))
        return 0
    print(json.dumps({"error": None}))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
