-- nba_predictions.ml_experiment_runs: table, one row per model per experiment run
-- (unique key: run_id, model_id). Append-only: a rerun adds rows, so both runs stay visible.
-- The slate counts say who was scored and who was left out, and why: players listed OUT, players
-- scored with and without a line, prop players whose name matches no one, and prop players
-- with no game that day (their team does not play, or no team is known); and the feed's timing:
-- how many prop player-games were first posted by their line cutoff, and how many after it.
create table if not exists nba_predictions.ml_experiment_runs (
  run_id string not null,
  flow_run_id string,
  game_date date not null,
  model_id string not null,
  status string not null,
  error_message string,
  rows_scored int64,
  players_skipped_out int64,
  players_with_line int64,
  players_without_line int64,
  props_unmatched int64,
  props_without_game int64,
  props_before_cutoff int64,  -- prop player-games whose first line came by their game's cutoff
  props_after_cutoff int64,  -- ... and after it: NO_LINE in this run (SHADOWLINE_LINE_CUTOFF)
  duration_seconds float64,
  started_at timestamp,
  finished_at timestamp,
  ray_node_id string
)
partition by game_date
options (description = 'Experiment run log: status, reason and row count per model per run');
