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
    r.model_id, r.model_name, r.model_type, r.model_version, r.model_path, r.model_format,
    r.feature_version, r.feature_count, r.feature_names, r.model_sha256, r.test_mae,
    coalesce(r.enabled, false) as enabled,
    coalesce(r.is_production, false) as is_production,
    coalesce(r.is_baseline, false) as is_baseline,
    r.created_at, r.updated_at, r.notes,
    g.registrations
  from nba_predictions.ml_model_registry as r
  join registrations as g
    on g.model_id = r.model_id
  where (@model_id = '' and coalesce(r.enabled, false)) or r.model_id = @model_id
)

select * from final
order by model_id
