"""Parallel scoring: one Ray actor per model, holding its loaded model, Arrow in and Arrow out."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from tasks.features import FeatureSetError, project
from tasks.models import ModelError, ModelSpec, feature_matrix, load_model, local_model_file


@dataclass(frozen=True)
class ScoreResult:
    """One model's answer for one batch: predictions, or the reason there are none."""

    model_id: str
    predictions: pa.Table | None  # player_lookup, predicted_points
    error: str | None
    seconds: float
    host: str = ""
    pid: int = 0
    ray_node_id: str | None = None


class ModelScorer:
    """Holds one loaded model and scores feature batches; a plain class, so it runs without Ray."""

    def __init__(self, spec: ModelSpec, min_points: float = 0.0, max_points: float = 70.0) -> None:
        self.spec = spec
        self.bounds = (min_points, max_points)
        started = time.perf_counter()
        try:
            self.model = load_model(spec)
            self.error: str | None = None
        except ModelError as error:
            self.model, self.error = None, str(error)
        self.load_seconds = time.perf_counter() - started

    def score(self, batch: pa.Table) -> ScoreResult:
        started = time.perf_counter()
        predictions, error = None, self.error
        if self.model is not None:
            try:
                values = self.model.predict(feature_matrix(batch, self.model.feature_names))
                bad = int((~np.isfinite(values)).sum())
                if len(values) != batch.num_rows:
                    error = (
                        f"the model returned {len(values)} predictions for {batch.num_rows} rows"
                    )
                elif bad:
                    error = f"the model returned {bad} non-finite predictions (NaN or infinite)"
                else:
                    predictions = pa.table(
                        {
                            "player_lookup": batch["player_lookup"],
                            "predicted_points": np.clip(values, *self.bounds),
                        }
                    )
            except Exception as failure:  # a framework's own error while predicting
                reason = (str(failure).strip().splitlines() or [type(failure).__name__])[0]
                error = f"prediction failed: {reason[:200]}"
        seconds = self.load_seconds + time.perf_counter() - started
        self.load_seconds = 0.0  # counted once, on the first batch
        return ScoreResult(
            self.spec.model_id, predictions, error, seconds, socket.gethostname(), os.getpid(),
            _ray_node_id(),
        )  # fmt: skip


def stop_ray() -> None:
    """Stop the pooled actors and the Ray connection, if this process started them."""
    import ray

    if _started and ray.is_initialized():
        release_actors()
        ray.shutdown()
    _started.clear()


def _ray_node_id() -> str | None:
    """The Ray node this process runs on, when it runs in Ray."""
    import ray

    return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None


_started: list[bool] = []  # whether this process started (and so should stop) Ray


def ensure_ray(num_cpus: int | None = None) -> None:
    """Join the cluster at RAY_ADDRESS, or start a quiet local Ray, unless Ray is already up."""
    import ray

    if ray.is_initialized():
        return
    _started[:] = [True]
    address = os.environ.get("RAY_ADDRESS") or None
    if not address:  # a private local instance needs no token; a cluster keeps its own auth
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(
        # "local": never join a cluster some earlier `ray start` left recorded in /tmp/ray
        address=address or "local",
        num_cpus=None if address else num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )


# Actors live for the process (a backfill or the demo scores many dates with the same models),
# keyed by the model and its file's identity: a changed file gets a fresh actor.
_pool: dict[tuple[object, ...], Any] = {}  # ActorHandle[ModelScorer]
_pool_session: list[str] = []
_actor_starts: list[int] = [0]


def actors_started() -> int:
    """How many scoring actors this process has started so far (a backfill reports it)."""
    return _actor_starts[0]


def _file_identity(spec: ModelSpec) -> tuple[int, int] | None:
    if spec.model_path.startswith("gs://"):  # metadata only: the actor downloads the file
        from tasks.storage import object_identity

        return object_identity(spec.model_path)
    try:
        stat = local_model_file(spec).stat()
    except (ModelError, OSError):
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _session() -> str:
    import ray

    # Job ids restart at 01000000 in every new local cluster; the driver's node id does not.
    context = ray.get_runtime_context()
    return f"{context.get_job_id()}@{context.get_node_id()}"


def release_actors() -> None:
    """Stop every pooled scoring actor of the current Ray session; forget older ones."""
    import ray

    current = ray.is_initialized() and _pool_session == [_session()]
    while _pool:
        _, actor = _pool.popitem()
        if current:
            try:
                ray.kill(actor)
            except ray.exceptions.RayError:
                pass  # already gone


def _check_capacity(count: int, actor_cpus: float) -> None:
    import ray

    if actor_cpus <= 0:
        return
    available = ray.cluster_resources().get("CPU", 0)
    if count * actor_cpus > available:
        raise ModelError(
            f"{count} models x SHADOWLINE_ACTOR_CPUS={actor_cpus} need {count * actor_cpus:g} "
            f"CPUs but the Ray cluster has {available:g}: lower SHADOWLINE_ACTOR_CPUS "
            "(0 = Ray's default, which holds no CPU while idle)"
        )


def score_models(
    specs: Sequence[ModelSpec],
    slate: pa.Table,
    *,
    actor_cpus: float = 0.0,
    min_points: float = 0.0,
    max_points: float = 70.0,
) -> list[ScoreResult]:
    """Score `slate` with every model in parallel, each in its own Ray actor.

    Each feature set's batch is put into Ray's object store once and shared by reference; a model
    that fails to load or predict yields a ScoreResult with its error, never an exception.
    """
    import ray

    session = _session()
    if _pool_session != [session]:  # a new Ray session: the old handles are gone
        _pool.clear()
        _pool_session[:] = [session]
    _check_capacity(len(specs), actor_cpus)
    results: list[ScoreResult] = []
    batch_refs: dict[tuple[str, ...], ray.ObjectRef] = {}
    remote_scorer = ray.remote(ModelScorer)
    options = {"num_cpus": actor_cpus} if actor_cpus > 0 else {}
    in_flight: dict[ray.ObjectRef, tuple[ModelSpec, tuple[object, ...]]] = {}
    used: set[tuple[object, ...]] = set()
    for spec in specs:
        try:
            names = spec.expected_features()
            if names not in batch_refs:
                batch_refs[names] = ray.put(project(slate, names))
        except FeatureSetError as error:  # nothing this model could be given to score
            results.append(ScoreResult(spec.model_id, None, str(error), 0.0))
            continue
        key = (spec, min_points, max_points, _file_identity(spec))
        if key not in _pool:
            _pool[key] = remote_scorer.options(**options).remote(spec, min_points, max_points)
            _actor_starts[0] += 1
        used.add(key)
        in_flight[_pool[key].score.remote(batch_refs[names])] = (spec, key)
    while in_flight:
        done, _ = ray.wait(list(in_flight), num_returns=1)
        spec, key = in_flight.pop(done[0])
        try:
            results.append(ray.get(done[0]))
        except ray.exceptions.RayError as error:  # the actor died (e.g. a native crash)
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            results.append(ScoreResult(spec.model_id, None, f"scoring actor failed: {reason}", 0))
            ray.kill(_pool.pop(key))
    for key in [k for k in _pool if k not in used]:  # models no longer run
        ray.kill(_pool.pop(key))
    order = {spec.model_id: i for i, spec in enumerate(specs)}
    return sorted(results, key=lambda r: order[r.model_id])
