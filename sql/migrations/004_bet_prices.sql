-- The prices a recommendation gets, for a warehouse made before they were stored: the best
-- over and under prices at the consensus line in the feature store, the price and book taken
-- and the graded profit in units on each prediction.
alter table nba_predictions.ml_feature_store add column if not exists best_over_odds int64;
alter table nba_predictions.ml_feature_store add column if not exists best_over_book string;
alter table nba_predictions.ml_feature_store add column if not exists best_under_odds int64;
alter table nba_predictions.ml_feature_store add column if not exists best_under_book string;
alter table nba_predictions.ml_model_predictions add column if not exists bet_odds int64;
alter table nba_predictions.ml_model_predictions add column if not exists bet_book string;
alter table nba_predictions.ml_model_predictions add column if not exists profit_units float64;
