-- The latest promote or rollback that made the given model production: the model it replaced.
-- grain: at most one row.
select previous_model_id, changed_at, action
from nba_predictions.ml_model_registry_audit
where action in ('promote', 'rollback')
  and model_id = @model_id
order by changed_at desc
limit 1
