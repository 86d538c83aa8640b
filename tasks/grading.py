"""Grading: fill the results of one game date's predictions from the box scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shadowline.tasks.warehouse import Warehouse, sql_text


@dataclass(frozen=True)
class GradingStatus:
    game_date: date
    box_score_rows: int
    predictions: int
    graded: int
    void: int
    ungraded: int


def grading_status(warehouse: Warehouse, game_date: date) -> GradingStatus:
    row = warehouse.query(sql_text("grading/grading_status"), {"game_date": game_date})
    return GradingStatus(game_date, **{k: int(v or 0) for k, v in row.to_pylist()[0].items()})


def grade_predictions(warehouse: Warehouse, game_date: date) -> int:
    """Grade `game_date`; the number of prediction rows whose result changed (0 on a rerun)."""
    return warehouse.execute(sql_text("grading/grade_predictions"), {"game_date": game_date})
