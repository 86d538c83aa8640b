-- One model's registry row with its lineage, as `shadowline registry show` prints it.
-- grain: one row per registry row of the model_id.
select
  model_id, model_name, model_type, model_version, model_path, model_format, model_sha256,
  feature_version, feature_count, feature_names, test_mae, enabled, is_production, is_baseline,
  created_at, created_by, updated_at, notes,
  train_first_game_date, train_last_game_date, train_rows, library, hyperparameters,
  training_fingerprint
from nba_predictions.ml_model_registry
where model_id = @model_id
