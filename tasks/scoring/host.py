"""What a scoring actor holds: the loaded models of the registry entries it was given, each loaded
when first asked for and kept while they fit its memory budget (least recently used out first).

An actor process costs ~75 MiB and a second of a core to start, plus each model library it
imports (40-70 MiB); a loaded model costs little. So a pool runs a few of these, by cores and a
memory budget, each loading the next model as it is given one, not one process per model. A
plain class, so it runs and is tested without Ray; the pool wraps it with `ray.remote`.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import numpy as np

from shadowline.tasks.models.files import ModelSpec, local_model_file
from shadowline.tasks.scoring.scorer import ModelScorer, ScoreResult

# A loaded model's memory, as a multiple of its file's size (trees unpacked, buffers).
LOADED_PER_FILE_BYTE = 3


def loaded_size(spec: ModelSpec) -> int:
    """Bytes a loaded `spec` model is reckoned to hold (its file's size, scaled)."""
    try:
        return LOADED_PER_FILE_BYTE * Path(local_model_file(spec)).stat().st_size
    except Exception:  # noqa: BLE001 (a file it cannot read fails at load, with the reason)
        return 0


class ScorerHost:
    """Scores chunks for any model it is given, loading each on first use; keeps the loaded
    models within `budget_bytes`, dropping the least recently used first (never the one in
    use). Calls run on several threads at once (Ray's max_concurrency): two threads asking for
    one model load it once."""

    def __init__(
        self, budget_bytes: int, min_points: float = 0.0, max_points: float = 70.0
    ) -> None:
        self.budget = budget_bytes
        self.bounds = (min_points, max_points)
        self.models: OrderedDict[str, tuple[ModelScorer, int]] = OrderedDict()
        self.loads = 0
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def _scorer(self, key: str, spec: ModelSpec) -> tuple[ModelScorer, bool]:
        """The loaded model for `key`, loaded now if it is not (and whether it was)."""
        with self._lock:
            if key in self.models:
                self.models.move_to_end(key)
                return self.models[key][0], False
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            with self._lock:
                if key in self.models:
                    return self.models[key][0], False
            scorer = ModelScorer(spec, *self.bounds)
            size = loaded_size(spec)
            with self._lock:
                for older in [k for k, (s, _) in self.models.items()
                              if s.spec.model_id == spec.model_id]:  # fmt: skip
                    del self.models[older]  # its file or registry entry changed since
                self.models[key] = (scorer, size)
                self.loads += 1
                self._loading.pop(key, None)
                self._fit(keep=key)
            return scorer, True

    def _fit(self, keep: str) -> None:
        """Drop the least recently used models until the rest fit the budget."""
        total = sum(size for _, size in self.models.values())
        for key in list(self.models):
            if total <= self.budget:
                return
            if key != keep:
                total -= self.models.pop(key)[1]

    def predict(
        self, key: str, spec: ModelSpec, matrix: np.ndarray, start: int = 0, stop: int | None = None
    ) -> ScoreResult:
        """`spec`'s predictions for rows start..stop of `matrix` (in its feature order); `key`
        names the model's registry entry and file, so a changed file is loaded afresh."""
        scorer, loaded = self._scorer(key, spec)
        result = scorer.predict(matrix, start, stop)
        return replace(result, loaded=loaded)

    def warm(self, key: str, spec: ModelSpec) -> bool:
        """Load `spec`'s model without scoring; whether it was loaded now."""
        return self._scorer(key, spec)[1]

    def about(self) -> dict[str, int]:
        """Its process, the models it holds and the loads it has done."""
        with self._lock:
            return {"pid": os.getpid(), "models": len(self.models), "loads": self.loads}

    def held(self) -> list[str]:
        """The keys of the models loaded now, least recently used first."""
        with self._lock:
            return list(self.models)
