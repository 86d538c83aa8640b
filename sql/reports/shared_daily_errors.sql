-- Each model's mean absolute error per game date on the rows every given model graded (same
-- player, same date): the losses the Model Confidence Set compares.
-- grain: one row per model_id, game_date; `shared_rows` = rows every model graded that day.
-- One pass: a window counts the models that graded each player-date, one row per model there
-- (prediction_id, the table's key, is the UUIDv5 of model, player and date); a CTE read twice
-- would be materialised whole, seconds over a long history of many models.
with

graded as (
  select
    model_id,
    game_date,
    prediction_error,
    count(*) over (partition by player_lookup, game_date) as models_graded
  from nba_predictions.v_ml_model_prediction_results
  where is_graded and model_id in unnest(@models)
),

final as (
  select model_id, game_date, count(*) as shared_rows, avg(prediction_error) as mae
  from graded
  where models_graded = @model_count
  group by model_id, game_date
)

select * from final
order by game_date, model_id
