-- The production model's id, if there is one.
-- grain: at most one row (the registry keeps one production model).
select model_id
from nba_predictions.ml_model_registry
where is_production
order by model_id
