-- Each prediction's probability that the over wins, for a warehouse made before it was stored.
alter table nba_predictions.ml_model_predictions add column if not exists over_probability float64;
