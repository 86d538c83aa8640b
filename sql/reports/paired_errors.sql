-- Two models' absolute errors on the rows both graded (same player, same game date): what the
-- head-to-head statistics are computed from.
-- grain: one row per player_lookup, game_date graded by both models.
select a.game_date, a.prediction_error as error_a, b.prediction_error as error_b
from nba_predictions.v_ml_model_prediction_results as a
join nba_predictions.v_ml_model_prediction_results as b
  on b.player_lookup = a.player_lookup
  and b.game_date = a.game_date
where a.model_id = @a and b.model_id = @b and a.is_graded and b.is_graded
order by a.game_date
