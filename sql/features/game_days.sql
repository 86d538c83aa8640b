-- The dates with games from start through end, in order.
-- grain: one row per game_date.
select distinct game_date
from nba_raw.schedule
where game_date between @start and @end
order by game_date
