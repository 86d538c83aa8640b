-- Feed timing and provenance, for a warehouse made before they were stored: the instant each
-- feature row's lines were read as of, each run's prop player-games first posted before and
-- after their cutoff, and whether each prediction was scored live (by its game's cutoff) or in
-- a backfill or late rerun.
alter table nba_predictions.ml_feature_store add column if not exists line_cutoff_at timestamp;
alter table nba_predictions.ml_experiment_runs add column if not exists props_before_cutoff int64;
alter table nba_predictions.ml_experiment_runs add column if not exists props_after_cutoff int64;
alter table nba_predictions.ml_model_predictions add column if not exists provenance string;
