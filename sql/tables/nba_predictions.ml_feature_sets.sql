-- nba_predictions.ml_feature_sets: table, one row per feature set (unique key: feature_version).
-- A model trained on a set expects exactly its feature_names, in order. Each name is a column of
-- nba_predictions.ml_feature_store or of a registered feature source (ml_feature_sources): the
-- store's column when both have it. Define a set with one INSERT or `shadowline features define`;
-- the next train, registry add or run accepts it. v1_basic and v2_context ship with shadowline.
create table if not exists nba_predictions.ml_feature_sets (
  feature_version string not null,
  feature_names array<string>,
  source string,  -- who defined it: shadowline (shipped), features define, or the team's INSERT
  description string,
  created_at timestamp,
  created_by string
)
options (description = 'Feature sets: ordered feature names per feature_version');
