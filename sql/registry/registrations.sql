-- How many registry rows carry one model_id (a flag change needs exactly one).
select count(*) as n
from nba_predictions.ml_model_registry
where model_id = @model_id
