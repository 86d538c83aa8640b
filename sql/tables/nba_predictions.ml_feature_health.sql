-- nba_predictions.ml_feature_health: table, one row per game date x model x feature (key:
-- game_date, model_id, feature_name). Every experiment run records, for each feature of each
-- model it scores, how many slate rows have a value and how far the day's values drift from the
-- model's training rows (PSI over the training deciles). A rerun replaces the date's rows.
create table if not exists nba_predictions.ml_feature_health (
  game_date date not null,
  model_id string not null,
  feature_version string,
  feature_name string not null,
  slate_rows int64,
  non_null_share float64,
  reference_non_null_share float64,  -- the same share on the model's training rows
  coverage_ratio float64,  -- non_null_share / reference_non_null_share
  psi float64,  -- population stability index against the training deciles (NULL: no values)
  state string,  -- ok | low_coverage | drift (SHADOWLINE_HEALTH_MIN_COVERAGE, _MAX_PSI)
  run_id string,
  computed_at timestamp
)
partition by game_date
cluster by model_id
options (description = 'Daily feature health: coverage and drift per model and feature');
