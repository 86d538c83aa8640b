-- Feed rows (prop lines, injury-report entries) whose name matches no known player: neither a
-- box-score player_lookup nor an alias in nba_raw.player_aliases. A NULL game_date means every
-- date. grain: one row per (feed, name).
with

feed as (
  select 'props' as feed, player_lookup as name, game_date
  from nba_raw.player_points_props
  union all
  select 'injury report' as feed, player_lookup as name, game_date
  from nba_raw.injury_report
),

final as (
  select
    f.feed,
    f.name,
    count(*) as feed_rows,
    count(distinct f.game_date) as game_days,
    min(f.game_date) as first_game_date,
    max(f.game_date) as last_game_date
  from feed as f
  left join nba_predictions.v_player_names as n
    on n.name = f.name
  where n.name is null
    and (cast(@game_date as date) is null or f.game_date = cast(@game_date as date))
  group by f.feed, f.name
)

select * from final
order by feed_rows desc, name
