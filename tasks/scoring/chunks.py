"""A batch cut into chunks for the actors, and the schedule that keeps every core busy on them.

Each Ray call costs a few milliseconds of CPU of its own (the call, its arguments and result in
the object store), so chunks start long and shorten towards the end of the batch, where short
ones even out the tail across the cores (guided self-scheduling).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from shadowline.tasks.features.sets import project
from shadowline.tasks.models.files import ModelSpec, feature_matrix
from shadowline.tasks.scoring.scorer import ScoreResult

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


class Matrices:
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
class Job:
    """One model's share of a `ScorerPool.score` call: its chunks, their results, its state."""

    spec: ModelSpec
    key: str  # the model's registry entry, file and bounds: what its actor caches it by
    host: int  # which of the pool's actors scores it
    matrices: Matrices
    names: tuple[str, ...]  # its feature set
    players: pa.ChunkedArray
    rows: int
    slots: int  # cores of the cluster
    error: str | None = None
    seconds: float = 0.0
    first: ScoreResult | None = None
    parts: dict[int, pa.Table] = field(default_factory=dict)
    running: int = 0
    loads: int = 0  # calls that loaded the model
    retries: int = 0  # chunks sent again after their actor died under another model

    def __post_init__(self) -> None:
        bounds = chunk_bounds(self.rows, self.slots)
        self.chunks = deque((i, start, stop) for i, (start, stop) in enumerate(bounds))
        self.count = len(self.chunks)

    def submit_one(self, actor: Any) -> tuple[Any, tuple[Job, tuple[int, int, int], Any]]:
        chunk = self.chunks.popleft()
        self.running += 1
        matrix = self.matrices.chunk(self.names, chunk[1], chunk[2])
        return actor.predict.remote(self.key, self.spec, matrix), (self, chunk, actor)

    def can_take(self) -> bool:
        return bool(self.chunks) and self.error is None

    def remaining(self) -> float:
        """Seconds of work left, from its chunks so far (unknown: first, to learn it)."""
        finished = self.count - len(self.chunks) - self.running
        per_chunk = self.seconds / finished if finished else math.inf
        return len(self.chunks) * per_chunk

    def done(self, index: int, result: ScoreResult) -> None:
        self.running -= 1
        self.first = self.first or result
        self.seconds += result.seconds
        self.loads += result.loaded
        if result.predictions is None:
            if self.error is None:
                self.fail(result.error or "no predictions")
        elif self.error is None:
            self.parts[index] = result.predictions

    def again(self, chunk: tuple[int, int, int]) -> None:
        """Send `chunk` again (its actor died under another model)."""
        self.running -= 1
        self.retries += 1
        if self.error is None:
            self.chunks.appendleft(chunk)

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
            where.ray_node_id if where else None, self.loads > 0,
        )  # fmt: skip


class Schedule:
    """The chunks of one `ScorerPool.score` call: the models' jobs, the calls in flight, and
    which chunk goes next.

    Chunks go one per free core, the model with the most work left first, so the cores stay
    busy to the end, on one model at a time where they can (its trees shared in the cache),
    never oversubscribed; an actor whose threads are all busy gets one more chunk to hold in
    line, so that it never waits for this loop between two. `actors` is the pool's list, which
    it may change when one dies.
    """

    def __init__(self, slate: pa.Table, slots: int, calls: int, actors: list[Any]) -> None:
        self.slate = slate
        self.matrices = Matrices(slate)
        self.slots = slots  # chunks scored at once across the cluster
        self.calls = calls  # chunks one actor scores at once
        self.actors = actors
        self.jobs: list[Job] = []
        # ObjectRef -> (job, (chunk index, start, stop), the actor it went to)
        self.in_flight: dict[Any, tuple[Job, tuple[int, int, int], Any]] = {}

    def add(self, spec: ModelSpec, key: str, host: int) -> None:
        """Score the batch with `spec`'s model on actor `host`."""
        rows = self.slate.num_rows
        names = spec.expected_features()
        players = self.slate["player_lookup"]
        self.jobs.append(Job(spec, key, host, self.matrices, names, players, rows, self.slots))

    def dispatch(self) -> None:
        busy = [0] * len(self.actors)
        for job in self.jobs:
            busy[job.host] += job.running
        while True:
            free = self.slots - sum(min(b, self.calls) for b in busy)
            ready = [
                job for job in self.jobs
                if job.can_take() and busy[job.host] <= self.calls
                and (busy[job.host] < self.calls) == (free > 0)
            ]  # fmt: skip
            if not ready:
                return
            job = max(ready, key=Job.remaining)
            self.in_flight.update([job.submit_one(self.actors[job.host])])
            busy[job.host] += 1

    def run(self, died: Callable[[Job, Exception, Any], bool]) -> list[ScoreResult]:
        """Collect every chunk, sending the next as each returns; each job's result. When an
        actor dies (a native crash), `died` says for each job whose chunk it held whether to
        send it again (the pool has replaced the actor) or not (the job failed)."""
        import ray

        self.dispatch()
        while self.in_flight:
            [ready], _ = ray.wait(list(self.in_flight), num_returns=1)
            job, chunk, actor = self.in_flight.pop(ready)
            try:
                result = ray.get(ready)
            except ray.exceptions.RayError as error:
                if job.error is None and died(job, error, actor):
                    job.again(chunk)
                else:
                    job.running -= 1
            else:
                job.done(chunk[0], result)
            self.dispatch()
        return [job.result() for job in self.jobs]
