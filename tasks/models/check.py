"""Open a model file in a process of its own, so a model library that crashes (a C++ abort on
a corrupt file) takes down that process, not shadowline.

`check_in_subprocess(spec)` runs this module (`python -m shadowline.tasks.models.check`) with
the spec on stdin; the child writes what `load_model` said as JSON on stdout, and everything the
model libraries print (to stdout or stderr, from C++ as well as Python) goes to its stderr, which
is dropped. A corrupt file's bytes may be in that chatter: it is read as bytes and decoded with
replacement, never as strict UTF-8.
"""

from __future__ import annotations

import dataclasses
import json
import os
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
    try:
        done = subprocess.run(
            [sys.executable, "-m", "shadowline.tasks.models.check"],
            input=json.dumps(dataclasses.asdict(spec)).encode(),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:  # a damaged file can send a library into a long loop
        raise ModelError(
            f"the {spec.model_type} library did not finish loading {spec.model_path} in "
            f"{TIMEOUT_SECONDS} s: the file is corrupt or far larger than a model; replace it"
        ) from None
    if done.returncode < 0:
        raise ModelError(crash_message(spec, done.returncode))
    stdout = done.stdout.decode(errors="replace")
    try:
        answer = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        said = done.stderr.decode(errors="replace").strip() or "no output"
        raise ModelError(
            f"checking {spec.model_path} failed (exit {done.returncode}): "
            f"{first_line(Exception(said))}"
        ) from None
    if answer.get("error"):
        raise ModelError(answer["error"])


def _main() -> int:
    # The answer keeps the real stdout to itself; the libraries' prints (C++ ones too) go to fd 2.
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    fields = json.loads(sys.stdin.read())
    spec = ModelSpec(**{**fields, "feature_names": tuple(fields.get("feature_names") or ())})
    try:
        load_model(spec)
    except ModelError as error:
        said: str | None = str(error)
    else:
        said = None
    print(json.dumps({"error": said}), file=answer, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
