-- Each model's results on one game date: what `shadowline daily` and the grading run show (MAE on
-- all graded rows, then on the graded rows with a line beside the line's own MAE there).
-- grain: one row per model_id.
select
  model_id, predictions, graded_predictions, mae, lined_predictions, mae_on_lined, line_mae,
  mae_vs_line, bets, wins, losses, pushes, bet_accuracy, roi, roi_at_odds, units,
  break_even_at_odds, avg_clv, clv_positive_rate, beat_vegas_rate, beat_baseline_rate
from nba_predictions.v_ml_model_daily_performance
where game_date = @game_date
order by mae
