"""The grading flow: after the games, fill in actual points, errors and bet outcomes.

Local run: `python -m flows.grading --date 2026-03-02` (or `shadowline grade`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from tasks.flow_tasks import (
    free_warehouse_if_done,
    grade_predictions,
    read_daily_performance,
    read_grading_status,
    read_leaderboard,
)
from tasks.grading import GradingStatus
from tasks.report import format_markdown
from tasks.settings import Settings


@dataclass
class GradingSummary:
    game_date: date
    before: GradingStatus
    after: GradingStatus
    changed: int
    daily: pa.Table | None
    note: str | None = None


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
    if summary.daily is not None:
        parts += [f"## Results on {day}", format_markdown(summary.daily)]
    parts += ["## All-time leaderboard", format_markdown(leaderboard)]
    create_markdown_artifact(
        key=f"grading-{day}", markdown="\n\n".join(parts), description=f"grading {day}: {status}"
    )


@flow(
    name="grading",
    flow_run_name=_run_name,
    validate_parameters=True,
    timeout_seconds=1800,  # a hung warehouse job ends the run instead of blocking the next
)
def grading(game_date: date | None = None, warehouse: str | None = None) -> GradingSummary:
    """Grade `game_date`'s predictions (default: yesterday in Eastern time) from the box scores;
    running it again changes nothing."""
    url = warehouse or Settings().warehouse
    try:
        summary = _grading(game_date, url)
        publish(summary, read_leaderboard(url))
    finally:
        free_warehouse_if_done()
    return summary


def _grading(game_date: date | None, url: str) -> GradingSummary:
    settings = Settings()
    logger = get_run_logger()
    game_date = game_date or settings.yesterday()
    before = read_grading_status(url, game_date)
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
    changed = grade_predictions(url, game_date)
    after = read_grading_status(url, game_date)
    logger.info(
        "%s: %d rows changed; %d graded, %d void, %d awaiting results",
        game_date,
        changed,
        after.graded,
        after.void,
        after.ungraded,
    )
    return GradingSummary(game_date, before, after, changed, read_daily_performance(url, game_date))


if __name__ == "__main__":
    from flows.cli import main

    raise SystemExit(main(["grade", *__import__("sys").argv[1:]]))
