-- nba_predictions.ml_model_registry: enable or disable one model for experiment runs.
begin transaction;

update nba_predictions.ml_model_registry
set enabled = @enabled, updated_at = current_timestamp()
where model_id = @model_id;

insert into nba_predictions.ml_model_registry_audit (changed_at, model_id, action, detail, changed_by)
values (current_timestamp(), @model_id, if(@enabled, 'enable', 'disable'), @detail, @changed_by);

commit transaction;
