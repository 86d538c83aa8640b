-- nba_predictions.ml_model_registry_audit: what a promotion decided and why, for a warehouse made
-- before these columns existed: the model production had before the change, the gate's verdict
-- (PROMOTE, HOLD, REJECT, or NO-GATE when nothing was in production) and the reason given.
alter table nba_predictions.ml_model_registry_audit add column if not exists previous_model_id string;
alter table nba_predictions.ml_model_registry_audit add column if not exists verdict string;
alter table nba_predictions.ml_model_registry_audit add column if not exists reason string;
