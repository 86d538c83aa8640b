"""The Ray that scoring runs on: the cluster at RAY_ADDRESS, else a private local instance; which
session it is; and its worker notices kept off the terminal."""

from __future__ import annotations

import logging
import os
from typing import Any

from shadowline.tasks.core.reaper import watch_children


def start_ray(num_cpus: int | None = None) -> bool:
    """Join the cluster at RAY_ADDRESS, else start a private local instance with `num_cpus`
    CPUs (default: all), unless this process already runs Ray; whether it called `ray.init`
    (and so should call `ray.shutdown`)."""
    import ray

    if ray.is_initialized():
        return False
    address = os.environ.get("RAY_ADDRESS") or None
    if not address:  # a private local instance needs no token; a cluster keeps its own
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        watch_children()  # its head and agents end with this process, even on SIGKILL
    ray.init(
        # "local": never join a cluster some earlier `ray start` left in /tmp/ray
        address=address or "local",
        num_cpus=None if address else num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    return True


def ray_session() -> str:
    import ray

    # Job ids restart at 01000000 in every new local cluster; the driver's node id does not.
    context = ray.get_runtime_context()
    return f"{context.get_job_id()}@{context.get_node_id()}"


def quiet_worker_errors() -> None:
    """Keep Ray's "(raylet) A worker died or was killed ..." notices off the terminal: the run
    log already says which model's library crashed and why. Ray has no switch for them (the
    driver's error listener prints every error the cluster publishes, with log_to_driver off
    too), so its printer is pointed at a logger; the notices stay in DEBUG logs."""
    import ray._private.worker as ray_worker

    def to_log(data: dict[str, Any], **_: object) -> None:
        for line in data.get("lines", []):
            logging.getLogger("shadowline.ray").debug("%s: %s", data.get("pid"), line)

    if hasattr(ray_worker, "print_to_stdstream"):
        ray_worker.print_to_stdstream = to_log
