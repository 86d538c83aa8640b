-- Every graded prediction's absolute error in a date range: the report's error distributions.
-- grain: one row per graded prediction (model_id, player_lookup, game_date).
select model_id, prediction_error
from nba_predictions.v_ml_model_prediction_results
where is_graded and game_date between @start and @end
order by model_id
