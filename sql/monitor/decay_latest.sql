-- Each production or enabled model's latest decay row, production first.
-- grain: one row per model_id.
with

watched as (
  select model_id
  from nba_predictions.ml_model_registry
  where enabled or is_production
),

latest as (
  select
    d.*,
    row_number() over (partition by d.model_id order by d.game_date desc) as recency
  from nba_predictions.ml_model_decay as d
  join watched as w
    on w.model_id = d.model_id
)

select * except (recency, updated_at)
from latest
where recency = 1
order by is_production desc, model_id
