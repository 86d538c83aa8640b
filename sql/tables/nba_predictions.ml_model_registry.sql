-- nba_predictions.ml_model_registry: table, one row per model (unique key: model_id).
-- Add a model with one INSERT; the next experiment run picks it up when enabled.
-- At most one row has is_production and at most one has is_baseline (kept by `shadowline registry`).
create table if not exists nba_predictions.ml_model_registry (
  model_id string not null,
  model_name string,
  model_type string not null,
  model_version string,
  model_path string not null,
  model_format string,
  feature_version string not null,
  feature_count int64,
  feature_names array<string>,
  model_sha256 string,
  test_mae float64,
  enabled bool,
  is_production bool,
  is_baseline bool,
  created_at timestamp,
  created_by string,
  updated_at timestamp,
  notes string,
  -- lineage: what the model learned from (set by `shadowline train`; `registry add` records what
  -- it can read from the file)
  train_first_game_date date,
  train_last_game_date date,
  train_rows int64,  -- rows it was fitted on (held-out test rows not included)
  library string,  -- the library and its version, e.g. catboost 1.2.7
  hyperparameters string,  -- JSON
  training_fingerprint string  -- sha256 of the training rows (keys, features, actual points)
)
options (description = 'Models available for experiments: framework, file, feature set, flags');
