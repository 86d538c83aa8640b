-- Closing-line value, for a warehouse made before it was stored: the closing consensus line
-- and how far it moved toward each recommendation.
alter table nba_predictions.ml_model_predictions add column if not exists closing_line float64;
alter table nba_predictions.ml_model_predictions add column if not exists clv_points float64;
