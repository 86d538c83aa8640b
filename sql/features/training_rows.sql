-- Training rows: feature-store rows before the cutoff date whose player played, with the points scored.
-- grain: one row per (game_date, player_lookup).
with

played as (
  select game_id, player_lookup, points
  from nba_analytics.player_game_summary
  where game_date < @train_end and minutes_played > 0
),

final as (
  select f.*, p.points as actual_points
  from nba_predictions.ml_feature_store as f
  join played as p
    on p.game_id = f.game_id and p.player_lookup = f.player_lookup
  where f.game_date < @train_end
)

select * from final
order by game_date, player_lookup
