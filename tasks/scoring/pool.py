"""Parallel scoring: one Ray actor per model, holding its loaded model, Arrow in and Arrow out;
the pool owns the actors and sends each model its share of a batch."""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from typing import Any, Self

import pyarrow as pa

from shadowline.tasks.core.errors import first_line
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.features.sets import FeatureSetError, project
from shadowline.tasks.models.check import check_in_subprocess
from shadowline.tasks.models.files import ModelError, ModelSpec, local_model_file
from shadowline.tasks.scoring.chunks import Job, Schedule
from shadowline.tasks.scoring.cluster import quiet_worker_errors, ray_session, start_ray
from shadowline.tasks.scoring.host import ScorerHost
from shadowline.tasks.scoring.scorer import ScoreResult

ACTOR_NAMESPACE = "shadowline-scorers"  # where kept actors are named
MEMORY_MIB: int = Settings.model_fields["scoring_memory_mib"].default
ACTOR_MIB = 300  # an actor process with the three model libraries imported
MIN_MODEL_MIB = 64  # an actor's room for loaded models, however tight the budget


@functools.cache
def _remote_host() -> Any:
    import ray

    return ray.remote(ScorerHost)


def _why_it_died(spec: ModelSpec, error: Exception) -> str | None:
    """Why a scoring actor died under `spec`'s model, in words (Ray only knows that it did), or
    None when its model is not the cause. Opening the file again in a process of its own tells a
    model library's crash (the usual cause) from anything else."""
    try:
        check_in_subprocess(spec)
    except ModelError as crash:
        return str(crash)
    except Exception:  # noqa: BLE001 (the check itself failed: keep Ray's reason)
        return f"the scoring process died ({first_line(error, 200)})"
    return None


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
    """The scoring actors of one owner (a flow run, a backfill, the demo): a few Ray actors, as
    many as the cluster's cores and SHADOWLINE_SCORING_MEMORY_MIB allow, each loading the models
    it is given once and keeping them while they fit its share of the budget (`host`), so the
    cost follows the cores and the work, not the number of models. A model always goes to the
    same actor while the set of models is the same, so it stays loaded between calls.

    Ray starts on first use unless this process already runs it: the cluster at RAY_ADDRESS,
    else a private local instance. `close()` (or leaving a `with` block) stops the actors, and
    Ray if the pool started it. With `keep_actors` the actors are named and detached instead:
    they stay on the cluster, models loaded, for the next run (of any process) until the
    cluster stops.
    """

    def __init__(
        self,
        *,
        actor_cpus: float = 0.0,
        min_points: float = 0.0,
        max_points: float = 70.0,
        ray_num_cpus: int | None = None,
        keep_actors: bool = False,
        memory_mib: int = MEMORY_MIB,
    ) -> None:
        self.actor_cpus = actor_cpus
        self.keep_actors = keep_actors
        self.bounds = (min_points, max_points)
        self.ray_num_cpus = ray_num_cpus
        self.memory_mib = memory_mib
        self.actors_started = 0
        self.models_loaded = 0
        self._hosts: list[Any] = []  # ActorHandle[ScorerHost], by index
        self._warming: list[Any] = []  # warm() calls not yet counted
        self._session: str | None = None
        self._started_ray = False
        self._kept_digest: str | None = None  # the kept actors' settings, once checked

    @classmethod
    def from_settings(cls, settings: Settings) -> ScorerPool:
        return cls(
            actor_cpus=settings.actor_cpus,
            min_points=settings.min_points,
            max_points=settings.max_points,
            ray_num_cpus=settings.ray_num_cpus,
            keep_actors=settings.keep_actors,
            memory_mib=settings.scoring_memory_mib,
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
            self._hosts.clear()
            self._session = session
            self._kept_digest = None

    def capacity(self) -> int:
        """How many actors may live at once: one per core (per SHADOWLINE_ACTOR_CPUS when
        set), within the memory budget."""
        import ray

        cpus = ray.cluster_resources().get("CPU", 1)
        if self.actor_cpus > cpus:
            raise ModelError(
                f"SHADOWLINE_ACTOR_CPUS={self.actor_cpus:g} is more than the Ray cluster's "
                f"{cpus:g} CPUs: lower it (0 = Ray's default, which holds no CPU while idle)"
            )
        by_cpu = int(cpus // self.actor_cpus) if self.actor_cpus > 0 else int(cpus)
        return max(1, min(by_cpu, self.memory_mib // ACTOR_MIB))

    def _assign(self, specs: Sequence[ModelSpec]) -> dict[str, int]:
        """Each model's actor: models in (library, id) order, in blocks, so an actor imports
        few libraries and a model keeps its actor while the set of models is the same."""
        count = min(len(specs), self.capacity())
        order = sorted(specs, key=lambda s: (s.model_type, s.model_id))
        return {s.model_id: i * count // len(order) for i, s in enumerate(order)}

    def score(self, specs: Sequence[ModelSpec], slate: pa.Table) -> list[ScoreResult]:
        """Score `slate` with every model, on the pool's actors in parallel.

        Each feature set's batch is put into Ray's object store once and shared by reference; a
        batch of more than MIN_CHUNK_ROWS rows goes in chunks, as many at a time as the cores
        take, the next chunk as one returns (`chunks.Schedule`). A model that fails to load or
        predict yields a ScoreResult with its error, never an exception; when a model's library
        crashes its actor, the other models it held are scored again on a new one.
        """
        self._ensure_ray()
        refused, scorable = [], []
        for spec in specs:
            error = _unscorable(spec, slate)
            if error is not None:  # nothing this model could be given to score
                refused.append(ScoreResult(spec.model_id, None, error, 0.0))
            else:
                scorable.append(spec)
        results = refused
        if scorable:
            hosts = self._assign(scorable)
            self._start(max(hosts.values()) + 1)
            schedule = Schedule(slate, self._slots(), self._calls_per_actor(), self._hosts)
            for spec in scorable:
                schedule.add(spec, self._key(spec), hosts[spec.model_id])
            results = results + schedule.run(self._actor_died)
            self.models_loaded += sum(job.loads for job in schedule.jobs) + self._warmed()
        order = {spec.model_id: i for i, spec in enumerate(specs)}
        return sorted(results, key=lambda r: order[r.model_id])

    def _actor_died(self, job: Job, error: Exception, actor: Any) -> bool:
        """`actor` died holding `job`'s chunk: fail the job if its model is the cause, else
        send the chunk again (once) on the actor that replaces it."""
        import ray

        if self._hosts[job.host] is actor:  # the first of its chunks to report it: replace it
            try:
                ray.kill(actor)
            except ray.exceptions.RayError:
                pass  # gone already
            self._replace(job.host)
        why = _why_it_died(job.spec, error)
        if why is None and job.retries < 1:
            return True
        job.fail(why or f"the scoring process died ({first_line(error, 200)})")
        return False

    def warm(self, specs: Sequence[ModelSpec]) -> None:
        """Start the actors and load the models of `specs` without scoring anything: a run that
        knows its models early overlaps their loading with its other start-up."""
        self._ensure_ray()
        if not specs:
            return
        hosts = self._assign(specs)
        self._start(max(hosts.values()) + 1)
        self._warming += [self._hosts[hosts[s.model_id]].warm.remote(self._key(s), s)
                          for s in specs]  # fmt: skip

    def _warmed(self) -> int:
        """Models the warm() calls loaded (done by now: the scoring waited behind them)."""
        import ray

        calls, self._warming = self._warming, []
        loaded = 0
        for call in calls:
            try:
                loaded += ray.get(call)
            except ray.exceptions.RayError:
                pass  # its actor died: the scoring has said so
        return loaded

    def _key(self, spec: ModelSpec) -> str:
        """What an actor caches a model by: its registry entry, its file and the bounds."""
        identity = (spec, self.bounds, _file_identity(spec))
        return hashlib.sha256(repr(identity).encode()).hexdigest()[:16]

    @property
    def actors(self) -> int:
        """The scoring actors the pool holds now (a warm-up may have started them)."""
        return len(self._hosts)

    def _start(self, count: int) -> None:
        """Actors 0..count-1, started where missing."""
        while len(self._hosts) < count:
            self._hosts.append(self._actor(len(self._hosts)))

    def _replace(self, index: int) -> None:
        self._hosts[index] = self._actor(index, fresh=True)

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

    def _actor(self, index: int, fresh: bool = False) -> Any:
        """Actor `index`: a new one; with `keep_actors`, the cluster's actor of that name if one
        lives (any process may have started it) unless a `fresh` one replaces a dead one."""
        import ray

        capacity = self.capacity()
        budget = max(self.memory_mib // capacity - ACTOR_MIB, MIN_MODEL_MIB) * 2**20
        options: dict[str, Any] = {"max_concurrency": self._calls_per_actor()}
        if self.actor_cpus > 0:
            options["num_cpus"] = self.actor_cpus
        args = (budget, *self.bounds)
        self.actors_started += 1
        if not self.keep_actors:
            return _remote_host().options(**options).remote(*args)
        digest = hashlib.sha256(repr((args, capacity)).encode()).hexdigest()[:12]
        if self._kept_digest != digest:
            _retire_kept(but=digest)
            self._kept_digest = digest
        name = f"scorer-{index}@{digest}"
        if fresh:
            try:
                ray.kill(ray.get_actor(name, namespace=ACTOR_NAMESPACE))
            except ValueError:
                pass
        else:
            try:
                found = ray.get_actor(name, namespace=ACTOR_NAMESPACE)
                self.actors_started -= 1
                return found
            except ValueError:
                pass  # none yet
        return _remote_host().options(
            **options, name=name, namespace=ACTOR_NAMESPACE, lifetime="detached",
            get_if_exists=True,  # another run may create it at the same moment
        ).remote(*args)  # fmt: skip

    def close(self) -> None:
        """Stop this pool's actors, and Ray if the pool started it."""
        if not self._hosts and not self._started_ray:
            return
        import ray

        if ray.is_initialized() and self._session == ray_session() and not self.keep_actors:
            for actor in self._hosts:
                try:
                    ray.kill(actor)
                except ray.exceptions.RayError:
                    pass  # already gone
        self._hosts.clear()
        if self._started_ray and ray.is_initialized():
            ray.shutdown()
        self._started_ray = False


def _retire_kept(but: str) -> None:
    """Stop the cluster's kept scoring actors of other settings (budget, bounds, actor count:
    the digest in their names). Nothing would reach them again, and each holds an actor's memory
    and its loaded models until the cluster stops: a cluster keeps one set, the newest run's."""
    import ray

    for actor in ray.util.list_named_actors(all_namespaces=True):
        name = actor["name"]
        ours = actor["namespace"] == ACTOR_NAMESPACE and name.startswith("scorer-")
        if not ours or name.endswith(f"@{but}"):
            continue
        try:
            ray.kill(ray.get_actor(name, namespace=ACTOR_NAMESPACE))
        except (ValueError, ray.exceptions.RayError):
            pass  # another run retired it first
