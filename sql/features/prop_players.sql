-- The players with a prop line on the game dates start_date..end_date, as the books name them,
-- and whom each name matches (NULL: no known player; nba_predictions.v_player_names).
-- grain: one row per game_date and name.
select distinct
  p.game_date,
  p.player_lookup as name,
  n.player_lookup
from nba_raw.player_points_props as p
left join nba_predictions.v_player_names as n
  on n.name = p.player_lookup
where p.game_date between @start_date and @end_date
