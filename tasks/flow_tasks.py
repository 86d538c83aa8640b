"""Prefect tasks: thin, named wrappers of the plain functions, one I/O or transform step each.

Tasks take the flow run's warehouse (opened and closed by the flow, see `resources`); caching is
off: every step reads or writes live tables.

Warehouse steps retry with backoff, and only on errors another attempt may fix (a DuckDB file
held by another process, a BigQuery 503): every write replaces its keys, so a retry cannot
duplicate rows. Scoring never retries: a model that fails (a corrupt file, a wrong feature set)
fails the same way again, so it is recorded in the run log and skipped. Model file downloads
retry inside the Cloud Storage client, which backs off on the same transient errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State
from prefect.tasks import exponential_backoff

from shadowline.tasks.core.settings import Settings
from shadowline.tasks.evaluation import alerts, decay, monitor, probabilities, results
from shadowline.tasks.features import catalog, health
from shadowline.tasks.features import slate as slates
from shadowline.tasks.features import store as features
from shadowline.tasks.grading import grade as grading
from shadowline.tasks.models.files import ModelSpec
from shadowline.tasks.registry import entries as registry
from shadowline.tasks.registry import training
from shadowline.tasks.reporting import plots
from shadowline.tasks.scoring import predictions
from shadowline.tasks.scoring.pool import ScorerPool
from shadowline.tasks.scoring.scorer import ScoreResult
from shadowline.tasks.warehouse import Warehouse, is_transient


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
def build_features(warehouse: Warehouse, start: date, end: date) -> int:
    return features.build_features(warehouse, start, end)


@task(name="compute features", **IO)
def compute_features(warehouse: Warehouse, start: date, end: date) -> pa.Table:
    return features.compute_features(warehouse, start, end)


@task(name="read models", **IO)
def read_models(warehouse: Warehouse, model_ids: Sequence[str]) -> list[registry.RegisteredModel]:
    return registry.read_models(warehouse, model_ids)


@task(name="read feature batch", **IO)
def read_feature_batch(warehouse: Warehouse, start: date, end: date) -> pa.Table:
    return features.read_feature_batch(warehouse, start, end)


@task(name="join feature sources", **IO)
def attach_feature_sources(
    warehouse: Warehouse, batch: pa.Table, names: Sequence[str], start: date, end: date
) -> tuple[pa.Table, dict[str, str]]:
    return catalog.attach_sources(warehouse, batch, names, start, end)


@task(name="record feature health", **IO)
def record_feature_health(
    warehouse: Warehouse,
    slates: dict[date, pa.Table],
    models: Sequence[tuple[str, str, tuple[str, ...]]],
    run_ids: dict[date, str],
    settings: Settings,
) -> pa.Table | None:
    training.profile_missing(warehouse, models, min(slates))
    rows = health.measure(warehouse, slates, models, run_ids, settings)
    if rows is not None:
        health.write_health(warehouse, rows)
    return rows


@task(name="read prop players", **IO)
def read_prop_players(warehouse: Warehouse, start: date, end: date) -> pa.Table:
    return slates.read_prop_players(warehouse, start, end)


@task(name="score models", cache_policy=NO_CACHE)
def score_models(
    scorers: ScorerPool, specs: Sequence[ModelSpec], slate: pa.Table
) -> list[ScoreResult]:
    return scorers.score(specs, slate)


@task(name="write predictions", **IO)
def write_predictions(warehouse: Warehouse, rows: pa.Table) -> int:
    return predictions.write_predictions(warehouse, rows)


@task(name="write run log", **IO)
def write_run_log(warehouse: Warehouse, rows: pa.Table) -> int:
    return predictions.write_run_log(warehouse, rows)


@task(name="read grading status", **IO)
def read_grading_status(
    warehouse: Warehouse, start: date, end: date
) -> dict[date, grading.GradingStatus]:
    return grading.grading_statuses(warehouse, start, end)


@task(name="grade predictions", **IO)
def grade_predictions(warehouse: Warehouse, start: date, end: date | None = None) -> int:
    return grading.grade_predictions(warehouse, start, end)


@task(name="store over probabilities", **IO)
def update_probabilities(warehouse: Warehouse, start: date, end: date | None = None) -> int:
    return probabilities.update_probabilities(warehouse, start, end)


@task(name="read daily performance", **IO)
def read_daily_performance(warehouse: Warehouse, game_date: date) -> pa.Table:
    return results.daily_performance(warehouse, game_date)


@task(name="refresh monitor and decay alarms", **IO)
def update_monitor(warehouse: Warehouse, game_date: date | None = None) -> alerts.Watch:
    """Recompute each enabled challenger's confidence sequence against production and each
    watched model's decay alarms; their latest rows, and the alerts that turned on `game_date`
    (none without one: a backfill's turns are history, not news)."""
    now = datetime.now(UTC)
    known = alerts.stored_states(warehouse, game_date) if game_date else set()
    monitored = monitor.update_monitor(warehouse, now)
    decayed = decay.update_decay(warehouse, now)
    found = alerts.alerts(decayed, monitored, game_date, known) if game_date else []
    return alerts.Watch(monitor.read_monitor(warehouse), decay.read_decay(warehouse), found)


@task(name="emit alerts")
def emit_alerts(found: Sequence[alerts.Alert]) -> int:
    """Each alert as a Prefect event, for automations to route (README: "What a betting team
    asks")."""
    from prefect.events import emit_event

    for alert in found:
        payload = {**alert.payload, "message": alert.message}
        emit_event(event=alert.event, resource=alert.resource, payload=payload)
    return len(found)


@task(name="read leaderboard", **IO)
def read_leaderboard(warehouse: Warehouse) -> pa.Table:
    return results.leaderboard(warehouse)


@task(name="write report", **IO)
def write_report(warehouse: Warehouse, reports_dir: Path, end: date) -> plots.Report:
    """The plots and report.md for every graded game day up to `end`."""
    extra = results.report_tables(warehouse, date.min, end)
    return plots.write_report(warehouse, reports_dir, end=end, **extra)


@task(name="read game days", **IO)
def read_game_days(warehouse: Warehouse, start: date, end: date) -> list[date]:
    return features.game_days(warehouse, start, end=end)
