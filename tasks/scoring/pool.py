"""Parallel scoring: one Ray actor per model, holding its loaded model, Arrow in and Arrow out;
the pool owns the actors and sends each model its share of a batch."""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa

from shadowline.tasks.core.errors import first_line
from shadowline.tasks.features.sets import FeatureSetError, project
from shadowline.tasks.models.check import check_in_subprocess
from shadowline.tasks.models.files import ModelError, ModelSpec, local_model_file
from shadowline.tasks.scoring.chunks import Job, Schedule
from shadowline.tasks.scoring.cluster import quiet_worker_errors, ray_session, start_ray
from shadowline.tasks.scoring.scorer import ModelScorer, ScoreResult

if TYPE_CHECKING:
    from shadowline.tasks.core.settings import Settings

ACTOR_NAMESPACE = "shadowline-scorers"  # where kept actors are named


@functools.cache
def _remote_scorer() -> Any:
    import ray

    return ray.remote(ModelScorer)


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


def _unscorable(spec: ModelSpec, slate: pa.Table) -> str | None:
    """Why `spec`'s model cannot score `slate` at all (its feature set, or a column the batch
    lacks), else None."""
    try:
        project(slate.slice(0, 0), spec.expected_features())
    except FeatureSetError as error:
        return str(error)
    return None


def _file_identity(spec: ModelSpec) -> tuple[int, int] | None:
    if spec.model_path.startswith("gs://"):  # metadata only: the actor downloads the file
        from shadowline.tasks.models.storage import object_identity

        return object_identity(spec.model_path)
    try:
        stat = local_model_file(spec).stat()
    except (ModelError, OSError):
        return None
    return (stat.st_mtime_ns, stat.st_size)


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
        quiet_worker_errors()
        session = ray_session()
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
        it takes calls, the next chunk as one returns (`chunks.Schedule`). A model that fails to
        load or predict yields a ScoreResult with its error, never an exception. Actors of models
        not in `specs` are stopped.
        """
        self._ensure_ray()
        self._check_capacity(len(specs))
        schedule = Schedule(slate, slots=self._slots(), calls=self._calls_per_actor())
        refused = []
        for spec in specs:
            error = _unscorable(spec, slate)
            if error is not None:  # nothing this model could be given to score
                refused.append(ScoreResult(spec.model_id, None, error, 0.0))
                continue
            key = self._actor_for(spec)
            schedule.add(spec, key, self._actors[key])
        results = refused + schedule.run(self._actor_died)
        self._retire_unused({job.key for job in schedule.jobs})
        order = {spec.model_id: i for i, spec in enumerate(specs)}
        return sorted(results, key=lambda r: order[r.model_id])

    def _actor_died(self, job: Job, error: Exception) -> None:
        import ray

        job.fail(_why_it_died(job.spec, error))
        ray.kill(self._actors.pop(job.key))

    def _retire_unused(self, used: set[tuple[object, ...]]) -> None:
        """Forget the actors of models this call did not score (and stop them, unless kept)."""
        import ray

        for key in [k for k in self._actors if k not in used]:
            actor = self._actors.pop(key)
            if not self.keep_actors:
                ray.kill(actor)

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

        if ray.is_initialized() and self._session == ray_session() and not self.keep_actors:
            for actor in self._actors.values():
                try:
                    ray.kill(actor)
                except ray.exceptions.RayError:
                    pass  # already gone
        self._actors.clear()
        if self._started_ray and ray.is_initialized():
            ray.shutdown()
        self._started_ray = False
