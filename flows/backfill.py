"""The backfill flow: the experiment (and grading, where results exist) over a range of dates.

Each date is an ordinary `experiment` and `grading` subflow run, with its own run name and
artifacts; the backfill lends them its warehouse and scoring actors, so each model is loaded once
for the whole range. A newly registered model backfilled alone (`models=[...]`) gets the same
dates as the others and is comparable with them at once.

Local run: `shadowline backfill --start 2026-03-02 --end 2026-03-15 [--model ID ...]`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run

from shadowline.flows.experiment import ExperimentSummary, experiment
from shadowline.flows.grading import GradingSummary, grading
from shadowline.tasks.features import check_range
from shadowline.tasks.flow_tasks import read_game_days, read_models
from shadowline.tasks.resources import lend, scorers_for_run, warehouse_for_run
from shadowline.tasks.scoring import ScorerPool
from shadowline.tasks.settings import Settings
from shadowline.tasks.warehouse import Warehouse

# Per-date progress for a terminal: the CLI attaches a handler; without one it is silent.
progress_log = logging.getLogger("shadowline.progress")


@dataclass
class BackfillSummary:
    start: date
    end: date
    dates: list[date] = field(default_factory=list)
    experiments: list[ExperimentSummary] = field(default_factory=list)
    gradings: list[GradingSummary] = field(default_factory=list)
    actors_started: int = 0

    @property
    def rows_written(self) -> int:
        return sum(e.rows_written for e in self.experiments)

    @property
    def failures(self) -> int:
        return sum(len(e.failed) for e in self.experiments)


def _run_name() -> str:
    parameters = flow_run.parameters
    end = parameters.get("end") or Settings().yesterday()
    return f"backfill {parameters.get('start')}..{end}"


@flow(
    name="backfill",
    flow_run_name=_run_name,
    validate_parameters=True,
    timeout_seconds=12 * 3600,  # a season of dates on BigQuery fits; a hung run still ends
)
def backfill(
    start: date,
    end: date | None = None,
    models: list[str] | None = None,
    grade: bool = True,
    warehouse: str | None = None,
) -> BackfillSummary:
    """Run the experiment for every game date from `start` through `end` (default: yesterday in
    Eastern time) with every enabled model, or just the registry ids in `models`; then grade each
    date whose box scores are loaded (unless `grade` is false). Rerunning gives the same rows."""
    settings = Settings()
    end = end or settings.yesterday()
    check_range(start, end, "backfill")
    with (
        warehouse_for_run(warehouse or settings.warehouse) as store,
        scorers_for_run(settings) as scorers,
        lend(warehouse=store, scorers=scorers),
    ):
        return _backfill(store, scorers, start, end, models, grade)


def _backfill(
    warehouse: Warehouse,
    scorers: ScorerPool,
    start: date,
    end: date,
    models: list[str] | None,
    grade: bool,
) -> BackfillSummary:
    logger = get_run_logger()
    url = warehouse.url
    read_models(warehouse, models or [])  # an unknown model id fails here, not on every date
    summary = BackfillSummary(start, end, dates=read_game_days(warehouse, start, end))
    total = len(summary.dates)
    which = ", ".join(models) if models else "every enabled model"
    if not total:
        _progress(logger, f"backfill {start}..{end}: no games in nba_raw.schedule, nothing to do")
        return summary
    _progress(logger, f"backfill {start}..{end}: {total} game dates, {which}")
    artifact = create_progress_artifact(
        0.0, key="backfill", description=f"backfill {start}..{end}: 0/{total} dates"
    )
    first_actor = scorers.actors_started
    for number, day in enumerate(summary.dates, start=1):
        ran = experiment(game_date=day, models=models, warehouse=url)
        summary.experiments.append(ran)
        line = f"{ran.rows_written:,} predictions" if not ran.note else ran.note
        if ran.failed:
            line += f", {len(ran.failed)} models failed"
        if grade and not ran.note:
            # the report (plots) once, for the range's last date, not once a day
            graded = grading(game_date=day, warehouse=url, report=number == total)
            summary.gradings.append(graded)
            line += f", {graded.after.graded:,} graded" if not graded.note else ", not graded yet"
        done = f"{number}/{total} dates done"
        _progress(logger, f"[{done}] {day}: {line}")
        update_progress_artifact(
            artifact, 100 * number / total, description=f"backfill {start}..{end}: {done}"
        )
    summary.actors_started = scorers.actors_started - first_actor
    _progress(
        logger,
        f"backfill {start}..{end} finished: {summary.rows_written:,} predictions over {total} "
        f"dates, {summary.failures} model failures, {summary.actors_started} scoring actors",
    )
    return summary


def _progress(logger: logging.LoggerAdapter, message: str) -> None:
    logger.info(message)
    progress_log.info(message)
