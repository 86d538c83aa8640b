-- What a decay row's reference was made of, for a warehouse made before it was stored.
alter table nba_predictions.ml_model_decay add column if not exists reference_source string;
