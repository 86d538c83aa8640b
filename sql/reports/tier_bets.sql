-- Every graded bet, for `shadowline tiers`: its edge (|predicted_points - betting_line|), side,
-- outcome and the break-even of its price (-110 when no price was stored). An empty model
-- parameter reads every model's bets; start and end bound the game dates.
-- grain: one row per prediction_id with a bet_outcome.
select
  model_id,
  game_date,
  recommendation as direction,
  abs(predicted_points - betting_line) as edge,
  bet_outcome,
  units_at_110,
  profit_units,
  coalesce(bet_implied_probability, 110 / 210) as break_even,
  is_live
from nba_predictions.v_ml_model_prediction_results
where bet_outcome is not null and (@model = '' or model_id = @model)
  and game_date between @start and @end
order by model_id, game_date
