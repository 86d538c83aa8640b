-- What grading can do for the game dates start_date..end_date: box-score rows, and predictions
-- by state. A date with neither has no row.
-- grain: one row per game_date.
with

box as (
  select game_date, count(*) as box_score_rows
  from nba_analytics.player_game_summary
  where game_date between @start_date and @end_date
  group by game_date
),

predictions as (
  select
    game_date,
    count(*) as predictions,
    countif(prediction_error is not null) as graded,
    countif(result_updated_at is not null and prediction_error is null) as void,
    countif(result_updated_at is null) as ungraded
  from nba_predictions.ml_model_predictions
  where game_date between @start_date and @end_date
  group by game_date
)

select
  coalesce(b.game_date, p.game_date) as game_date,
  coalesce(b.box_score_rows, 0) as box_score_rows,
  coalesce(p.predictions, 0) as predictions,
  coalesce(p.graded, 0) as graded,
  coalesce(p.void, 0) as void,
  coalesce(p.ungraded, 0) as ungraded
from box as b
full outer join predictions as p
  on p.game_date = b.game_date
order by game_date
