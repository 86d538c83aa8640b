-- nba_predictions.ml_model_registry: make the model the only production model (action 'promote'
-- or 'rollback'), if production is still the previous model given ('' = none), the one the verdict
-- was reached against. One UPDATE flips both rows, so no reader ever sees zero or two
-- production models; the audit row lands in the same transaction, only if the flip did.
begin transaction;

update nba_predictions.ml_model_registry
set
  is_production = model_id = @model_id,
  updated_at = current_timestamp()
where (model_id = @model_id or is_production)
  and @previous_model_id = coalesce(
    (select max(model_id) from nba_predictions.ml_model_registry where is_production), ''
  );

insert into nba_predictions.ml_model_registry_audit (
  changed_at, model_id, action, detail, changed_by, previous_model_id, verdict, reason
)
select
  current_timestamp(), @model_id, @action, @detail, @changed_by,
  nullif(@previous_model_id, ''), @verdict, nullif(@reason, '')
from nba_predictions.ml_model_registry
where model_id = @model_id
  and is_production
  and not exists (
    select 1 from nba_predictions.ml_model_registry
    where is_production and model_id != @model_id
  );

commit transaction;
