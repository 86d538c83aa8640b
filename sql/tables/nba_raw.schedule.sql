-- nba_raw.schedule: table, one row per game (unique key: game_id). game_date is the game's
-- calendar date in Eastern time; tipoff_at, when known, the tip-off instant (UTC).
create table if not exists nba_raw.schedule (
  game_id string not null,
  game_date date not null,
  season string,
  home_team_abbr string not null,
  away_team_abbr string not null,
  tipoff_at timestamp
)
options (description = 'NBA schedule: one row per game; loaded with `shadowline load nba_raw.schedule FILE`');
