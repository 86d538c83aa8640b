-- Each model's graded results per game date, for the report's plots over time: MAE on all graded
-- rows, MAE on the graded rows with a line beside the line's own MAE there, bet wins and losses.
-- grain: one row per model_id, game_date with graded predictions.
select
  game_date, model_id, graded_predictions, mae, lined_predictions, mae_on_lined, line_mae, wins,
  losses
from nba_predictions.v_ml_model_daily_performance
where graded_predictions > 0
order by game_date, model_id
