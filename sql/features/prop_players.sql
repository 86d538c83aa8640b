-- The players with a prop line on the game dates start_date..end_date, as the books name them,
-- whom each name matches (NULL: no known player; nba_predictions.v_player_names) and when the
-- name's first line of the day was posted (first_seen_at).
-- grain: one row per game_date and name.
select
  p.game_date,
  p.player_lookup as name,
  n.player_lookup,
  min(p.processed_at) as first_seen_at
from nba_raw.player_points_props as p
left join nba_predictions.v_player_names as n
  on n.name = p.player_lookup
where p.game_date between @start_date and @end_date
group by p.game_date, p.player_lookup, n.player_lookup
