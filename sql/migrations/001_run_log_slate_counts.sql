-- nba_predictions.ml_experiment_runs: the slate counts, for a warehouse made before they existed
-- (a new warehouse has them from its DDL; each statement is a no-op then).
alter table nba_predictions.ml_experiment_runs add column if not exists players_with_line int64;
alter table nba_predictions.ml_experiment_runs add column if not exists players_without_line int64;
alter table nba_predictions.ml_experiment_runs add column if not exists props_unmatched int64;
alter table nba_predictions.ml_experiment_runs add column if not exists props_without_game int64;
