-- Each production or enabled model's graded rows per game date: what the decay alarms read.
-- grain: one row per model_id, game_date with a graded row.
with

watched as (
  select model_id, coalesce(is_production, false) as is_production, test_mae
  from nba_predictions.ml_model_registry
  where enabled or is_production
),

final as (
  select
    w.model_id,
    w.is_production,
    w.test_mae,
    r.game_date,
    count(*) as graded_rows,
    sum(r.prediction_error) as error_sum,
    countif(r.bet_outcome in ('WIN', 'LOSS')) as decided_bets,
    countif(r.bet_outcome = 'WIN') as wins,
    countif(r.is_live) as live_rows
  from watched as w
  join nba_predictions.v_ml_model_prediction_results as r
    on r.model_id = w.model_id
  where r.is_graded
  group by w.model_id, w.is_production, w.test_mae, r.game_date
)

select * from final
order by model_id, game_date
