"""Prefect tasks: thin, named wrappers of the plain functions, one I/O or transform step each.

Tasks take the warehouse URL (a string Prefect can show and hash) and open the process's one
connection to it. Caching is off: every step reads or writes live tables.

Warehouse steps retry with backoff, and only on errors another attempt may fix (a DuckDB file
held by another process, a BigQuery 503): every write replaces its keys, so a retry cannot
duplicate rows. Scoring never retries: a model that fails (a corrupt file, a wrong feature set)
fails the same way again, so it is recorded in the run log and skipped. Model file downloads
retry inside the Cloud Storage client, which backs off on the same transient errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pyarrow as pa
from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import exponential_backoff

from tasks import features, grading, predictions, registry, results, scoring
from tasks.models import ModelSpec
from tasks.warehouse import close_all, is_transient, open_warehouse


def free_warehouse_if_done() -> None:
    """At the end of a top-level flow run (not a backfill's per-date subflow), close this
    process's warehouse connections: a DuckDB file is free for other processes by the time
    the run reports its final state, not only when the process exits."""
    from prefect.runtime import flow_run

    if flow_run.parent_flow_run_id is None:
        close_all()


def _retry_if_transient(task: Task, task_run: TaskRun, state: State) -> bool:
    return isinstance(state.data, BaseException) and is_transient(state.data)


# 3 more attempts, 2 s, 4 s and 8 s later (+/- 20%).
IO = {
    "cache_policy": NO_CACHE,
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.2,
    "retry_condition_fn": _retry_if_transient,
}


@task(name="build features", **IO)
def build_features(warehouse: str, start: date, end: date) -> int:
    return features.build_features(open_warehouse(warehouse), start, end)


@task(name="compute features", **IO)
def compute_features(warehouse: str, game_date: date) -> pa.Table:
    return features.compute_features(open_warehouse(warehouse), game_date, game_date)


@task(name="read models", **IO)
def read_models(warehouse: str, model_ids: Sequence[str]) -> list[registry.RegisteredModel]:
    return registry.read_models(open_warehouse(warehouse), model_ids)


@task(name="read feature batch", **IO)
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


@task(name="write predictions", **IO)
def write_predictions(warehouse: str, rows: pa.Table) -> int:
    return predictions.write_predictions(open_warehouse(warehouse), rows)


@task(name="write run log", **IO)
def write_run_log(warehouse: str, rows: pa.Table) -> int:
    return predictions.write_run_log(open_warehouse(warehouse), rows)


@task(name="read grading status", **IO)
def read_grading_status(warehouse: str, game_date: date) -> grading.GradingStatus:
    return grading.grading_status(open_warehouse(warehouse), game_date)


@task(name="grade predictions", **IO)
def grade_predictions(warehouse: str, game_date: date) -> int:
    return grading.grade_predictions(open_warehouse(warehouse), game_date)


@task(name="read daily performance", **IO)
def read_daily_performance(warehouse: str, game_date: date) -> pa.Table:
    return results.daily_performance(open_warehouse(warehouse), game_date)


@task(name="read leaderboard", **IO)
def read_leaderboard(warehouse: str) -> pa.Table:
    return results.leaderboard(open_warehouse(warehouse))


@task(name="read game days", **IO)
def read_game_days(warehouse: str, start: date, end: date) -> list[date]:
    return features.game_days(open_warehouse(warehouse), start, end=end)
