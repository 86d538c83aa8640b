-- Every other registered model against the production model, per game date, on the rows both
-- graded: the daily monitor's observations (enabled models) and the promotion gate's (the model
-- asked about, enabled or not). difference = production's MAE - the model's (> 0: better).
-- grain: one row per model_id, against_model_id, game_date.
with

production as (
  select model_id
  from nba_predictions.ml_model_registry
  where is_production
),

challengers as (
  select model_id, enabled
  from nba_predictions.ml_model_registry
  where not coalesce(is_production, false)
),

graded as (
  -- with live_only, the rows scored live only (the gate's default: a backfill's rows may hold
  -- news a live run lacked)
  select model_id, player_lookup, game_date, prediction_error
  from nba_predictions.v_ml_model_prediction_results
  where is_graded and (is_live or not @live_only)
),

final as (
  select
    m.model_id,
    c.enabled,
    a.model_id as against_model_id,
    m.game_date,
    count(*) as shared_rows,
    avg(a.prediction_error - m.prediction_error) as difference
  from challengers as c
  join graded as m
    on m.model_id = c.model_id
  join graded as a
    on a.player_lookup = m.player_lookup
    and a.game_date = m.game_date
  join production as p
    on p.model_id = a.model_id
  group by m.model_id, c.enabled, a.model_id, m.game_date
)

select * from final
order by model_id, against_model_id, game_date
