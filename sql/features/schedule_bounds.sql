-- The first and last game date of nba_raw.schedule (NULLs when it is empty).
select min(game_date) as first_date, max(game_date) as last_date
from nba_raw.schedule
