"""Grading: fill the results of predictions from the box scores, one date or a range at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shadowline.tasks.warehouse import Warehouse, sql_text


@dataclass(frozen=True)
class GradingStatus:
    game_date: date
    box_score_rows: int = 0
    predictions: int = 0
    graded: int = 0
    void: int = 0
    ungraded: int = 0


def grading_statuses(warehouse: Warehouse, start: date, end: date) -> dict[date, GradingStatus]:
    """What grading can do on each game date start..end that has box scores or predictions."""
    rows = warehouse.query(
        sql_text("grading/grading_status"), {"start_date": start, "end_date": end}
    ).to_pylist()
    return {r["game_date"]: GradingStatus(**{k: r[k] or 0 for k in r}) for r in rows}


def grading_status(warehouse: Warehouse, game_date: date) -> GradingStatus:
    return grading_statuses(warehouse, game_date, game_date).get(
        game_date, GradingStatus(game_date)
    )


def grade_predictions(warehouse: Warehouse, start: date, end: date | None = None) -> int:
    """Grade the game dates `start`..`end` (default: `start` alone) in one statement; the number
    of prediction rows whose result changed (0 on a rerun)."""
    params = {"start_date": start, "end_date": end or start}
    return warehouse.execute(sql_text("grading/grade_predictions"), params)
