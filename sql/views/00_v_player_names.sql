-- nba_predictions.v_player_names: view, one row per name a feed may use for a player
-- (unique key: name). A player's own player_lookup (from the box scores) names him, and so does
-- each alias in nba_raw.player_aliases; where an alias is also another player's own name, the
-- player's own name wins.
create or replace view nba_predictions.v_player_names as

with

known as (
  select distinct player_lookup
  from nba_analytics.player_game_summary
),

names as (
  select player_lookup as name, player_lookup, 0 as precedence
  from known
  union all
  select alias as name, player_lookup, 1 as precedence
  from nba_raw.player_aliases
),

final as (
  select name, player_lookup
  from names
  qualify row_number() over (partition by name order by precedence, player_lookup) = 1
)

select * from final
