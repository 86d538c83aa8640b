-- Every snapshot each book posted for the game dates start_date..end_date, with its clock time
-- in Eastern time (minutes after midnight, daylight saving included): when a feed posts.
-- grain: one row per bookmaker, game_date, processed_at.
select distinct
  bookmaker,
  game_date,
  processed_at,
  extract(hour from datetime(processed_at, 'America/New_York')) * 60
    + extract(minute from datetime(processed_at, 'America/New_York')) as minute_et
from nba_raw.player_points_props
where game_date between @start_date and @end_date
order by bookmaker, game_date, processed_at
