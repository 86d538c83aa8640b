"""Prefect tasks: thin, named wrappers of the plain functions, one I/O or transform step each.

Tasks take the warehouse URL (a string Prefect can show and hash) and open the process's one
connection to it. Caching is off: every step reads or writes live tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks import features, grading, predictions, registry, results, scoring
from tasks.models import ModelSpec
from tasks.warehouse import open_warehouse


@task(name="build features", cache_policy=NO_CACHE)
def build_features(warehouse: str, start: date, end: date) -> int:
    return features.build_features(open_warehouse(warehouse), start, end)


@task(name="compute features", cache_policy=NO_CACHE)
def compute_features(warehouse: str, game_date: date) -> pa.Table:
    return features.compute_features(open_warehouse(warehouse), game_date, game_date)


@task(name="read models", cache_policy=NO_CACHE)
def read_models(warehouse: str, model_id: str | None) -> list[registry.RegisteredModel]:
    return registry.read_models(open_warehouse(warehouse), model_id)


@task(name="read feature batch", cache_policy=NO_CACHE)
def read_feature_batch(warehouse: str, game_date: date) -> pa.Table:
    return features.read_feature_batch(open_warehouse(warehouse), game_date)


@task(name="score models", cache_policy=NO_CACHE)
def score_models(
    specs: Sequence[ModelSpec],
    slate: pa.Table,
    actor_cpus: float,
    min_points: float,
    max_points: float,
    ray_num_cpus: int | None,
) -> list[scoring.ScoreResult]:
    scoring.ensure_ray(ray_num_cpus)
    return scoring.score_models(
        specs, slate, actor_cpus=actor_cpus, min_points=min_points, max_points=max_points
    )


@task(name="write predictions", cache_policy=NO_CACHE)
def write_predictions(warehouse: str, rows: pa.Table) -> int:
    return predictions.write_predictions(open_warehouse(warehouse), rows)


@task(name="write run log", cache_policy=NO_CACHE)
def write_run_log(warehouse: str, rows: pa.Table) -> int:
    return predictions.write_run_log(open_warehouse(warehouse), rows)


@task(name="read grading status", cache_policy=NO_CACHE)
def read_grading_status(warehouse: str, game_date: date) -> grading.GradingStatus:
    return grading.grading_status(open_warehouse(warehouse), game_date)


@task(name="grade predictions", cache_policy=NO_CACHE)
def grade_predictions(warehouse: str, game_date: date) -> int:
    return grading.grade_predictions(open_warehouse(warehouse), game_date)


@task(name="read daily performance", cache_policy=NO_CACHE)
def read_daily_performance(warehouse: str, game_date: date) -> pa.Table:
    return results.daily_performance(open_warehouse(warehouse), game_date)
