-- nba_predictions.ml_model_predictions: table, one row per model x player x game date
-- (unique key: prediction_id = UUIDv5 of model_id, player_lookup, game_date).
-- Written by the experiment flow (a rerun replaces the date's rows of the models it scored);
-- the result columns are filled by the grading flow.
create table if not exists nba_predictions.ml_model_predictions (
  prediction_id string not null,
  model_id string not null,
  player_lookup string not null,
  game_date date not null,
  game_id string,
  team_abbr string,
  opponent_team_abbr string,
  predicted_points float64 not null,
  betting_line float64,
  line_books int64,
  recommendation string,
  edge_vs_line float64,
  min_edge float64,
  feature_version string,
  prediction_time timestamp,
  run_id string,
  actual_points int64,
  actual_minutes float64,
  prediction_error float64,
  bet_outcome string,
  beat_baseline bool,
  beat_vegas bool,
  result_updated_at timestamp,
  bet_odds int64,  -- American odds the recommendation gets: the best book's at the line
  bet_book string,  -- that book (NULL: no book offered the consensus line itself)
  profit_units float64,  -- after grading: a WIN pays the price (+105: 1.05, -120: 0.833), LOSS -1
  closing_line float64,  -- after grading: the consensus of each book's last snapshot before tip-off
  clv_points float64,  -- how far the line moved toward the recommended side after betting_line
  -- live: scored by its game's line cutoff, as a daily run is; backfill: scored after it (a
  -- backfill, a late rerun), when news a live run could not have had may have reached features
  provenance string,
  -- the model's probability that the over wins (given the bet is decided: an integer line can
  -- push), from its own errors on the rows graded for days before this one; NULL: no line, or
  -- fewer than 200 such rows yet
  over_probability float64
)
partition by game_date
cluster by model_id
options (description = 'Predictions of every experiment model, next to the sportsbook line, graded after the games');
