"""Commands that read the results: `leaderboard`, `head-to-head`, `daily`, `monitor`, `decay`,
`tiers`, `segments`, `calibration` and `report`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from cyclopts import Parameter

from shadowline.flows.cli.app import ColumnNames, Day, Format, Given, Wide, app, say
from shadowline.tasks.core.errors import UsageError
from shadowline.tasks.reporting.tables import Columns, print_table
from shadowline.tasks.warehouse import open_warehouse


@app.command
def leaderboard(
    *, format: Format = "table", wide: Wide = False, columns: ColumnNames = None, session: Given
) -> int:
    """all-time model rankings by MAE, beside the line's MAE on the same rows, and the models
    tied for best"""
    from shadowline.tasks.evaluation.results import (
        LEADERBOARD_COLUMNS,
        leaderboard_text,
        leaderboard_with_best_set,
    )

    view = Columns.parse(LEADERBOARD_COLUMNS, wide, columns)
    with open_warehouse(session.warehouse) as warehouse:
        board, best = leaderboard_with_best_set(warehouse)
    if format == "table":
        say(leaderboard_text(board, best, view))
    else:
        print_table(board, format)
    return 0


@app.command(name="head-to-head")
def head_to_head(
    model_a: Annotated[str, Parameter(name="MODEL_A")],
    model_b: Annotated[str, Parameter(name="MODEL_B")],
    /,
    *,
    format: Format = "table",
    wide: Wide = False,
    columns: ColumnNames = None,
    session: Given,
) -> int:
    """compare two models on the predictions both made: the MAE difference with its 95%
    interval (game days as clusters), p-value, sign test and a verdict in words"""
    import pyarrow as pa

    from shadowline.tasks.evaluation.comparisons import compare_models
    from shadowline.tasks.evaluation.results import (
        HEAD_TO_HEAD_COLUMNS,
        head_to_head_text,
        why_no_head_to_head,
    )
    from shadowline.tasks.evaluation.results import head_to_head as read_head_to_head

    view = Columns.parse(HEAD_TO_HEAD_COLUMNS, wide, columns)
    if model_a == model_b:
        raise UsageError(f"head-to-head needs two different models (got {model_a} twice)")
    with open_warehouse(session.warehouse) as warehouse:
        table = read_head_to_head(warehouse, model_a, model_b)
        if table.num_rows == 0:
            reason = why_no_head_to_head(warehouse, model_a, model_b)
            if format == "table":
                say(reason)
                return 0
        comparison = compare_models(warehouse, model_a, model_b)
    if format == "table":
        say(head_to_head_text(table, comparison, view))
        return 0
    if comparison is not None:
        for name, value in comparison.as_row().items():
            table = table.append_column(name, pa.array([value]))
    print_table(table, format)
    return 0


@app.command
def daily(
    *,
    date: Annotated[Day | None, Parameter(help="game date (default: yesterday, ET)")] = None,
    format: Format = "table",
    wide: Wide = False,
    columns: ColumnNames = None,
    session: Given,
) -> int:
    """each model's results on one game date"""
    from shadowline.tasks.evaluation.results import DAILY_COLUMNS, daily_performance, daily_text

    view = Columns.parse(DAILY_COLUMNS, wide, columns)
    game_date = date or session.settings.yesterday()
    with open_warehouse(session.warehouse) as warehouse:
        table = daily_performance(warehouse, game_date)
    if format == "table":
        say(f"daily performance {game_date}")
        say(daily_text(table, view))
    else:
        print_table(table, format)
    return 0


@app.command
def monitor(
    *, format: Format = "table", wide: Wide = False, columns: ColumnNames = None, session: Given
) -> int:
    """each enabled model against production: an anytime-valid 95% confidence sequence, safe
    to read every day (updated by every grading run)"""
    from datetime import UTC, datetime

    from shadowline.tasks.evaluation.monitor import read_monitor, update_monitor
    from shadowline.tasks.evaluation.results import MONITOR_COLUMNS, monitor_text

    view = Columns.parse(MONITOR_COLUMNS, wide, columns)
    with open_warehouse(session.warehouse) as warehouse:
        update_monitor(warehouse, datetime.now(UTC))
        table = read_monitor(warehouse)
    if format == "table":
        say(monitor_text(table, view))
    else:
        print_table(table, format)
    return 0


@app.command
def segments(
    model_a: Annotated[str, Parameter(name="MODEL_A")],
    model_b: Annotated[str, Parameter(name="MODEL_B")],
    /,
    *,
    format: Format = "table",
    wide: Wide = False,
    columns: ColumnNames = None,
    session: Given,
) -> int:
    """the head-to-head split by slate size, side, home or away and line level: each segment's
    MAE difference with its 95% interval and both models' hit rates"""
    from shadowline.tasks.evaluation.results import segments_text, why_no_head_to_head
    from shadowline.tasks.evaluation.segments import SEGMENTS_COLUMNS, read_segments

    view = Columns.parse(SEGMENTS_COLUMNS, wide, columns)
    if model_a == model_b:
        raise UsageError(f"segments needs two different models (got {model_a} twice)")
    with open_warehouse(session.warehouse) as warehouse:
        table = read_segments(warehouse, model_a, model_b)
        if table.num_rows == 0:
            why_no_head_to_head(warehouse, model_a, model_b)  # an unknown model is an error
    if format == "table":
        say(segments_text(table, model_a, model_b, view))
    else:
        print_table(table, format)
    return 0


@app.command
def decay(
    *, format: Format = "table", wide: Wide = False, columns: ColumnNames = None, session: Given
) -> int:
    """production and each enabled model against its own first weeks live (a model never live
    yet: its first graded weeks): rolling 7- and 14-game-day MAE and hit rate, and a state (ok,
    watch, decaying) safe to read every day (updated by every grading run)"""
    from datetime import UTC, datetime

    from shadowline.tasks.evaluation.decay import read_decay, update_decay
    from shadowline.tasks.evaluation.results import DECAY_COLUMNS, decay_text

    view = Columns.parse(DECAY_COLUMNS, wide, columns)
    with open_warehouse(session.warehouse) as warehouse:
        update_decay(warehouse, datetime.now(UTC))
        table = read_decay(warehouse)
    if format == "table":
        say(decay_text(table, view))
    else:
        print_table(table, format)
    return 0


@app.command
def tiers(
    *,
    model: Annotated[str | None, Parameter(help="one registry id (default: every model)")] = None,
    edges: Annotated[
        str | None, Parameter(help="tier bounds in points of |predicted - line| (default 1,2,3,5)")
    ] = None,
    format: Format = "table",
    wide: Wide = False,
    columns: ColumnNames = None,
    session: Given,
) -> int:
    """each model's bets by edge tier and side: hit rate with its 95% interval (game days as
    clusters) beside break-even, ROI and units, and which tiers the evidence sets apart from
    break-even with every tier read at once (Holm)"""
    from shadowline.tasks.evaluation.results import tiers_text
    from shadowline.tasks.evaluation.tiers import TIERS_COLUMNS, parse_edges, read_tiers

    view = Columns.parse(TIERS_COLUMNS, wide, columns)
    bounds = parse_edges(edges)
    with open_warehouse(session.warehouse) as warehouse:
        table = read_tiers(warehouse, model, bounds)
    if format == "table":
        say(tiers_text(table, view))
    else:
        print_table(table, format)
    return 0


@app.command
def calibration(
    *,
    model: Annotated[str | None, Parameter(help="one registry id (default: every model)")] = None,
    include_backfill: Annotated[
        bool, Parameter(help="read backfilled rows too (default: live rows only)")
    ] = False,
    format: Format = "table",
    wide: Wide = False,
    columns: ColumnNames = None,
    session: Given,
) -> int:
    """how far to trust each model's over probabilities: Brier score, log loss and calibration
    error, what its bets were promised against what they won, and its Brier against
    production's with a 95% interval (game days as clusters)"""
    from shadowline.tasks.evaluation.calibration import (
        CALIBRATION_COLUMNS,
        calibration,
        calibration_rows,
    )
    from shadowline.tasks.evaluation.results import calibration_text

    view = Columns.parse(CALIBRATION_COLUMNS, wide, columns)
    with open_warehouse(session.warehouse) as warehouse:
        rows, backfill_read = calibration_rows(warehouse, model, include_backfill)
    table = calibration(rows)
    if format == "table":
        say(calibration_text(table, view, include_backfill, backfill_read))
    else:
        print_table(table, format)
    return 0


@app.command
def report(
    *,
    start: Annotated[Day | None, Parameter(help="first game date (default: first graded)")] = None,
    end: Annotated[Day | None, Parameter(help="last game date (default: last graded)")] = None,
    out: Annotated[
        Path | None,
        Parameter(help="folder (default: SHADOWLINE_REPORTS_DIR/END, .shadowline/reports/END)"),
    ] = None,
    session: Given,
) -> int:
    """plot every model's graded results over time (cumulative MAE beside the line's, rolling
    bet accuracy, each challenger's confidence sequence against production, error distributions,
    edge tiers, over probabilities against how often the over won) into PNG files, a report.md
    that shows them and one self-contained report.html"""
    from datetime import UTC, date, datetime

    from shadowline.tasks.evaluation.monitor import update_monitor
    from shadowline.tasks.evaluation.results import report_tables
    from shadowline.tasks.reporting.plots import write_report

    if start and end and start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    with open_warehouse(session.warehouse) as warehouse:
        update_monitor(warehouse, datetime.now(UTC))  # as `monitor` does: against production now
        extra = report_tables(warehouse, start or date.min, end or date.max)
        written = write_report(
            warehouse, session.settings.reports_dir, start=start, end=end, out=out, **extra
        )
    say(written.summary)
    for path in written.files:
        say(f"wrote {path}")
    return 0
