-- Each model's mean absolute error per game date on the rows every given model graded (same
-- player, same date): the losses the Model Confidence Set compares.
-- grain: one row per model_id, game_date; `shared_rows` = rows every model graded that day.
with

graded as (
  select model_id, player_lookup, game_date, prediction_error
  from nba_predictions.v_ml_model_prediction_results
  where is_graded and model_id in unnest(@models)
),

shared as (
  select player_lookup, game_date
  from graded
  group by player_lookup, game_date
  having count(distinct model_id) = @model_count
),

final as (
  select g.model_id, g.game_date, count(*) as shared_rows, avg(g.prediction_error) as mae
  from graded as g
  join shared as s
    on s.player_lookup = g.player_lookup
    and s.game_date = g.game_date
  group by g.model_id, g.game_date
)

select * from final
order by game_date, model_id
