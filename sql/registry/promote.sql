-- nba_predictions.ml_model_registry: make one model the only production model.
-- One UPDATE flips both rows, so no reader ever sees zero or two production models.
begin transaction;

update nba_predictions.ml_model_registry
set is_production = (model_id = @model_id), updated_at = current_timestamp()
where is_production or model_id = @model_id;

insert into nba_predictions.ml_model_registry_audit (changed_at, model_id, action, detail, changed_by)
values (current_timestamp(), @model_id, 'promote', @detail, @changed_by);

commit transaction;
