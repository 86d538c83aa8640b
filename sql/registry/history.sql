-- The registry's audit trail, newest first: every change of the given model ('' = every model), and
-- every promotion that replaced it.
-- grain: one row per audit row.
select
  changed_at, action, model_id, previous_model_id, verdict, reason, changed_by, detail
from nba_predictions.ml_model_registry_audit
where @model_id = '' or model_id = @model_id or previous_model_id = @model_id
order by changed_at desc, action
