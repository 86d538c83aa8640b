-- nba_predictions.v_ml_model_daily_performance: view, one row per model per game date
-- (key: model_id, game_date). bet_accuracy = wins / (wins + losses); roi is per bet at -110.
create or replace view nba_predictions.v_ml_model_daily_performance as
with

results as (
  select
    *,
    percentile_cont(prediction_error, 0.5) over (partition by model_id, game_date)
      as day_median_error,
    percentile_cont(prediction_error, 0.9) over (partition by model_id, game_date)
      as day_p90_error
  from nba_predictions.v_ml_model_prediction_results
),

final as (
  select
    game_date,
    model_id,
    count(*) as predictions,
    countif(is_graded) as graded_predictions,
    countif(is_void) as void_predictions,
    avg(prediction_error) as mae,
    max(day_median_error) as median_error,
    max(day_p90_error) as p90_error,
    safe_divide(countif(within_3), countif(is_graded)) as within_3_rate,
    safe_divide(countif(within_5), countif(is_graded)) as within_5_rate,
    countif(bet_outcome is not null) as bets,
    countif(bet_outcome = 'WIN') as wins,
    countif(bet_outcome = 'LOSS') as losses,
    countif(bet_outcome = 'PUSH') as pushes,
    safe_divide(countif(bet_outcome = 'WIN'), countif(bet_outcome in ('WIN', 'LOSS')))
      as bet_accuracy,
    safe_divide(sum(units_at_110), countif(bet_outcome is not null)) as roi,
    safe_divide(countif(beat_vegas), countif(beat_vegas is not null)) as beat_vegas_rate,
    safe_divide(countif(beat_baseline), countif(beat_baseline is not null))
      as beat_baseline_rate
  from results
  group by game_date, model_id
)

select * from final
