-- nba_predictions.ml_model_registry_audit: table, one row per registry change made by shadowline
-- (register, enable, disable, promote, rollback, set-baseline). Append-only.
create table if not exists nba_predictions.ml_model_registry_audit (
  changed_at timestamp not null,
  model_id string not null,
  action string not null,
  detail string,  -- promote and rollback: the gate's numbers
  changed_by string,  -- the OS user, or the Prefect flow run
  previous_model_id string,  -- promote and rollback: production's model before the change
  verdict string,  -- promote and rollback: PROMOTE, HOLD or REJECT (forced), NO-GATE, ROLLBACK
  reason string  -- what the person said (--reason)
)
options (description = 'Audit trail of registry changes');
