"""Reading the comparison views: one game date, the leaderboard, a head-to-head."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from tasks.warehouse import Warehouse


def daily_performance(warehouse: Warehouse, game_date: date) -> pa.Table:
    return warehouse.query(
        """select model_id, predictions, graded_predictions, mae, median_error, bets, wins,
        losses, pushes, bet_accuracy, roi, beat_vegas_rate, beat_baseline_rate
        from nba_predictions.v_ml_model_daily_performance
        where game_date = @game_date
        order by mae""",
        {"game_date": game_date},
    )


def leaderboard(warehouse: Warehouse) -> pa.Table:
    return warehouse.query(
        """select rank, model_id, model_type, feature_version, is_production, is_baseline,
        graded_predictions, mae, median_error, p90_error, within_5_rate, bets, bet_accuracy,
        roi, beat_vegas_rate, beat_baseline_rate
        from nba_predictions.v_ml_model_leaderboard
        order by mae"""
    )


def head_to_head(warehouse: Warehouse, model_a: str, model_b: str) -> pa.Table:
    return warehouse.query(
        """select model_a, model_b, shared_predictions, game_days, model_a_mae, model_b_mae,
        mae_difference, model_a_wins, model_b_wins, ties, model_a_win_rate,
        model_a_bet_accuracy, model_b_bet_accuracy, better_model
        from nba_predictions.v_ml_model_head_to_head
        where @a in (model_a, model_b) and @b in (model_a, model_b)""",
        {"a": model_a, "b": model_b},
    )


def graded_models(warehouse: Warehouse) -> list[str]:
    """The models with at least one graded prediction."""
    rows = warehouse.query(
        "select model_id from nba_predictions.v_ml_model_leaderboard order by model_id"
    )
    return rows["model_id"].to_pylist()
