-- nba_predictions.v_ml_model_leaderboard: view, one row per model with graded predictions
-- (key: model_id), all time. rank 1 = lowest mae. Break-even bet_accuracy at -110 is 52.38%.
create or replace view nba_predictions.v_ml_model_leaderboard as
with

results as (
  select
    *,
    percentile_cont(prediction_error, 0.5) over (partition by model_id) as all_median_error,
    percentile_cont(prediction_error, 0.9) over (partition by model_id) as all_p90_error
  from nba_predictions.v_ml_model_prediction_results
),

by_model as (
  select
    model_id,
    count(*) as predictions,
    countif(is_graded) as graded_predictions,
    countif(is_void) as void_predictions,
    count(distinct game_date) as game_days,
    min(game_date) as first_game_date,
    max(game_date) as last_game_date,
    avg(prediction_error) as mae,
    max(all_median_error) as median_error,
    max(all_p90_error) as p90_error,
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
  group by model_id
  having countif(is_graded) > 0
),

final as (
  select
    rank() over (order by m.mae) as rank,
    m.model_id,
    r.model_name,
    r.model_type,
    r.feature_version,
    coalesce(r.is_production, false) as is_production,
    coalesce(r.is_baseline, false) as is_baseline,
    coalesce(r.enabled, false) as enabled,
    r.test_mae,
    m.* except (model_id)
  from by_model as m
  left join nba_predictions.ml_model_registry as r
    on r.model_id = m.model_id
)

select * from final
