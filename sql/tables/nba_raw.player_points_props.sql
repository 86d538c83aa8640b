-- nba_raw.player_points_props: table, one row per line a book offered in a snapshot
-- (unique key: player_lookup, game_date, bookmaker, processed_at, points_line). A snapshot holds a
-- book's main line and its alternates; the consensus line is the median of the books' main lines
-- (features/feature_rows.sql says how a main line is picked).
create table if not exists nba_raw.player_points_props (
  player_lookup string not null,
  game_date date not null,
  bookmaker string not null,
  points_line float64 not null,
  over_odds int64,
  under_odds int64,
  processed_at timestamp not null
)
partition by game_date
cluster by player_lookup
options (description = 'Sportsbook player-points prop lines, every snapshot of every book');
