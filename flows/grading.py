"""The grading flow: after the games, fill in actual points, errors and bet outcomes.

Local run: `shadowline grade --date 2026-03-02`; deployed as `grading-daily` (prefect.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from shadowline.tasks.core.errors import first_line
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.evaluation.alerts import Watch
from shadowline.tasks.evaluation.decay import DECAY_LEGEND
from shadowline.tasks.evaluation.monitor import MONITOR_LEGEND
from shadowline.tasks.flow_tasks import (
    emit_alerts,
    grade_predictions,
    read_daily_performance,
    read_grading_status,
    read_leaderboard,
    update_monitor,
    write_report,
)
from shadowline.tasks.grading.grade import GradingStatus
from shadowline.tasks.reporting.tables import format_markdown
from shadowline.tasks.resources import warehouse_for_run
from shadowline.tasks.warehouse import Warehouse


@dataclass
class GradingSummary:
    game_date: date
    before: GradingStatus
    after: GradingStatus
    changed: int
    daily: pa.Table | None
    note: str | None = None
    watch: Watch | None = None  # the monitor's and decay alarms' latest rows, and the alerts
    report: Path | None = None  # the folder the report's plots were written to
    report_summary: str | None = None  # the report's summary, or why it was not written


def _run_name() -> str:
    game_date = flow_run.parameters.get("game_date") or Settings().yesterday()
    return f"grading {game_date}"


def publish(summary: GradingSummary, leaderboard: pa.Table) -> None:
    """The run's answer in the Prefect UI: the day's results and the all-time leaderboard."""
    day = summary.game_date
    if summary.note:
        status = summary.note
    else:
        after = summary.after
        status = (
            f"{summary.changed:,} rows changed; {after.graded:,} graded, {after.void:,} void "
            f"(did not play), {after.ungraded:,} awaiting results"
        )
    parts = [f"# Grading {day}", status]
    watch = summary.watch
    if watch is not None and watch.alerts:
        parts += [
            "## Alerts",
            *[f"**{a.message}** (Prefect event `{a.event}`)" for a in watch.alerts],
        ]
    if summary.daily is not None:
        parts += [f"## Results on {day}", format_markdown(summary.daily)]
    if watch is not None:
        parts += ["## Daily monitor: challengers against production", MONITOR_LEGEND]
        parts += [format_markdown(watch.monitor)]
        parts += ["## Decay alarms: each model against its first weeks", DECAY_LEGEND]
        parts += [format_markdown(watch.decay)]
    parts += ["## All-time leaderboard", format_markdown(leaderboard)]
    if summary.report_summary:
        parts += ["## Report", summary.report_summary]
        if summary.report:
            page = (summary.report / "report.html").as_uri()
            parts += [
                f"[Open report.html]({page}): the plots and tables in one page; the PNGs "
                f"and report.md are beside it in `{summary.report}`"
            ]
    create_markdown_artifact(
        key=f"grading-{day}", markdown="\n\n".join(parts), description=f"grading {day}: {status}"
    )


@flow(
    name="grading",
    flow_run_name=_run_name,
    validate_parameters=True,
    timeout_seconds=1800,  # a hung warehouse job ends the run instead of blocking the next
)
def grading(
    game_date: date | None = None, warehouse: str | None = None, report: bool = True
) -> GradingSummary:
    """Grade `game_date`'s predictions (default: yesterday in Eastern time) from the box scores;
    running it again changes nothing. With `report`, also writes the report's plots up to that
    date (SHADOWLINE_REPORTS_DIR) and names them in the run's artifact."""
    settings = Settings()
    with warehouse_for_run(warehouse or settings.warehouse) as store:
        summary = _grading(store, game_date or settings.yesterday())
        if summary.note is None and report:  # a backfill draws one, for its last date
            summary.report, summary.report_summary = report_up_to(
                store, summary.game_date, settings.reports_dir
            )
        leaderboard = read_leaderboard(store)
    publish(summary, leaderboard)
    return summary


def _grading(warehouse: Warehouse, game_date: date) -> GradingSummary:
    logger = get_run_logger()
    before = _status(warehouse, game_date)
    if before.predictions == 0:
        note = f"no predictions for {game_date}: nothing to grade (run the experiment first)"
    elif before.box_score_rows == 0:
        note = (
            f"no box scores for {game_date} in nba_analytics.player_game_summary yet: "
            "nothing graded; load them and grade again"
        )
    else:
        note = None
    if note:
        logger.warning(note)
        return GradingSummary(game_date, before, before, 0, None, note)
    changed = grade_predictions(warehouse, game_date)
    after = _status(warehouse, game_date)
    logger.info(
        "%s: %d rows changed; %d graded, %d void, %d awaiting results",
        game_date,
        changed,
        after.graded,
        after.void,
        after.ungraded,
    )
    daily = read_daily_performance(warehouse, game_date)
    watch = update_monitor(warehouse, game_date)
    for alert in watch.alerts:
        logger.warning(alert.message)
    if watch.alerts:  # a task run per day that emits nothing is noise in the UI
        emit_alerts(watch.alerts)
    return GradingSummary(game_date, before, after, changed, daily, watch=watch)


def _status(warehouse: Warehouse, game_date: date) -> GradingStatus:
    statuses = read_grading_status(warehouse, game_date, game_date)
    return statuses.get(game_date, GradingStatus(game_date))


def report_up_to(warehouse: Warehouse, end: date, reports_dir: Path) -> tuple[Path | None, str]:
    """The report up to the graded day `end`: its folder and summary. The grades are written by
    now, so a report that fails (a full disk, a plotting bug) is a warning in the log and the
    artifact, never a failed run: no folder, and the reason as the summary."""
    try:
        written = write_report(warehouse, reports_dir, end)
    except Exception as error:
        reason = f"report not written: {first_line(error)}"
        get_run_logger().warning(reason)
        return None, reason
    return written.folder.resolve(), written.summary
