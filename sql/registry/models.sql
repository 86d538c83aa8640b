-- nba_predictions.ml_model_registry: the models an experiment run scores.
-- grain: one row per registry row. An empty model_id parameter means every enabled model; else that one
-- model, enabled or not (an explicit `--model` run). `registrations` counts the rows sharing the
-- model_id: the registry cannot enforce a unique key, so the runner refuses duplicates.
with

registrations as (
  select model_id, count(*) as registrations
  from nba_predictions.ml_model_registry
  group by model_id
),

final as (
  select
    -- what scoring needs (no timestamps: reading those into Python costs a pandas import)
    r.model_id, r.model_type, r.model_path, r.feature_version, r.feature_count,
    r.feature_names, r.model_sha256,
    coalesce(r.enabled, false) as enabled,
    coalesce(r.is_production, false) as is_production,
    coalesce(r.is_baseline, false) as is_baseline,
    g.registrations
  from nba_predictions.ml_model_registry as r
  join registrations as g
    on g.model_id = r.model_id
  where (@model_id = '' and coalesce(r.enabled, false)) or r.model_id = @model_id
)

select * from final
order by model_id
