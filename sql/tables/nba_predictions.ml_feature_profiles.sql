-- nba_predictions.ml_feature_profiles: table, one row per model x feature (key: model_id,
-- feature_name). What each feature looked like on the rows the model learned from: the non-null
-- share and the training deciles, the reference each run's feature health is measured against.
-- Written when shadowline trains a model; for a model added from a file or by INSERT, at its first
-- run, from the feature rows before its registration (reference says which).
create table if not exists nba_predictions.ml_feature_profiles (
  model_id string not null,
  feature_name string not null,
  position int64,
  reference string,  -- training rows | feature rows before YYYY-MM-DD
  reference_rows int64,
  non_null_share float64,
  bins string,  -- JSON: {"edges": [...deciles...], "shares": [...share of values per bin...]}
  created_at timestamp
)
options (description = 'Per model and feature: the training rows feature health compares against');
