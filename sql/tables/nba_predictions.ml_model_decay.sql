-- nba_predictions.ml_model_decay: table, one row per model x game date (key: model_id,
-- game_date). Decay alarms for production and every enabled model: its rolling 7- and
-- 14-game-day MAE and hit rate, against its own first weeks live (the reference; a model never
-- live yet, its first graded game days) and its test_mae. Written by every grading run; a regrade
-- replaces the rows, never duplicates them.
create table if not exists nba_predictions.ml_model_decay (
  model_id string not null,
  game_date date not null,
  is_production bool not null,
  game_days int64 not null,  -- graded game days up to game_date
  test_mae float64,  -- from the registry: the held-out MAE at training
  reference_mae float64,  -- the first 14 live game days' MAE (never live: the first graded)
  mae_7 float64,  -- the last 7 graded game days' MAE
  mae_14 float64,
  mae_14_lower float64,  -- 95% interval (game days as clusters)
  mae_14_upper float64,
  decay_z float64,  -- (mae_14 - reference_mae) in standard errors; decaying above 3.1
  hit_rate_7 float64,  -- bets won / decided over the last 7 graded game days
  hit_rate_14 float64,
  hit_14_lower float64,
  hit_14_upper float64,
  state string not null,  -- ok | watch | decaying | warming up (before 28 game days)
  reason string,  -- why the state is not ok, in words
  updated_at timestamp not null,
  reference_source string  -- what the reference's rows were: live | backfill | mixed
)
partition by game_date
cluster by model_id
options (description = 'Decay alarms: each enabled and production model against its own first weeks, read daily');
