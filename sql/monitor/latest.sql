-- Each enabled challenger's latest monitor row against the current production model.
-- grain: one row per model_id.
with

production as (
  select model_id
  from nba_predictions.ml_model_registry
  where is_production
),

latest as (
  select
    m.*,
    row_number() over (partition by m.model_id order by m.game_date desc) as recency
  from nba_predictions.ml_model_monitor as m
  join production as p
    on p.model_id = m.against_model_id
  join nba_predictions.ml_model_registry as r
    on r.model_id = m.model_id
  where r.enabled
)

select
  model_id, against_model_id, game_date, game_days, shared_rows, estimate, lower_bound,
  upper_bound, state
from latest
where recency = 1
order by estimate desc
