-- Every graded, decided row with an over probability, for `shadowline calibration`: whether the
-- over won, the model's bet on it and whether the row was scored live. An empty model parameter
-- reads every model's rows, a model's id its rows and production's (to compare them); without
-- include_backfill, live rows only; start and end bound the game dates.
-- grain: one row per prediction_id.
select
  p.model_id,
  p.game_date,
  p.player_lookup,
  p.over_probability,
  p.actual_points > p.betting_line as over_won,
  if(p.bet_outcome in ('WIN', 'LOSS'), p.recommendation, null) as bet,
  p.bet_outcome = 'WIN' as bet_won,
  coalesce(r.is_production, false) as is_production,
  coalesce(p.provenance = 'live', false) as is_live
from nba_predictions.ml_model_predictions as p
left join (
  select model_id, logical_or(is_production) as is_production
  from nba_predictions.ml_model_registry
  group by model_id
) as r
  on r.model_id = p.model_id
where p.over_probability is not null
  and p.actual_points is not null
  and p.actual_points != p.betting_line
  and (@model = '' or p.model_id = @model or coalesce(r.is_production, false))
  and (@include_backfill or coalesce(p.provenance = 'live', false))
  and p.game_date between @start and @end
order by p.model_id, p.game_date, p.player_lookup
