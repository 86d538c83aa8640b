"""Inputs several test modules share: small training rows and the seed document's SQL."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from shadowline.flows.demo import DEMO_MODELS
from shadowline.tasks.features.sets import SHIPPED_SETS

V1 = SHIPPED_SETS["v1_basic"]
# The demo fixture's window (`shadowline demo --days 2`): opening night of the 2025-26 season and
# the night after, every team's first game; its models trained on the 2024-25 season.
DEMO_WINDOW = (date(2025, 10, 21), date(2025, 10, 22))
FRAMEWORKS = ("catboost", "xgboost", "lightgbm")
DEMO_MODEL_IDS = frozenset(m for m, _, _ in DEMO_MODELS)  # the demo fixture's registered models


def training_rows(n_dates: int = 20, players: int = 40, seed: int = 1) -> pa.Table:
    """Feature-store-like rows whose points follow pts_avg_last_5, with actual_points."""
    rng = np.random.default_rng(seed)
    n = n_dates * players
    columns = {name: rng.uniform(0, 30, n) for name in V1}
    columns["pts_avg_last_5"] = rng.uniform(2, 30, n)
    points = np.clip(columns["pts_avg_last_5"] + rng.normal(0, 3, n), 0, None).round()
    return pa.table(
        {
            "game_date": [date(2026, 1, 1) + timedelta(days=i // players) for i in range(n)],
            **columns,
            "actual_points": points.astype(np.int64),
        }
    )


# The seed document's SQL, verbatim.
SEED_REGISTER = """
INSERT INTO nba_predictions.ml_model_registry (
    model_id, model_name, model_type, model_version,
    model_path, model_format,
    feature_version, feature_count,
    test_mae,
    enabled, is_production, is_baseline,
    created_at, notes
) VALUES (
    'catboost_v9',
    'CatBoost V9 with Injury Features',
    'catboost',
    'v9',
    'models/catboost_v9_36features.cbm',
    'cbm',
    'v9_36features',
    36,
    3.35,
    TRUE,   -- enabled for experiments
    FALSE,  -- not production yet
    FALSE,  -- not baseline
    CURRENT_TIMESTAMP(),
    'V9 adds injury features'
)
"""
SEED_UNPROMOTE = """
-- 1. Remove current production flag
UPDATE nba_predictions.ml_model_registry
SET is_production = FALSE, updated_at = CURRENT_TIMESTAMP()
WHERE is_production = TRUE;
"""
SEED_PROMOTE = """
-- 2. Set new production model
UPDATE nba_predictions.ml_model_registry
SET is_production = TRUE, updated_at = CURRENT_TIMESTAMP()
WHERE model_id = 'catboost_v9';
"""
SEED_DAILY = """
-- Daily performance
SELECT * FROM nba_predictions.v_ml_model_daily_performance
WHERE game_date = DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)
ORDER BY mae ASC;
"""
SEED_LEADERBOARD = """
-- Overall leaderboard
SELECT model_id, mae, bet_accuracy, graded_predictions
FROM nba_predictions.v_ml_model_leaderboard
ORDER BY mae ASC;
"""
SEED_HEAD_TO_HEAD = """
-- Head-to-head: v8 vs v9
SELECT *
FROM nba_predictions.v_ml_model_head_to_head
WHERE 'catboost_v8' IN (model_a, model_b)
  AND 'catboost_v9' IN (model_a, model_b);
"""


# --- a season in which production decays ----------------------------------------------------
DECAY_START = date(2025, 10, 21)
DECAY_MODELS = ("champ_v1", "steady_v1")  # production decays from DECAY_DAY; the other does not
DECAY_DAY = 40


def decaying_season(seed: int = 4, days: int = 90, players: int = 60) -> tuple[pa.Table, pa.Table]:
    """Box scores and predictions (with lines, ungraded) for `days` game days: both models miss
    by ~3.9 points a row until DECAY_DAY, then production's errors grow by a quarter (its
    features went stale). (box scores, predictions)."""
    from shadowline.tasks.scoring.predictions import prediction_id

    rng = np.random.default_rng(seed)
    box, predictions = [], []
    for d in range(days):
        day = DECAY_START + timedelta(days=d)
        points = rng.poisson(14, players)
        for p in range(players):
            player = f"player_{p:02d}"
            box.append(
                {"player_lookup": player, "game_id": f"G{d}-{p // 12}", "game_date": day,
                 "team_abbr": "BOS", "opponent_team_abbr": "NYK", "home": True,
                 "minutes_played": 30.0, "points": int(points[p])}
            )  # fmt: skip
            line = float(np.floor(points[p] + rng.normal(0, 4))) + 0.5
            for model in DECAY_MODELS:
                spread = 5.0 * (1.25 if model == DECAY_MODELS[0] and d >= DECAY_DAY else 1.0)
                predicted = float(max(0.0, points[p] + rng.normal(0, spread)))
                side = (
                    "OVER" if predicted > line + 1 else "UNDER" if predicted < line - 1 else "PASS"
                )
                predictions.append(
                    {"prediction_id": prediction_id(model, player, day), "model_id": model,
                     "player_lookup": player, "game_date": day, "game_id": f"G{d}-{p // 12}",
                     "predicted_points": predicted, "betting_line": line, "line_books": 3,
                     "recommendation": side, "edge_vs_line": predicted - line, "min_edge": 1.0,
                     "feature_version": "v1_basic", "provenance": "live", "bet_odds": -110}
                )  # fmt: skip
    return pa.Table.from_pylist(box), pa.Table.from_pylist(predictions)


def register_decay_models(warehouse: object) -> None:
    for model in DECAY_MODELS:
        warehouse.execute(  # type: ignore[attr-defined]
            """insert into nba_predictions.ml_model_registry (model_id, model_type, model_path,
            feature_version, enabled, is_production, is_baseline, test_mae)
            values (@m, 'catboost', 'x.cbm', 'v1_basic', true, @p, @b, 3.9)""",
            {"m": model, "p": model == DECAY_MODELS[0], "b": model == DECAY_MODELS[1]},
        )


def write_decaying_season(warehouse: object) -> date:
    """The decaying season into `warehouse` up to the game day production's alarm turns
    decaying, every day before it graded: grading that day is the run that raises it. The day."""
    from datetime import UTC, datetime

    import pyarrow.compute as pc

    from shadowline.tasks.evaluation.decay import decay_rows
    from shadowline.tasks.grading.grade import grade_predictions

    box, predictions = decaying_season()
    joined = predictions.join(box.select(["player_lookup", "game_date", "points"]),
                              ["player_lookup", "game_date"])  # fmt: skip
    error = pc.abs(pc.subtract(joined["predicted_points"], pc.cast(joined["points"], pa.float64())))
    daily = (
        joined.append_column("error", error)
        .group_by(["model_id", "game_date"])
        .aggregate([("error", "sum"), ("error", "count")])
        .rename_columns(["model_id", "game_date", "error_sum", "graded_rows"])
    )
    n = daily.num_rows
    daily = daily.append_column("is_production", pa.array(
        [m == DECAY_MODELS[0] for m in daily["model_id"].to_pylist()]))  # fmt: skip
    for name, value in (("test_mae", 3.9), ("decided_bets", 0), ("wins", 0)):
        daily = daily.append_column(name, pa.array([value] * n))
    daily = daily.append_column("live_rows", daily["graded_rows"])  # every row scored live
    rows = decay_rows(daily, datetime.now(UTC)).to_pylist()
    turn = min(r["game_date"] for r in rows if r["is_production"] and r["state"] == "decaying")
    register_decay_models(warehouse)
    for table, rows_ in (("nba_analytics.player_game_summary", box),
                         ("nba_predictions.ml_model_predictions", predictions)):  # fmt: skip
        warehouse.write(table, rows_.filter(pc.less_equal(rows_["game_date"], turn)))  # type: ignore[attr-defined]
    grade_predictions(warehouse, DECAY_START, turn - timedelta(days=1))
    return turn
