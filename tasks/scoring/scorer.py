"""What a scoring actor holds: one loaded model, scoring feature batches (Arrow in, Arrow out).

A plain class, so it runs and is tested without Ray; the pool wraps it with `ray.remote` where it
launches it. Actors import this module: it needs the model files and the feature sets, no more.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.errors import first_line
from shadowline.tasks.models.files import ModelError, ModelSpec, feature_matrix, load_model


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
    loaded: bool = False  # this call loaded the model (its actor had not held it)


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


def _ray_node_id() -> str | None:
    """The Ray node this process runs on, when it runs in Ray."""
    import ray

    return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None
