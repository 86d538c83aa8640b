-- nba_predictions.ml_model_registry: make one model the only baseline model. One UPDATE flips
-- both rows, so no reader ever sees zero or two; the audit row lands in the same transaction.
-- (Production changes go through registry/promote.sql: the promotion gate's.)
begin transaction;

update nba_predictions.ml_model_registry
set
  is_baseline = model_id = @model_id,
  updated_at = current_timestamp()
where model_id = @model_id
  or is_baseline;

insert into nba_predictions.ml_model_registry_audit (changed_at, model_id, action, detail, changed_by)
values (current_timestamp(), @model_id, 'set-baseline', @detail, @changed_by);

commit transaction;
