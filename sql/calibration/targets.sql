-- The prediction rows of game dates start..end that can have an over probability: those with a
-- line (a real number), to be given one by tasks.evaluation.probabilities.
-- grain: one row per prediction_id.
select prediction_id, model_id, game_date, predicted_points, betting_line
from nba_predictions.ml_model_predictions
where game_date between @start and @end
  and betting_line is not null and not is_nan(betting_line) and not is_inf(betting_line)
