"""The local stack's Ray instance: started by `shadowline server start`, stopped by `server stop`.

Scoring actors on it outlive single runs (SHADOWLINE_KEEP_ACTORS, which the stack turns on for
its worker and for command-line runs while it is up), so a scheduled or command-line run pays
neither Ray's start nor a model load. It is a plain `ray.init()` in a process of its own that
writes the address other processes join to a file, then waits; SIGTERM shuts Ray down, and the
process watches its children (tasks/core/reaper.py), so a SIGKILL leaves nothing behind either.

    python -m shadowline.tasks.scoring.ray_head ADDRESS_FILE [NUM_CPUS]
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path

from shadowline.tasks.core.reaper import watch_children
from shadowline.tasks.core.settings import apply_runtime_defaults


def serve(address_file: Path, num_cpus: int | None) -> None:
    import ray

    apply_runtime_defaults()
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # on this machine only, as a private one
    watch_children()
    stop = threading.Event()
    for name in (signal.SIGTERM, signal.SIGINT):
        signal.signal(name, lambda *_: stop.set())
    ray.init(
        address="local",
        num_cpus=num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    written = address_file.with_suffix(".tmp")
    written.write_text(ray.get_runtime_context().gcs_address)
    os.replace(written, address_file)
    try:
        stop.wait()
    finally:
        address_file.unlink(missing_ok=True)
        ray.shutdown()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None)
