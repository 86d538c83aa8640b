-- The registered model ids (to name them when a request names none of them).
select model_id
from nba_predictions.ml_model_registry
order by model_id
