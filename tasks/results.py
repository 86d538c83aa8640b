"""Reading the comparison views: one game date, the leaderboard, a head-to-head."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from shadowline.tasks.errors import ShadowlineError
from shadowline.tasks.warehouse import Warehouse, WarehouseError, sql_text, transpile


class NotComparable(ShadowlineError):
    """A head-to-head of a model with no graded predictions."""


def daily_performance(warehouse: Warehouse, game_date: date) -> pa.Table:
    return warehouse.query(sql_text("reports/daily_performance"), {"game_date": game_date})


def leaderboard(warehouse: Warehouse) -> pa.Table:
    return warehouse.query(sql_text("reports/leaderboard"))


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


def run_sql(warehouse: Warehouse, sql: str) -> pa.Table | int:
    """Run a user's BigQuery SQL: the rows when its last statement is a query, else the number
    of rows its statements changed."""
    statements = transpile(sql, "bigquery")
    if not statements:
        raise WarehouseError("no SQL statement given")
    if statements[-1].is_query:
        return warehouse.query(sql)
    return warehouse.execute(sql)
