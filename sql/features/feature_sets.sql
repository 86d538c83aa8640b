-- The defined feature sets, as `shadowline features list` shows them.
-- grain: one row per ml_feature_sets row (a feature_version on two rows is refused where used).
select feature_version, feature_names, source, description, created_at, created_by
from nba_predictions.ml_feature_sets
order by feature_version, created_at
