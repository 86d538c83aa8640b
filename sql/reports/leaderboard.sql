-- The all-time leaderboard as `shadowline leaderboard` shows it, best MAE first: each model's MAE
-- on all its graded rows, then on the graded rows with a line beside the line's own MAE there.
-- grain: one row per model_id with graded predictions.
select
  rank, model_id, model_type, feature_version, is_production, is_baseline, graded_predictions,
  mae, lined_predictions, mae_on_lined, line_mae, mae_vs_line, within_5_rate, bets,
  bet_accuracy, roi, roi_at_odds, units, break_even_at_odds, avg_clv, clv_positive_rate,
  beat_vegas_rate, beat_baseline_rate, live_graded_predictions, live_mae, live_bet_accuracy
from nba_predictions.v_ml_model_leaderboard
order by rank, model_id
