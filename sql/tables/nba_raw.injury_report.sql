-- nba_raw.injury_report: table, one row per report entry (unique key: player_lookup, game_date, report_time).
-- injury_status is one of OUT, DOUBTFUL, QUESTIONABLE, PROBABLE, AVAILABLE; the latest report counts.
create table if not exists nba_raw.injury_report (
  player_lookup string not null,
  game_date date not null,
  team_abbr string,
  injury_status string not null,
  reason string,
  report_time timestamp not null
)
partition by game_date
options (description = 'Pre-game injury report entries');
