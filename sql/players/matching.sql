-- How the feeds' rows (prop lines, injury-report entries) name players: by the player's own
-- player_lookup, through an alias in nba_raw.player_aliases, or matching no one.
-- grain: one row per feed.
with

feed as (
  select 'props' as feed, player_lookup as name
  from nba_raw.player_points_props
  union all
  select 'injury report' as feed, player_lookup as name
  from nba_raw.injury_report
),

final as (
  select
    f.feed,
    countif(n.name = n.player_lookup) as own_name,
    countif(n.name != n.player_lookup) as through_alias,
    countif(n.name is null) as unmatched
  from feed as f
  left join nba_predictions.v_player_names as n
    on n.name = f.name
  group by f.feed
)

select * from final
order by feed desc
