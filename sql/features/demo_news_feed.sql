-- The demo's stand-in for a team's own news feed, registered as a feature source (not a table
-- shadowline owns): per roster player-game, the minutes a game of teammates the team's reporters
-- know are scratched late, posted before the line cutoff (posted_at).
create table if not exists team_features.news_feed (
  player_lookup string not null,
  game_date date not null,
  teammates_scratched_minutes float64,
  posted_at timestamp not null
)
