"""Parallel scoring: one Ray actor per model, holding its loaded model, Arrow in and Arrow out."""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import socket
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.errors import first_line
from shadowline.tasks.core.reaper import watch_children
from shadowline.tasks.features.store import FeatureSetError, project
from shadowline.tasks.models.check import check_in_subprocess
from shadowline.tasks.models.files import (
    ModelError,
    ModelSpec,
    feature_matrix,
    load_model,
    local_model_file,
)

if TYPE_CHECKING:
    from shadowline.tasks.core.settings import Settings

ACTOR_NAMESPACE = "shadowline-scorers"  # where kept actors are named


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
    """Holds one loaded model and scores feature batches; a plain class, so it runs without Ray.

    Each call predicts on one thread; a pool's actor takes as many calls at once as it has
    cores (Ray's max_concurrency), so a large batch, cut into chunks, keeps every core busy on
    whichever models still have rows to score, the slowest one last, with no thread of one
    model's library waiting on another's."""

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
        """Predictions for every row of `batch` (player_lookup and the model's features)."""
        started = time.perf_counter()
        names = self.model.feature_names if self.model else ()
        result = self.predict(feature_matrix(batch, names) if self.model else np.empty((0, 0)))
        if result.predictions is not None:
            result = replace(
                result,
                predictions=result.predictions.add_column(
                    0, "player_lookup", batch["player_lookup"]
                ),
                seconds=result.seconds + time.perf_counter() - started,
            )
        return result

    def predict(self, matrix: np.ndarray, start: int = 0, stop: int | None = None) -> ScoreResult:
        """Predictions (`predicted_points` only) for rows start..stop of a feature matrix in
        the model's feature order; what a pool's actor is sent, in chunks."""
        started = time.perf_counter()
        rows = matrix[start:stop]
        predictions, error = None, self.error
        if self.model is not None:
            try:
                values = self.model.predict(rows)
                bad = int((~np.isfinite(values)).sum())
                if len(values) != len(rows):
                    error = f"the model returned {len(values)} predictions for {len(rows)} rows"
                elif bad:
                    error = f"the model returned {bad} non-finite predictions (NaN or infinite)"
                else:
                    predictions = pa.table({"predicted_points": np.clip(values, *self.bounds)})
            except Exception as failure:  # a framework's own error while predicting
                error = f"prediction failed: {first_line(failure, 200)}"
        seconds, self.load_seconds = self.load_seconds + time.perf_counter() - started, 0.0
        return ScoreResult(
            self.spec.model_id, predictions, error, seconds, socket.gethostname(), os.getpid(),
            _ray_node_id(),
        )  # fmt: skip


@functools.cache
def _remote_scorer() -> Any:
    import ray

    return ray.remote(ModelScorer)


def _quiet_worker_errors() -> None:
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


def _why_it_died(spec: ModelSpec, error: Exception) -> str:
    """Why a scoring actor died, in words: Ray only knows that it did. Opening the file again in
    a process of its own tells a model library's crash (the usual cause) from anything else."""
    try:
        check_in_subprocess(spec)
    except ModelError as crash:
        return str(crash)
    except Exception:  # noqa: BLE001 (the check itself failed: keep Ray's reason)
        pass
    return f"the scoring process died ({first_line(error, 200)})"


def _ray_node_id() -> str | None:
    """The Ray node this process runs on, when it runs in Ray."""
    import ray

    return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None


def _file_identity(spec: ModelSpec) -> tuple[int, int] | None:
    if spec.model_path.startswith("gs://"):  # metadata only: the actor downloads the file
        from shadowline.tasks.models.storage import object_identity

        return object_identity(spec.model_path)
    try:
        stat = local_model_file(spec).stat()
    except (ModelError, OSError):
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _ray_session() -> str:
    import ray

    # Job ids restart at 01000000 in every new local cluster; the driver's node id does not.
    context = ray.get_runtime_context()
    return f"{context.get_job_id()}@{context.get_node_id()}"


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


# Rows per call when a batch is split: each call costs some CPU of its own (the Ray call, its
# arguments and result in the object store), so chunks start long and shorten towards the end
# of the batch, where short ones even out the tail across the cores.
MIN_CHUNK_ROWS = 16_384
MAX_CHUNK_ROWS = 131_072


def chunk_bounds(rows: int, slots: int) -> list[tuple[int, int]]:
    """(start, stop) of each chunk of a `rows`-row batch scored on `slots` cores: a fraction
    of the rows left, between MIN_CHUNK_ROWS and MAX_CHUNK_ROWS (guided self-scheduling)."""
    bounds, start = [], 0
    while start < rows or not bounds:
        size = min(MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, (rows - start) // (2 * slots)))
        bounds.append((start, min(rows, start + size)))
        start += size
    return bounds


class _Matrices:
    """A batch's rows as float64 matrices in Ray's object store, one per feature set and chunk,
    each put once for the models that share it, when first asked for: the first chunks score
    while the next are converted."""

    def __init__(self, slate: pa.Table) -> None:
        self.slate = slate
        self.refs: dict[tuple[tuple[str, ...], int], Any] = {}

    def chunk(self, names: tuple[str, ...], start: int, stop: int) -> Any:
        import ray

        if (names, start) not in self.refs:
            rows = project(self.slate.slice(start, stop - start), names)
            self.refs[(names, start)] = ray.put(feature_matrix(rows, names))
        return self.refs[(names, start)]


@dataclass
class _Job:
    """One model's share of a `ScorerPool.score` call: its chunks, their results, its state."""

    spec: ModelSpec
    key: tuple[object, ...]
    actor: Any
    matrices: _Matrices
    names: tuple[str, ...]  # its feature set
    players: pa.ChunkedArray
    rows: int
    slots: int  # cores of the cluster
    error: str | None = None
    seconds: float = 0.0
    first: ScoreResult | None = None
    parts: dict[int, pa.Table] = field(default_factory=dict)
    running: int = 0

    def __post_init__(self) -> None:
        bounds = chunk_bounds(self.rows, self.slots)
        self.chunks = deque((i, start, stop) for i, (start, stop) in enumerate(bounds))
        self.count = len(self.chunks)

    def submit_one(self) -> tuple[Any, tuple[_Job, int]]:
        index, start, stop = self.chunks.popleft()
        self.running += 1
        chunk = self.matrices.chunk(self.names, start, stop)
        return self.actor.predict.remote(chunk), (self, index)

    def can_take(self, calls: int) -> bool:
        return bool(self.chunks) and self.running < calls and self.error is None

    def remaining(self) -> float:
        """Seconds of work left, from its chunks so far (unknown: first, to learn it)."""
        finished = self.count - len(self.chunks) - self.running
        per_chunk = self.seconds / finished if finished else math.inf
        return len(self.chunks) * per_chunk

    def done(self, index: int, result: ScoreResult) -> None:
        self.running -= 1
        self.first = self.first or result
        self.seconds += result.seconds
        if result.predictions is None:
            if self.error is None:
                self.fail(result.error or "no predictions")
        elif self.error is None:
            self.parts[index] = result.predictions

    def fail(self, error: str) -> None:
        self.error, self.parts = error, {}
        self.chunks.clear()

    def result(self) -> ScoreResult:
        where = self.first
        predictions = None
        if self.error is None:
            predictions = pa.concat_tables([self.parts[i] for i in range(self.count)])
            predictions = predictions.add_column(0, "player_lookup", self.players)
        return ScoreResult(
            self.spec.model_id, predictions, self.error, self.seconds,
            where.host if where else "", where.pid if where else 0,
            where.ray_node_id if where else None,
        )  # fmt: skip


class ScorerPool:
    """The scoring actors of one owner (a flow run, a backfill, the demo): one Ray actor per
    model, loading its model once and scoring every batch it is given while the pool lives.

    Ray starts on first use unless this process already runs it: the cluster at RAY_ADDRESS,
    else a private local instance. An actor is replaced when its registry entry or its file
    changes. `close()` (or leaving a `with` block) stops the actors, and Ray if the pool
    started it. With `keep_actors` the actors are named and detached instead: they stay loaded
    on the cluster for the next run (of any process) until their model changes or the cluster
    stops.
    """

    def __init__(
        self,
        *,
        actor_cpus: float = 0.0,
        min_points: float = 0.0,
        max_points: float = 70.0,
        ray_num_cpus: int | None = None,
        keep_actors: bool = False,
    ) -> None:
        self.actor_cpus = actor_cpus
        self.keep_actors = keep_actors
        self.bounds = (min_points, max_points)
        self.ray_num_cpus = ray_num_cpus
        self.actors_started = 0
        self._actors: dict[tuple[object, ...], Any] = {}  # ActorHandle[ModelScorer]
        self._session: str | None = None
        self._started_ray = False

    @classmethod
    def from_settings(cls, settings: Settings) -> ScorerPool:
        return cls(
            actor_cpus=settings.actor_cpus,
            min_points=settings.min_points,
            max_points=settings.max_points,
            ray_num_cpus=settings.ray_num_cpus,
            keep_actors=settings.keep_actors,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_ray(self) -> None:
        self._started_ray |= start_ray(self.ray_num_cpus)
        _quiet_worker_errors()
        session = _ray_session()
        if self._session != session:  # Ray restarted under us: the old handles are gone
            self._actors.clear()
            self._session = session

    def _check_capacity(self, count: int) -> None:
        import ray

        if self.actor_cpus <= 0:
            return
        available = ray.cluster_resources().get("CPU", 0)
        if count * self.actor_cpus > available:
            raise ModelError(
                f"{count} models x SHADOWLINE_ACTOR_CPUS={self.actor_cpus:g} need "
                f"{count * self.actor_cpus:g} CPUs but the Ray cluster has {available:g}: lower "
                "SHADOWLINE_ACTOR_CPUS (0 = Ray's default, which holds no CPU while idle)"
            )

    def score(self, specs: Sequence[ModelSpec], slate: pa.Table) -> list[ScoreResult]:
        """Score `slate` with every model in parallel, each in its own actor.

        Each feature set's batch is put into Ray's object store once and shared by reference; a
        batch of more than MIN_CHUNK_ROWS rows goes to each actor in chunks, as many at a time as
        it takes calls, the next chunk as one returns. A model that fails to load or predict
        yields a ScoreResult with its error, never an exception. Actors of models not in
        `specs` are stopped.
        """
        import ray

        self._ensure_ray()
        self._check_capacity(len(specs))
        results: list[ScoreResult] = []
        matrices = _Matrices(slate)
        calls = self._calls_per_actor()
        jobs: list[_Job] = []
        in_flight: dict[ray.ObjectRef, tuple[_Job, int]] = {}
        slots = self._slots()

        def dispatch() -> None:
            # A batch in one chunk per model goes at once. Chunks go one per free core, the
            # model with the most work left first, so the cores stay busy to the end, on one
            # model at a time where they can (its trees shared in the cache), never
            # oversubscribed; an actor whose threads are all busy gets one more chunk to hold
            # in line, so that it never waits for this loop between two.
            for job in jobs:
                while job.count == 1 and job.can_take(1):
                    in_flight.update([job.submit_one()])
            while True:
                free = slots - sum(min(job.running, calls) for job in jobs)
                ready = [
                    job for job in jobs
                    if job.can_take(calls + 1) and (job.running < calls) == (free > 0)
                ]  # fmt: skip
                if not ready:
                    return
                in_flight.update([max(ready, key=_Job.remaining).submit_one()])

        for spec in specs:
            try:
                names = spec.expected_features()
                project(slate.slice(0, 0), names)  # a column the batch lacks fails here
            except FeatureSetError as error:  # nothing this model could be given to score
                results.append(ScoreResult(spec.model_id, None, str(error), 0.0))
                continue
            key = self._actor_for(spec)
            jobs.append(
                _Job(
                    spec,
                    key,
                    self._actors[key],
                    matrices,
                    names,
                    slate["player_lookup"],
                    slate.num_rows,
                    slots,
                )  # fmt: skip
            )
            dispatch()
        while in_flight:
            [ready], _ = ray.wait(list(in_flight), num_returns=1)
            job, index = in_flight.pop(ready)
            try:
                result = ray.get(ready)
            except ray.exceptions.RayError as error:  # the actor died (e.g. a native crash)
                job.running -= 1
                if job.error is None:
                    job.fail(_why_it_died(job.spec, error))
                    ray.kill(self._actors.pop(job.key))
            else:
                job.done(index, result)
            dispatch()
        results += [job.result() for job in jobs]
        used = {job.key for job in jobs}
        for key in [k for k in self._actors if k not in used]:  # models no longer run
            actor = self._actors.pop(key)
            if not self.keep_actors:
                ray.kill(actor)
        order = {spec.model_id: i for i, spec in enumerate(specs)}
        return sorted(results, key=lambda r: order[r.model_id])

    def warm(self, specs: Sequence[ModelSpec]) -> None:
        """Start the actors of `specs` (each loads its model) without scoring anything: a run
        that knows its models early overlaps their loading with its other start-up."""
        self._ensure_ray()
        for spec in specs:
            self._actor_for(spec)

    def _actor_for(self, spec: ModelSpec) -> tuple[object, ...]:
        """The key of `spec`'s actor, started if this pool has none for it yet."""

        key = (spec, self.bounds, _file_identity(spec))
        if key not in self._actors:
            options: dict[str, Any] = {"max_concurrency": self._calls_per_actor()}
            if self.actor_cpus > 0:
                options["num_cpus"] = self.actor_cpus
            self._actors[key] = self._actor(key, spec, _remote_scorer(), options)
        return key

    def _slots(self) -> int:
        """Chunks scored at once across the cluster: its CPUs."""
        import ray

        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def _calls_per_actor(self) -> int:
        """Chunks an actor scores at once: the CPUs it reserves, else its node's cores."""
        import ray

        if self.actor_cpus > 0:
            return math.ceil(self.actor_cpus)
        cores = [n["Resources"].get("CPU", 0) for n in ray.nodes() if n.get("Alive")]
        return max(1, int(max(cores, default=1)))

    def _actor(
        self, key: tuple[object, ...], spec: ModelSpec, remote_scorer: Any, options: dict
    ) -> Any:
        """A new actor for `key`; with `keep_actors`, the cluster's actor of that name if one
        lives (any process may have started it), after retiring the model's older ones."""
        import ray

        if not self.keep_actors:
            self.actors_started += 1
            return remote_scorer.options(**options).remote(spec, *self.bounds)
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        name = f"{spec.model_id}@{digest}"  # "@" is in no model id
        try:
            return ray.get_actor(name, namespace=ACTOR_NAMESPACE)
        except ValueError:
            pass  # none yet
        for other in ray.util.list_named_actors(all_namespaces=True):
            if (
                other["namespace"] == ACTOR_NAMESPACE
                and other["name"].startswith(f"{spec.model_id}@")
                and other["name"] != name
            ):  # the model's file or registry entry changed: its old actor is stale
                try:
                    ray.kill(ray.get_actor(other["name"], namespace=ACTOR_NAMESPACE))
                except ValueError:
                    pass  # gone meanwhile
        self.actors_started += 1
        return remote_scorer.options(
            **options, name=name, namespace=ACTOR_NAMESPACE, lifetime="detached",
            get_if_exists=True,  # another run may create it at the same moment
        ).remote(spec, *self.bounds)  # fmt: skip

    def close(self) -> None:
        """Stop this pool's actors, and Ray if the pool started it."""
        if not self._actors and not self._started_ray:
            return
        import ray

        if ray.is_initialized() and self._session == _ray_session() and not self.keep_actors:
            for actor in self._actors.values():
                try:
                    ray.kill(actor)
                except ray.exceptions.RayError:
                    pass  # already gone
        self._actors.clear()
        if self._started_ray and ray.is_initialized():
            ray.shutdown()
        self._started_ray = False
