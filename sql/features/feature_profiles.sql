-- The stored training profiles of some models. grain: one row per model_id and feature_name.
select model_id, feature_name, position, reference, reference_rows, non_null_share, bins
from nba_predictions.ml_feature_profiles
where model_id in unnest(@model_ids)
order by model_id, position
