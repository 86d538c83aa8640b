-- nba_predictions.v_ml_model_performance: view, every measure defined once, at two grains:
-- one row per model per game date (all_time = false) and one per model over all dates
-- (all_time = true, game_date NULL). The daily and leaderboard views select from it.
-- bet_accuracy = wins / (wins + losses); roi is per bet at -110 (break-even 52.38%).
-- At the stored prices (each bet at the best price for its side at the line): units is the
-- profit in units staked, roi_at_odds = units / priced_bets, and break_even_at_odds the bets'
-- average implied probability, the bet_accuracy those prices need to break even.
-- avg_clv: how far the closing line moved toward the model's recommendations on average, in
-- points; clv_positive_rate: the share of them it moved toward (a model that beats the close is
-- worth attention before its results are significant).
-- mae covers every graded row; mae_on_lined and line_mae cover the graded rows with a line, so
-- the model and the consensus line are compared on exactly the same rows (mae_vs_line < 0:
-- the model was closer than the line). live_*: the same on live rows only (scored by their
-- game's line cutoff, as a daily run is): a backfill's rows may hold news a live run lacked.
create or replace view nba_predictions.v_ml_model_performance as
with

results as (
  select
    *,
    percentile_cont(prediction_error, 0.5) over (partition by model_id, game_date)
      as day_median_error,
    percentile_cont(prediction_error, 0.9) over (partition by model_id, game_date)
      as day_p90_error,
    percentile_cont(prediction_error, 0.5) over (partition by model_id) as all_median_error,
    percentile_cont(prediction_error, 0.9) over (partition by model_id) as all_p90_error,
    is_graded and betting_line is not null as is_lined
  from nba_predictions.v_ml_model_prediction_results
),

measures as (
  select
    model_id,
    game_date,
    grouping(game_date) = 1 as all_time,
    count(*) as predictions,
    countif(is_graded) as graded_predictions,
    countif(is_void) as void_predictions,
    count(distinct game_date) as game_days,
    min(game_date) as first_game_date,
    max(game_date) as last_game_date,
    avg(prediction_error) as mae,
    max(day_median_error) as day_median_error,
    max(day_p90_error) as day_p90_error,
    max(all_median_error) as all_median_error,
    max(all_p90_error) as all_p90_error,
    safe_divide(countif(within_3), countif(is_graded)) as within_3_rate,
    safe_divide(countif(within_5), countif(is_graded)) as within_5_rate,
    countif(bet_outcome is not null) as bets,
    countif(bet_outcome = 'WIN') as wins,
    countif(bet_outcome = 'LOSS') as losses,
    countif(bet_outcome = 'PUSH') as pushes,
    safe_divide(countif(bet_outcome = 'WIN'), countif(bet_outcome in ('WIN', 'LOSS')))
      as bet_accuracy,
    safe_divide(sum(units_at_110), countif(bet_outcome is not null)) as roi,
    countif(profit_units is not null) as priced_bets,
    coalesce(sum(profit_units), 0.0) as units,
    safe_divide(sum(profit_units), countif(profit_units is not null)) as roi_at_odds,
    avg(if(bet_outcome in ('WIN', 'LOSS') and profit_units is not null,
      bet_implied_probability, null)) as break_even_at_odds,
    avg(clv_points) as avg_clv,
    safe_divide(countif(clv_points > 0), countif(clv_points is not null)) as clv_positive_rate,
    safe_divide(countif(beat_vegas), countif(beat_vegas is not null)) as beat_vegas_rate,
    safe_divide(countif(beat_baseline), countif(beat_baseline is not null))
      as beat_baseline_rate,
    countif(is_lined) as lined_predictions,
    avg(if(is_lined, prediction_error, null)) as mae_on_lined,
    avg(if(is_lined, abs(actual_points - betting_line), null)) as line_mae,
    countif(is_graded and is_live) as live_graded_predictions,
    count(distinct if(is_graded and is_live, game_date, null)) as live_game_days,
    avg(if(is_live, prediction_error, null)) as live_mae,
    safe_divide(countif(is_live and bet_outcome = 'WIN'),
      countif(is_live and bet_outcome in ('WIN', 'LOSS'))) as live_bet_accuracy
  from results
  group by grouping sets ((model_id, game_date), (model_id))
),

final as (
  select
    * except (day_median_error, day_p90_error, all_median_error, all_p90_error),
    if(all_time, all_median_error, day_median_error) as median_error,
    if(all_time, all_p90_error, day_p90_error) as p90_error,
    mae_on_lined - line_mae as mae_vs_line
  from measures
)

select * from final
