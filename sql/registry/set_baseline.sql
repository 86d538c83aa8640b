-- nba_predictions.ml_model_registry: make one model the only baseline model (one UPDATE, see promote.sql).
begin transaction;

update nba_predictions.ml_model_registry
set is_baseline = (model_id = @model_id), updated_at = current_timestamp()
where is_baseline or model_id = @model_id;

insert into nba_predictions.ml_model_registry_audit (changed_at, model_id, action, detail, changed_by)
values (current_timestamp(), @model_id, 'set-baseline', @detail, @changed_by);

commit transaction;
