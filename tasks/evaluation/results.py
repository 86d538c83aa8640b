"""Reading the comparison views: one game date, the leaderboard, a head-to-head."""

from __future__ import annotations

import textwrap
from datetime import date

import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.evaluation.comparisons import BestSet, PairComparison, best_set
from shadowline.tasks.evaluation.monitor import MONITOR_LEGEND
from shadowline.tasks.reporting.tables import format_table
from shadowline.tasks.warehouse import Warehouse, sql_text


class NotComparable(ShadowlineError):
    """A head-to-head of a model with no graded predictions."""


def daily_performance(warehouse: Warehouse, game_date: date) -> pa.Table:
    return warehouse.query(sql_text("reports/daily_performance"), {"game_date": game_date})


LINED_NOTE = (
    "mae: all of a model's graded rows. lined_predictions: those with a line; on exactly those "
    "rows mae_on_lined is the model's MAE and line_mae the consensus line's (mae_vs_line < 0: "
    "closer than the line). roi: per bet at -110 (break-even 52.4%); roi_at_odds and units: at "
    "the best price for the bet's side among the books offering the line, whose own break-even "
    "is break_even_at_odds."
)


def leaderboard(warehouse: Warehouse) -> pa.Table:
    return warehouse.query(sql_text("reports/leaderboard"))


def leaderboard_with_best_set(warehouse: Warehouse) -> tuple[pa.Table, BestSet]:
    """The leaderboard with a `best_set` column after `mae`: the models the Model Confidence Set
    keeps (NULL for all when it cannot be computed)."""
    board = leaderboard(warehouse)
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


def _note(text: str) -> str:
    return textwrap.fill(text, width=100)


def leaderboard_text(board: pa.Table, best: BestSet) -> str:
    """The leaderboard as people read it: the table, which rows each MAE covers, the best set."""
    if board.num_rows == 0:
        return format_table(board)
    return "\n".join([format_table(board), _note(LINED_NOTE), _note(best.describe())])


def daily_text(table: pa.Table) -> str:
    if table.num_rows == 0:
        return format_table(table)
    return "\n".join([format_table(table), _note(LINED_NOTE)])


def head_to_head_text(table: pa.Table, comparison: PairComparison | None) -> str:
    """The seed's head-to-head row, then the difference with its interval and a verdict."""
    lines = comparison.lines() if comparison else []
    return "\n".join([format_table(table), "", *lines])


def monitor_text(table: pa.Table) -> str:
    if table.num_rows == 0:
        return (
            "no enabled model shares graded rows with a production model yet (promote one with "
            "`shadowline registry promote MODEL`, then run and grade a game day)"
        )
    return "\n".join([format_table(table), _note(MONITOR_LEGEND)])
