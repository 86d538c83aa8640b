-- What grading can do for one game date: box-score rows, and predictions by state.
-- grain: one row.
with

box as (
  select count(*) as box_score_rows
  from nba_analytics.player_game_summary
  where game_date = @game_date
),

predictions as (
  select
    count(*) as predictions,
    countif(prediction_error is not null) as graded,
    countif(result_updated_at is not null and prediction_error is null) as void,
    countif(result_updated_at is null) as ungraded
  from nba_predictions.ml_model_predictions
  where game_date = @game_date
)

select * from box cross join predictions
