-- Each model's results on one game date: what `shadowline daily` and the grading run show.
-- grain: one row per model_id.
select
  model_id, predictions, graded_predictions, mae, median_error, bets, wins, losses, pushes,
  bet_accuracy, roi, beat_vegas_rate, beat_baseline_rate
from nba_predictions.v_ml_model_daily_performance
where game_date = @game_date
order by mae
