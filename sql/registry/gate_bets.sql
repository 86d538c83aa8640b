-- Bet accuracy and ROI (at -110 and at the stored prices) of every model with graded
-- predictions, all time, each on its
-- own graded rows (v_ml_model_leaderboard): the promotion gate shows the model's and
-- production's (the few rows are filtered in Python).
-- grain: one row per model with graded predictions.
select model_id, bets, bet_accuracy, roi, roi_at_odds
from nba_predictions.v_ml_model_leaderboard
