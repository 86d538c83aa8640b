-- nba_analytics.player_game_summary: table, one row per player per game (unique key: game_id, player_lookup).
-- A player on the roster who did not play has minutes_played = 0 (or no row at all).
create table if not exists nba_analytics.player_game_summary (
  player_lookup string not null,
  player_name string,
  game_id string not null,
  game_date date not null,
  team_abbr string not null,
  opponent_team_abbr string not null,
  home bool not null,
  starter bool,
  minutes_played float64 not null,
  points int64 not null,
  fg_made int64,
  fg_attempted int64,
  three_pt_made int64,
  three_pt_attempted int64,
  ft_made int64,
  ft_attempted int64,
  rebounds int64,
  assists int64
)
partition by game_date
cluster by player_lookup
options (description = 'Box scores: one row per player per game');
