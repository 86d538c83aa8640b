"""Commands that run the flows: `demo`, `run`, `backfill` and `grade`."""

from __future__ import annotations

import sys
from typing import Annotated

from cyclopts import Parameter, validators

from shadowline.flows.cli.app import Day, Given, ModelIds, app, say, valid_min_edge
from shadowline.flows.cli.launch import flow_runs
from shadowline.tasks.reporting.tables import format_table, print_table


@app.command
def demo(
    *,
    seed: Annotated[int, Parameter(help="season seed (default 7)")] = 7,
    days: Annotated[
        int,
        Parameter(
            help="game days in the experiment window (1-40, default 14)",
            validator=validators.Number(gte=1, lte=40),
        ),
    ] = 14,
    session: Given,
) -> int:
    """generate a synthetic season, train and register models, run experiments and grading over
    a window of game days, and print the leaderboard"""
    from shadowline.flows.demo import run_demo

    with flow_runs(session, scoring=True):
        run_demo(session.warehouse, session.settings, seed=seed, days=days, say=say)
    return 0


@app.command
def run(
    *,
    date: Annotated[Day | None, Parameter(help="game date (default: today, Eastern time)")] = None,
    models: ModelIds = None,
    dry_run: Annotated[bool, Parameter(help="write nothing; show what it would")] = False,
    min_edge: Annotated[
        float | None,
        Parameter(
            help="points between prediction and line for OVER/UNDER "
            "(default: SHADOWLINE_MIN_EDGE, 0)",
            validator=valid_min_edge,
        ),
    ] = None,
    preview_rows: Annotated[int, Parameter(show=False)] = 10,
    session: Given,
) -> int:
    """run the experiment: score every enabled model on a game day"""
    from shadowline.flows.experiment import experiment

    with flow_runs(session, scoring=True, models=models):
        summary = experiment(
            game_date=date,
            models=models,
            dry_run=dry_run,
            min_edge=min_edge,
            warehouse=session.warehouse,
        )
    for line in summary.lines():
        say(line)
    if summary.dry_run and summary.predictions is not None:
        say(f"nothing written; it would write {summary.predictions.num_rows:,} predictions:")
        preview = summary.predictions.select(
            ["model_id", "player_lookup", "predicted_points", "betting_line", "recommendation"]
        )
        say(format_table(preview, max_rows=preview_rows))
    return 1 if summary.outcomes and len(summary.failed) == len(summary.outcomes) else 0


@app.command
def backfill(
    *,
    start: Annotated[Day, Parameter(help="first game date")],
    end: Annotated[Day | None, Parameter(help="last game date (default: yesterday, ET)")] = None,
    models: ModelIds = None,
    no_grade: Annotated[bool, Parameter(help="run the experiments only; grade nothing")] = False,
    session: Given,
) -> int:
    """run the experiment, and grading where results exist, for every game date in a range"""
    import logging

    from shadowline.flows.backfill import backfill as backfill_flow
    from shadowline.flows.backfill import progress_log

    handler = logging.StreamHandler(sys.stdout)
    progress_log.addHandler(handler)
    progress_log.setLevel(logging.INFO)
    try:
        with flow_runs(session, scoring=True, models=models):
            summary = backfill_flow(
                start=start, end=end, models=models, grade=not no_grade,
                warehouse=session.warehouse,
            )  # fmt: skip
    finally:
        progress_log.removeHandler(handler)
    for ran in summary.experiments:
        if ran.failed:
            for line in ran.lines(prefix="  "):
                say(line)
    return 0


@app.command
def grade(
    *,
    date: Annotated[Day | None, Parameter(help="game date (default: yesterday, ET)")] = None,
    session: Given,
) -> int:
    """grade a game day's predictions from the box scores"""
    from shadowline.flows.grading import grading

    with flow_runs(session, scoring=False):
        summary = grading(game_date=date, warehouse=session.warehouse)
    if summary.note:
        say(f"grading {summary.game_date}: {summary.note}")
        return 0
    after = summary.after
    say(
        f"grading {summary.game_date}: {summary.changed:,} rows changed; {after.graded:,} graded, "
        f"{after.void:,} void (did not play), {after.ungraded:,} awaiting results"
    )
    if summary.daily is not None:
        print_table(summary.daily)
    return 0
