-- nba_predictions.v_ml_model_daily_performance: view, one row per model per game date
-- (key: model_id, game_date). Measures are defined in v_ml_model_performance.
create or replace view nba_predictions.v_ml_model_daily_performance as
with

final as (
  select
    game_date,
    model_id,
    predictions,
    graded_predictions,
    void_predictions,
    mae,
    median_error,
    p90_error,
    within_3_rate,
    within_5_rate,
    bets,
    wins,
    losses,
    pushes,
    bet_accuracy,
    roi,
    priced_bets,
    units,
    roi_at_odds,
    break_even_at_odds,
    avg_clv,
    clv_positive_rate,
    beat_vegas_rate,
    beat_baseline_rate,
    lined_predictions,
    mae_on_lined,
    line_mae,
    mae_vs_line
  from nba_predictions.v_ml_model_performance
  where not all_time
)

select * from final
