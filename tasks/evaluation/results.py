"""Reading the comparison views: one game date, the leaderboard, a head-to-head."""

from __future__ import annotations

import importlib
import textwrap
import threading
from datetime import date

import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.evaluation.comparisons import BestSet, PairComparison, best_set
from shadowline.tasks.evaluation.monitor import MONITOR_LEGEND
from shadowline.tasks.reporting.tables import Columns, format_table
from shadowline.tasks.warehouse import Warehouse, sql_text


class NotComparable(ShadowlineError):
    """A head-to-head of a model with no graded predictions."""


def report_tables(warehouse: Warehouse, start: date, end: date) -> dict[str, pa.Table | None]:
    """What the report draws beyond its own queries, over game dates start..end: the edge tiers,
    and the over probabilities' reliability bins (None before any row has one)."""
    from shadowline.tasks.evaluation.calibration import calibration_rows, reliability
    from shadowline.tasks.evaluation.tiers import read_tiers

    try:
        rows, _ = calibration_rows(warehouse, start=start, end=end)
    except ShadowlineError:
        rows = None
    bins = reliability(rows) if rows is not None else None
    return {"tiers": read_tiers(warehouse, start=start, end=end), "reliability": bins}


def daily_performance(warehouse: Warehouse, game_date: date) -> pa.Table:
    return warehouse.query(sql_text("reports/daily_performance"), {"game_date": game_date})


LINED_NOTE = (
    "mae: all of a model's graded rows. mae_vs_line: on the rows with a line (lined_predictions), "
    "the model's MAE (mae_on_lined) minus the consensus line's (line_mae); < 0: closer than the "
    "line. roi_at_odds and units: per bet at the best price for the bet's side among the books "
    "offering the line (break-even: break_even_at_odds; roi: at -110, break-even 52.4%)."
)

# The columns a person decides on, each table under 100 characters; --wide shows every one.
LEADERBOARD_COLUMNS = (
    "rank", "model_id", "mae", "best_set", "mae_vs_line", "bets", "bet_accuracy", "roi_at_odds",
    "units",
)  # fmt: skip
HEAD_TO_HEAD_COLUMNS = (
    "model_a", "model_b", "shared_predictions", "game_days", "model_a_mae", "model_b_mae",
    "mae_difference",
)  # fmt: skip
DAILY_COLUMNS = (
    "model_id", "graded_predictions", "mae", "mae_vs_line", "bets", "bet_accuracy",
    "roi_at_odds", "units",
)  # fmt: skip
DECAY_COLUMNS = (
    "model_id", "game_days", "test_mae", "reference_mae", "mae_7", "mae_14",
    "decay_z", "hit_rate_14", "state",
)  # fmt: skip
MONITOR_COLUMNS = (
    "model_id", "against_model_id", "game_days", "estimate", "lower_bound", "upper_bound", "state"
)  # fmt: skip


def leaderboard(warehouse: Warehouse) -> pa.Table:
    return warehouse.query(sql_text("reports/leaderboard"))


def leaderboard_with_best_set(warehouse: Warehouse) -> tuple[pa.Table, BestSet]:
    """The leaderboard with a `best_set` column after `mae`: the models the Model Confidence Set
    keeps (NULL for all when it cannot be computed)."""
    # arch's import is a second of Python; a warehouse query releases the GIL: overlap them
    importing = threading.Thread(target=importlib.import_module, args=("arch.bootstrap",))
    importing.start()
    board = leaderboard(warehouse)
    importing.join()
    models = board["model_id"].to_pylist()
    best = best_set(warehouse, models)
    kept = pa.array(
        [m in best.kept for m in models] if best.kept else [None] * len(models), pa.bool_()
    )
    return board.add_column(board.column_names.index("mae") + 1, "best_set", kept), best


def head_to_head(warehouse: Warehouse, model_a: str, model_b: str) -> pa.Table:
    return warehouse.query(sql_text("reports/head_to_head"), {"a": model_a, "b": model_b})


def graded_models(warehouse: Warehouse) -> list[str]:
    """The models with at least one graded prediction."""
    return warehouse.query(sql_text("reports/graded_models"))["model_id"].to_pylist()


def why_no_head_to_head(warehouse: Warehouse, model_a: str, model_b: str) -> str:
    """Why two models have no head-to-head row: a model with nothing graded is an error (naming
    the models that have some); otherwise they share no graded player-date yet."""
    graded = graded_models(warehouse)
    unknown = [m for m in (model_a, model_b) if m not in graded]
    if unknown:
        raise NotComparable(
            f"no graded predictions for {', '.join(unknown)} "
            f"(models with graded predictions: {', '.join(graded) or 'none yet'})"
        )
    return f"no player-dates graded for both {model_a} and {model_b}"


_LEADERBOARD, _DAILY = Columns(LEADERBOARD_COLUMNS), Columns(DAILY_COLUMNS)
_HEAD_TO_HEAD, _MONITOR = Columns(HEAD_TO_HEAD_COLUMNS), Columns(MONITOR_COLUMNS)


def _note(text: str) -> str:
    return textwrap.fill(text, width=100)


def _table(table: pa.Table, columns: Columns) -> str:
    """The table as `columns` choose, and how to see the columns left out."""
    shown = columns.pick(table)
    text = format_table(shown, width=columns.width)
    hidden = table.num_columns - shown.num_columns
    if hidden and table.num_rows and not columns.chosen:
        more = "1 more column" if hidden == 1 else f"{hidden} more columns"
        text += f"\n({more}: --wide, or --columns a,b,c; csv and json have all)"
    return text


def _live_note(table: pa.Table, rows: str) -> list[str]:
    """Whether the figures mix live and backfilled rows (the live_* columns count live rows)."""
    total, live = sum(table[rows].to_pylist()), sum(table[f"live_{rows}"].to_pylist())
    if not table.num_rows or live == total:
        return []
    live_columns = ", ".join(c for c in table.column_names if c.startswith("live_"))
    return [
        _note(
            f"{total - live:,} of the {total:,} {rows} were backfilled (scored after the games); "
            f"{live_columns}: live rows only"
        )
    ]


def leaderboard_text(board: pa.Table, best: BestSet, columns: Columns = _LEADERBOARD) -> str:
    """The leaderboard as people read it: the table, which rows each MAE covers, the best set."""
    if board.num_rows == 0:
        return format_table(board)
    return "\n".join(
        [
            _table(board, columns),
            _note(LINED_NOTE),
            *_live_note(board, "graded_predictions"),
            _note(best.describe()),
        ]
    )


def daily_text(table: pa.Table, columns: Columns = _DAILY) -> str:
    if table.num_rows == 0:
        return format_table(table)
    return "\n".join([_table(table, columns), _note(LINED_NOTE)])


def head_to_head_text(
    table: pa.Table,
    comparison: PairComparison | None,
    columns: Columns = _HEAD_TO_HEAD,
) -> str:
    """The seed's head-to-head row, then the difference with its interval and a verdict."""
    lines = [_note(line) for line in comparison.lines()] if comparison else []
    live = _live_note(table, "shared_predictions")
    return "\n".join([_table(table, columns), *live, "", *lines])


def monitor_text(table: pa.Table, columns: Columns = _MONITOR) -> str:
    if table.num_rows == 0:
        return (
            "no enabled model shares graded rows with a production model yet (promote one with "
            "`shadowline registry promote MODEL`, then run and grade a game day)"
        )
    return "\n".join([_table(table, columns), _note(MONITOR_LEGEND)])


def tiers_text(table: pa.Table, columns: Columns) -> str:
    """Each model's edge tiers, which ones the evidence sets apart from break-even, and how."""
    from shadowline.tasks.evaluation.tiers import TIERS_LEGEND, TIERS_SUMMARY

    if table.num_rows == 0:
        return "no graded bets yet (a bet: OVER or UNDER, graded WIN, LOSS or PUSH)"
    found = [
        f"{r['model_id']} {r['direction']} {r['edge_tier']}: {r['verdict']}"
        for r in table.to_pylist()
        if r["verdict"].startswith(("above", "below"))
    ]
    summary = TIERS_SUMMARY.format(tiers=table.num_rows, found="; ".join(found) or "none")
    return "\n".join(
        [_table(table, columns), *_live_note(table, "bets"), _note(TIERS_LEGEND), _note(summary)]
    )


def decay_text(table: pa.Table, columns: Columns) -> str:
    """Each watched model's decay state, and the reasons for any that is not ok."""
    from shadowline.tasks.evaluation.decay import DECAY_LEGEND

    if table.num_rows == 0:
        return "no production or enabled model has graded predictions yet"
    rows = table.to_pylist()
    reasons = [f"{r['model_id']}: {r['state']}: {r['reason']}" for r in rows if r["reason"]]
    not_live = [r["model_id"] for r in rows if r["reference_source"] not in (None, "live")]
    if not_live:
        reasons.append(
            "held to backfilled rows (no game day scored live yet, or a backfill among its first "
            f"weeks): {', '.join(not_live)}"
        )
    return "\n".join([_table(table, columns), *map(_note, reasons), _note(DECAY_LEGEND)])


def segments_text(table: pa.Table, model_a: str, model_b: str, columns: Columns) -> str:
    from shadowline.tasks.evaluation.segments import SEGMENTS_LEGEND

    if table.num_rows == 0:
        return f"no player-dates graded for both {model_a} and {model_b}"
    return "\n".join(
        [f"a = {model_a}, b = {model_b}", _table(table, columns), _note(SEGMENTS_LEGEND)]
    )


NO_LIVE_CALIBRATION = (
    "no live rows with an over probability yet: these are backfilled rows (scored after the "
    "games), whose features may know what the line did not"
)


def calibration_text(
    table: pa.Table, columns: Columns, include_backfill: bool, backfill_read: bool
) -> str:
    """Each model's calibration, the bets that were promised more than they won, and whether
    backfilled rows are in (asked for, or read because no row is live yet)."""
    from shadowline.tasks.evaluation.calibration import CALIBRATION_LEGEND

    over = [
        f"{r['model_id']} promised its bets {r['promised']:.1%} and won {r['won']:.1%}"
        for r in table.to_pylist()
        if r["promised"] is not None and r["bets"] >= 100 and r["promised"] - r["won"] > 0.05
    ]
    if not backfill_read:
        rows = [_note("live rows only (scored by their game's line cutoff); --include-backfill "
                      "adds the backfilled ones")]  # fmt: skip
    elif include_backfill:
        rows = _live_note(table, "rows")
    else:
        rows = [_note(NO_LIVE_CALIBRATION)]
    return "\n".join(
        [
            _table(table, columns),
            *rows,
            *map(_note, over),
            _note(CALIBRATION_LEGEND),
        ]
    )
