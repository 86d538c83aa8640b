-- The registered feature sources. grain: one row per ml_feature_sources row.
select source_name, table_name, as_of_column, description, created_at, created_by
from nba_predictions.ml_feature_sources
order by source_name, created_at
