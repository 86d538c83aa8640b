-- Two models' rows both graded (same player, same game date), with what `shadowline segments`
-- splits them by: the slate's size (games that day), the first model's side, home or away, and
-- the line. grain: one row per player_lookup, game_date graded by both models.
with

slates as (
  select game_date, count(distinct game_id) as slate_games
  from nba_raw.schedule
  group by game_date
),

final as (
  select
    a.game_date,
    a.prediction_error as error_a,
    b.prediction_error as error_b,
    a.bet_outcome as outcome_a,
    b.bet_outcome as outcome_b,
    a.recommendation as direction,
    a.betting_line,
    g.home,
    s.slate_games
  from nba_predictions.v_ml_model_prediction_results as a
  join nba_predictions.v_ml_model_prediction_results as b
    on b.player_lookup = a.player_lookup
    and b.game_date = a.game_date
  left join nba_analytics.player_game_summary as g
    on g.player_lookup = a.player_lookup
    and g.game_date = a.game_date
  left join slates as s
    on s.game_date = a.game_date
  where a.model_id = @a and b.model_id = @b and a.is_graded and b.is_graded
)

select * from final
order by game_date
