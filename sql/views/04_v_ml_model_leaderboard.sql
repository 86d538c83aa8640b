-- nba_predictions.v_ml_model_leaderboard: view, one row per model with graded predictions
-- (key: model_id), all time. rank 1 = lowest mae; MAEs equal to 9 decimals share a rank (a
-- sum's last bits depend on the order the rows were added in). Measures are defined in
-- v_ml_model_performance; break-even bet_accuracy at -110 is 52.38%.
create or replace view nba_predictions.v_ml_model_leaderboard as
with

final as (
  select
    rank() over (order by round(p.mae, 9)) as rank,
    p.model_id,
    r.model_name,
    r.model_type,
    r.feature_version,
    coalesce(r.is_production, false) as is_production,
    coalesce(r.is_baseline, false) as is_baseline,
    coalesce(r.enabled, false) as enabled,
    r.test_mae,
    p.predictions,
    p.graded_predictions,
    p.void_predictions,
    p.game_days,
    p.first_game_date,
    p.last_game_date,
    p.mae,
    p.median_error,
    p.p90_error,
    p.within_3_rate,
    p.within_5_rate,
    p.bets,
    p.wins,
    p.losses,
    p.pushes,
    p.bet_accuracy,
    p.roi,
    p.priced_bets,
    p.units,
    p.roi_at_odds,
    p.break_even_at_odds,
    p.avg_clv,
    p.clv_positive_rate,
    p.beat_vegas_rate,
    p.beat_baseline_rate,
    p.lined_predictions,
    p.mae_on_lined,
    p.line_mae,
    p.mae_vs_line,
    p.live_graded_predictions,
    p.live_game_days,
    p.live_mae,
    p.live_bet_accuracy
  from nba_predictions.v_ml_model_performance as p
  left join nba_predictions.ml_model_registry as r
    on r.model_id = p.model_id
  where p.all_time and p.graded_predictions > 0
)

select * from final
