-- The daily monitor's confidence sequences against the current production model in a date
-- range, for the report (bounds NULL while the first game days cannot bound them).
-- grain: one row per model_id, game_date.
select model_id, against_model_id, game_date, estimate, lower_bound, upper_bound
from nba_predictions.ml_model_monitor
where
  game_date between @start and @end
  and against_model_id in (
    select model_id
    from nba_predictions.ml_model_registry
    where is_production
  )
order by model_id, game_date
