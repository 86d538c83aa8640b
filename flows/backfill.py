"""The backfill flow: the experiment, and grading where results exist, over a range of dates.

A range is computed as a range, not as a loop of days: features are built and read for a part
of the range at once (SHADOWLINE_BACKFILL_CHUNK_DAYS dates, to bound memory), each model scores
all of its rows in one call, the predictions are written in one transaction and graded in one
statement. The rows are those that running each date alone gives. The Prefect UI shows one run:
its stage tasks, a progress bar and a table artifact with a line per date. A newly registered
model backfilled alone (`models=[...]`) gets the same dates as the others and is comparable with
them at once.

Local run: `shadowline backfill --start 2026-03-02 --end 2026-03-15 [--model ID ...]`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import (
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.runtime import flow_run

from shadowline.flows.experiment import ExperimentSummary, run_dates
from shadowline.flows.grading import report_up_to
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.features.slate import LATE_SHARE
from shadowline.tasks.features.store import check_range
from shadowline.tasks.flow_tasks import (
    grade_predictions,
    read_game_days,
    read_grading_status,
    read_models,
    update_monitor,
    update_probabilities,
)
from shadowline.tasks.grading.grade import GradingStatus
from shadowline.tasks.resources import scorers_for_run, warehouse_for_run
from shadowline.tasks.scoring.pool import ScorerPool
from shadowline.tasks.warehouse import Warehouse

# Per-date progress for a terminal: the CLI attaches a handler; without one it is silent.
progress_log = logging.getLogger("shadowline.progress")


@dataclass
class BackfillSummary:
    start: date
    end: date
    dates: list[date] = field(default_factory=list)
    experiments: list[ExperimentSummary] = field(default_factory=list)
    graded: dict[date, GradingStatus] = field(default_factory=dict)  # after grading
    rows_regraded: int = 0  # prediction rows whose result the grading changed
    scoring_actors: int = 0  # the actors that scored the run (one per core, not per model)
    models_loaded: int = 0
    report: str | None = None  # the report's summary, or why it was not written

    @property
    def rows_written(self) -> int:
        return sum(e.rows_written for e in self.experiments)

    @property
    def failures(self) -> int:
        return sum(len(e.failed) for e in self.experiments)

    def timing_warning(self) -> str | None:
        """One line when some dates' feeds posted too much after the line cutoff, or None."""
        late = [e for e in self.experiments if e.warning and e.slate is not None]
        if not late:
            return None
        cutoff = Settings().line_cutoff
        worst = max(late, key=lambda e: e.slate.after_cutoff_share)  # type: ignore[union-attr]
        share = worst.slate.after_cutoff_share  # type: ignore[union-attr]
        return (
            f"on {len(late)} of {len(self.experiments)} dates more than {LATE_SHARE:.0%} of the "
            f"prop player-games were first posted after the line cutoff "
            f"({cutoff.describe()}; worst {worst.game_date}: {share:.0%}), so they have no line "
            f"(NO_LINE): see `shadowline feeds timing` and {cutoff.fix()}"
        )


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
    Eastern time) with every enabled model, or just the registry ids in `models`; then grade the
    dates whose box scores are loaded (unless `grade` is false). Rerunning gives the same rows."""
    settings = Settings()
    end = end or settings.yesterday()
    check_range(start, end, "backfill")
    with (
        warehouse_for_run(warehouse or settings.warehouse) as store,
        scorers_for_run(settings) as scorers,
    ):
        summary = _backfill(store, scorers, start, end, models, grade, settings)
    publish(summary)
    return summary


def _backfill(
    warehouse: Warehouse,
    scorers: ScorerPool,
    start: date,
    end: date,
    models: list[str] | None,
    grade: bool,
    settings: Settings,
) -> BackfillSummary:
    logger = get_run_logger()
    read_models(warehouse, models or [])  # an unknown model id fails here, before any work
    summary = BackfillSummary(start, end, dates=read_game_days(warehouse, start, end))
    if not summary.dates:
        _progress(logger, f"backfill {start}..{end}: no games in nba_raw.schedule, nothing to do")
        return summary
    parts = _parts(summary, models, settings.backfill_chunk_days, logger)
    artifact = create_progress_artifact(
        0.0, key="backfill", description=f"backfill {start}..{end}: 0/{len(summary.dates)} dates"
    )
    first_load, done = scorers.models_loaded, 0
    for part in parts:
        began = time.perf_counter()
        line = _run_part(warehouse, scorers, part, models, grade, settings, summary)
        done += len(part)
        took = time.perf_counter() - began
        _progress(
            logger,
            f"[{done}/{len(summary.dates)} dates done] {part[0]}..{part[-1]}: {line} ({took:.1f}s)",
        )
        _show_progress(artifact, summary, done)
    if grade and summary.graded:
        update_monitor(warehouse)
        last = max(d for d, g in summary.graded.items() if g.graded + g.void > 0)
        _, summary.report = report_up_to(warehouse, last, settings.reports_dir)
    summary.scoring_actors = scorers.actors
    summary.models_loaded = scorers.models_loaded - first_load
    _progress(
        logger,
        f"backfill {start}..{end} finished: {summary.rows_written:,} predictions over "
        f"{len(summary.dates)} dates, {summary.failures} model failures, "
        f"{summary.models_loaded} models loaded by {summary.scoring_actors} scoring actors",
    )
    if warning := summary.timing_warning():
        _progress(logger, f"warning: {warning}")
    return summary


def _parts(
    summary: BackfillSummary, models: list[str] | None, size: int, logger: logging.LoggerAdapter
) -> list[list[date]]:
    """The range's game dates in parts of up to `size` dates, announced."""
    total = len(summary.dates)
    parts = [summary.dates[i : i + size] for i in range(0, total, size)]
    which = ", ".join(models) if models else "every enabled model"
    _progress(
        logger,
        f"backfill {summary.start}..{summary.end}: {total} game dates, {which}"
        + (f", in {len(parts)} parts of up to {size} dates" if len(parts) > 1 else ""),
    )
    return parts


def _run_part(
    warehouse: Warehouse,
    scorers: ScorerPool,
    part: list[date],
    models: list[str] | None,
    grade: bool,
    settings: Settings,
    summary: BackfillSummary,
) -> str:
    """The experiment on one part's dates as a set, then its grading; what it did, in words."""
    ran = run_dates(
        warehouse, scorers, part, models or [], False, settings.min_edge, regrade=not grade
    )
    summary.experiments += ran
    line = f"{sum(r.rows_written for r in ran):,} predictions"
    failed = {o.model_id for r in ran for o in r.failed}
    if failed:
        line += f", {len(failed)} model{'s' if len(failed) > 1 else ''} failed"
    if grade:
        summary.rows_regraded += grade_predictions(warehouse, part[0], part[-1])
        graded = read_grading_status(warehouse, part[0], part[-1])
        summary.graded.update(graded)
        line += f", {sum(g.graded for g in graded.values()):,} graded"
    # after the grading: each date's probabilities learn from the part's earlier dates too, as
    # a day-by-day run's would
    update_probabilities(warehouse, part[0], part[-1])
    return line


def _show_progress(artifact: UUID, summary: BackfillSummary, done: int) -> None:
    total = len(summary.dates)
    update_progress_artifact(
        artifact,
        100 * done / total,
        description=f"backfill {summary.start}..{summary.end}: {done}/{total}",
    )


def publish(summary: BackfillSummary) -> None:
    """The run's answer in the Prefect UI: one line per date."""
    rows = []
    for ran in summary.experiments:
        graded = summary.graded.get(ran.game_date, GradingStatus(ran.game_date))
        rows.append(
            {
                "game_date": str(ran.game_date),
                "players": ran.slate_players,
                "predictions": ran.rows_written,
                "models_failed": len(ran.failed),
                "graded": graded.graded,
                "void": graded.void,
                "awaiting_results": graded.ungraded,
                "note": ran.note or "",
            }
        )
    create_table_artifact(
        key="backfill-dates",
        table=rows,
        description=(
            f"**backfill {summary.start}..{summary.end}**: {summary.rows_written:,} predictions "
            f"over {len(summary.dates)} dates, {summary.failures} model failures"
        ),
    )


def _progress(logger: logging.LoggerAdapter, message: str) -> None:
    logger.info(message)
    progress_log.info(message)
