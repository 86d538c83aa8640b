-- Every registered model, as `shadowline registry list` shows them.
-- grain: one row per registry row.
select
  model_id, model_type, feature_version, test_mae, enabled, is_production, is_baseline,
  model_path, updated_at
from nba_predictions.ml_model_registry
order by model_id
