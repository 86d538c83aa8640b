-- nba_predictions.ml_model_registry: make one model the only production model (action
-- 'promote') or the only baseline model (action 'set-baseline'). One UPDATE flips both rows,
-- so no reader ever sees zero or two; the audit row lands in the same transaction.
begin transaction;

update nba_predictions.ml_model_registry
set
  is_production = if(@action = 'promote', model_id = @model_id, is_production),
  is_baseline = if(@action = 'set-baseline', model_id = @model_id, is_baseline),
  updated_at = current_timestamp()
where model_id = @model_id
  or (@action = 'promote' and is_production)
  or (@action = 'set-baseline' and is_baseline);

insert into nba_predictions.ml_model_registry_audit (changed_at, model_id, action, detail, changed_by)
values (current_timestamp(), @model_id, @action, @detail, @changed_by);

commit transaction;
