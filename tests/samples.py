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
