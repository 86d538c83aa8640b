-- nba_predictions.ml_model_registry: add a model, or update its file and metadata if it exists.
-- Lineage columns are replaced with the new file's (NULL where unknown).
-- Re-registering keeps the model's enabled/production/baseline flags and created_at.
-- Numbers are cast because a missing value arrives as a NULL string parameter.
begin transaction;

merge nba_predictions.ml_model_registry as r
using (
  select
    @model_id as model_id, @model_name as model_name, @model_type as model_type,
    @model_version as model_version, @model_path as model_path, @model_format as model_format,
    @feature_version as feature_version, cast(@feature_count as int64) as feature_count,
    @feature_names as feature_names, @model_sha256 as model_sha256,
    cast(@test_mae as float64) as test_mae,
    @notes as notes, @changed_by as created_by,
    cast(@train_first_game_date as date) as train_first_game_date,
    cast(@train_last_game_date as date) as train_last_game_date,
    cast(@train_rows as int64) as train_rows, @library as library,
    @hyperparameters as hyperparameters, @training_fingerprint as training_fingerprint
) as n
on r.model_id = n.model_id
when matched then update set
  model_name = n.model_name, model_type = n.model_type, model_version = n.model_version,
  model_path = n.model_path, model_format = n.model_format,
  feature_version = n.feature_version, feature_count = n.feature_count,
  feature_names = n.feature_names, model_sha256 = n.model_sha256, test_mae = n.test_mae,
  notes = n.notes, updated_at = current_timestamp(),
  train_first_game_date = n.train_first_game_date, train_last_game_date = n.train_last_game_date,
  train_rows = n.train_rows, library = n.library, hyperparameters = n.hyperparameters,
  training_fingerprint = n.training_fingerprint
when not matched then insert (
  model_id, model_name, model_type, model_version, model_path, model_format,
  feature_version, feature_count, feature_names, model_sha256, test_mae,
  enabled, is_production, is_baseline, created_at, created_by, notes,
  train_first_game_date, train_last_game_date, train_rows, library, hyperparameters,
  training_fingerprint
) values (
  n.model_id, n.model_name, n.model_type, n.model_version, n.model_path, n.model_format,
  n.feature_version, n.feature_count, n.feature_names, n.model_sha256, n.test_mae,
  true, false, false, current_timestamp(), n.created_by, n.notes,
  n.train_first_game_date, n.train_last_game_date, n.train_rows, n.library, n.hyperparameters,
  n.training_fingerprint
);

insert into nba_predictions.ml_model_registry_audit (changed_at, model_id, action, detail, changed_by)
values (current_timestamp(), @model_id, 'register', @model_path, @changed_by);

commit transaction;
