-- nba_predictions.ml_feature_store: table, one row per player on a game date's slate
-- (unique key: game_date, player_lookup). Rows come from sql/features/feature_rows.sql.
-- Point in time: a row for date D uses box scores strictly before D, plus D's own pre-game facts
-- (prop lines, injury report). Feature sets (feature_version) are ordered subsets of the
-- feature columns, defined in nba_predictions.ml_feature_sets.
create table if not exists nba_predictions.ml_feature_store (
  game_date date not null,
  player_lookup string not null,
  player_name string,
  game_id string not null,
  team_abbr string not null,
  opponent_team_abbr string not null,
  injury_status string,
  betting_line float64,
  line_books int64,
  pts_avg_last_5 float64,
  pts_avg_last_10 float64,
  pts_avg_season float64,
  pts_std_last_10 float64,
  min_avg_last_5 float64,
  min_avg_last_10 float64,
  min_avg_season float64,
  fga_avg_last_10 float64,
  fta_avg_last_10 float64,
  starter_rate_last_10 float64,
  games_played_season float64,
  days_since_last_game float64,
  rest_days float64,
  is_back_to_back float64,
  is_home float64,
  opp_pts_allowed_avg_last_10 float64,
  teammates_out float64,
  built_at timestamp,
  -- the best price for each side among the books offering the consensus line itself (main or
  -- alternate, each book's latest snapshot), and the book: what a bet on that line gets
  best_over_odds int64,
  best_over_book string,
  best_under_odds int64,
  best_under_book string,
  line_cutoff_at timestamp  -- the instant the row's lines were read as of (SHADOWLINE_LINE_CUTOFF)
)
partition by game_date
cluster by player_lookup
options (description = 'Point-in-time features per player per game date');
