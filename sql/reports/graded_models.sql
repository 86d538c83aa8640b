-- The models with at least one graded prediction.
-- grain: one row per model_id.
select model_id
from nba_predictions.v_ml_model_leaderboard
order by model_id
