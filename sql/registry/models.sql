-- nba_predictions.ml_model_registry: the models an experiment run scores.
-- grain: one row per model_id. @model_id = '' means every enabled model; otherwise that one
-- model, enabled or not (an explicit `--model` run).
select
  model_id, model_name, model_type, model_version, model_path, model_format,
  feature_version, feature_count, feature_names, model_sha256, test_mae,
  coalesce(enabled, false) as enabled,
  coalesce(is_production, false) as is_production,
  coalesce(is_baseline, false) as is_baseline,
  created_at, updated_at, notes
from nba_predictions.ml_model_registry
where (@model_id = '' and coalesce(enabled, false)) or model_id = @model_id
order by model_id
