-- What the over probabilities learn from: the models' graded rows with a line and a player who
-- played, on game dates since..before-1 (each day's probabilities then use only those before it).
-- grain: one row per prediction_id.
select prediction_id, model_id, game_date, predicted_points, betting_line, actual_points
from nba_predictions.ml_model_predictions
where game_date >= @since and game_date < @before
  and model_id in unnest(@models)
  and actual_points is not null
  and betting_line is not null and not is_nan(betting_line) and not is_inf(betting_line)
