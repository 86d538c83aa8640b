-- nba_predictions.ml_model_monitor: table, one row per challenger x production model x game
-- date (key: model_id, against_model_id, game_date). The daily monitor: an anytime-valid 95%
-- confidence sequence for how much lower the challenger's MAE is than production's, over the
-- game days both graded up to game_date (each day's mean difference on the shared rows is one
-- observation). Written by every grading run; a regrade replaces the rows, never duplicates them.
create table if not exists nba_predictions.ml_model_monitor (
  model_id string not null,
  against_model_id string not null,
  game_date date not null,
  game_days int64 not null,
  shared_rows int64 not null,
  estimate float64,  -- mean over game days of (production's MAE - the model's): > 0 = better
  lower_bound float64,  -- NULL while the sequence is still unbounded (the first game days)
  upper_bound float64,
  state string not null,  -- better | worse | undecided
  updated_at timestamp not null
)
partition by game_date
cluster by model_id
options (description = 'Daily monitor: each enabled model against production, valid however often it is read');
