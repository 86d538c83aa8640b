-- nba_raw.schedule: table, one row per game (unique key: game_id).
create table if not exists nba_raw.schedule (
  game_id string not null,
  game_date date not null,
  season string,
  home_team_abbr string not null,
  away_team_abbr string not null
)
options (description = 'NBA schedule: one row per game; loaded with `shadowline load nba_raw.schedule FILE`');
