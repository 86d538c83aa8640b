-- nba_predictions.ml_model_registry_audit: table, one row per registry change made by shadowline
-- (register, enable, disable, promote, set-baseline). Append-only.
create table if not exists nba_predictions.ml_model_registry_audit (
  changed_at timestamp not null,
  model_id string not null,
  action string not null,
  detail string,
  changed_by string
)
options (description = 'Audit trail of registry changes');
