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
-- The rows are read once: each model-date's sums and counts, then the all-time grain adds those
-- up, so each measure's formula (in `final`) is written once for both grains.
create or replace view nba_predictions.v_ml_model_performance as
with

results as (
  select
    *,
    is_graded and betting_line is not null as is_lined,
    bet_outcome in ('WIN', 'LOSS') and profit_units is not null as is_priced_decision
  from nba_predictions.v_ml_model_prediction_results
),

daily as (
  select
    model_id,
    game_date,
    count(*) as predictions,
    countif(is_graded) as graded_predictions,
    countif(is_void) as void_predictions,
    sum(prediction_error) as error_sum,
    countif(within_3) as within_3,
    countif(within_5) as within_5,
    countif(bet_outcome is not null) as bets,
    countif(bet_outcome = 'WIN') as wins,
    countif(bet_outcome = 'LOSS') as losses,
    countif(bet_outcome = 'PUSH') as pushes,
    sum(units_at_110) as units_at_110,
    countif(profit_units is not null) as priced_bets,
    sum(profit_units) as profit_units,
    sum(if(is_priced_decision, bet_implied_probability, null)) as implied_sum,
    countif(is_priced_decision and bet_implied_probability is not null) as implied_bets,
    sum(clv_points) as clv_sum,
    countif(clv_points is not null) as clv_bets,
    countif(clv_points > 0) as clv_positive,
    countif(beat_vegas) as beat_vegas,
    countif(beat_vegas is not null) as vegas_compared,
    countif(beat_baseline) as beat_baseline,
    countif(beat_baseline is not null) as baseline_compared,
    countif(is_lined) as lined_predictions,
    sum(if(is_lined, prediction_error, null)) as lined_error_sum,
    sum(if(is_lined, abs(actual_points - betting_line), null)) as line_error_sum,
    countif(is_graded and is_live) as live_graded_predictions,
    sum(if(is_live, prediction_error, null)) as live_error_sum,
    countif(is_live and bet_outcome = 'WIN') as live_wins,
    countif(is_live and bet_outcome in ('WIN', 'LOSS')) as live_decided
  from results
  group by model_id, game_date
),

grains as (
  select
    model_id,
    game_date,
    false as all_time,
    1 as game_days,
    if(live_graded_predictions > 0, 1, 0) as live_game_days,
    game_date as first_game_date,
    game_date as last_game_date,
    * except (model_id, game_date)
  from daily
  union all
  -- the counts cast back to INT64 (DuckDB's sum of a BIGINT is a 128-bit integer)
  select
    model_id,
    cast(null as date) as game_date,
    true as all_time,
    count(*) as game_days,
    countif(live_graded_predictions > 0) as live_game_days,
    min(game_date) as first_game_date,
    max(game_date) as last_game_date,
    cast(sum(predictions) as int64) as predictions,
    cast(sum(graded_predictions) as int64) as graded_predictions,
    cast(sum(void_predictions) as int64) as void_predictions,
    sum(error_sum) as error_sum,
    cast(sum(within_3) as int64) as within_3,
    cast(sum(within_5) as int64) as within_5,
    cast(sum(bets) as int64) as bets,
    cast(sum(wins) as int64) as wins,
    cast(sum(losses) as int64) as losses,
    cast(sum(pushes) as int64) as pushes,
    sum(units_at_110) as units_at_110,
    cast(sum(priced_bets) as int64) as priced_bets,
    sum(profit_units) as profit_units,
    sum(implied_sum) as implied_sum,
    cast(sum(implied_bets) as int64) as implied_bets,
    sum(clv_sum) as clv_sum,
    cast(sum(clv_bets) as int64) as clv_bets,
    cast(sum(clv_positive) as int64) as clv_positive,
    cast(sum(beat_vegas) as int64) as beat_vegas,
    cast(sum(vegas_compared) as int64) as vegas_compared,
    cast(sum(beat_baseline) as int64) as beat_baseline,
    cast(sum(baseline_compared) as int64) as baseline_compared,
    cast(sum(lined_predictions) as int64) as lined_predictions,
    sum(lined_error_sum) as lined_error_sum,
    sum(line_error_sum) as line_error_sum,
    cast(sum(live_graded_predictions) as int64) as live_graded_predictions,
    sum(live_error_sum) as live_error_sum,
    cast(sum(live_wins) as int64) as live_wins,
    cast(sum(live_decided) as int64) as live_decided
  from daily
  group by model_id
),

-- the error percentiles (analytic functions in BigQuery), one partitioning per grain, read
-- from the table: a CTE with several readers is materialised whole, all its columns
day_percentiles as (
  select distinct
    model_id,
    game_date,
    percentile_cont(prediction_error, 0.5) over (partition by model_id, game_date)
      as median_error,
    percentile_cont(prediction_error, 0.9) over (partition by model_id, game_date) as p90_error
  from nba_predictions.ml_model_predictions
),

all_time_percentiles as (
  select distinct
    model_id,
    percentile_cont(prediction_error, 0.5) over (partition by model_id) as median_error,
    percentile_cont(prediction_error, 0.9) over (partition by model_id) as p90_error
  from nba_predictions.ml_model_predictions
),

final as (
  select
    g.model_id,
    g.game_date,
    g.all_time,
    g.predictions,
    g.graded_predictions,
    g.void_predictions,
    g.game_days,
    g.first_game_date,
    g.last_game_date,
    safe_divide(g.error_sum, g.graded_predictions) as mae,
    safe_divide(g.within_3, g.graded_predictions) as within_3_rate,
    safe_divide(g.within_5, g.graded_predictions) as within_5_rate,
    g.bets,
    g.wins,
    g.losses,
    g.pushes,
    safe_divide(g.wins, g.wins + g.losses) as bet_accuracy,
    safe_divide(g.units_at_110, g.bets) as roi,
    g.priced_bets,
    coalesce(g.profit_units, 0.0) as units,
    safe_divide(g.profit_units, g.priced_bets) as roi_at_odds,
    safe_divide(g.implied_sum, g.implied_bets) as break_even_at_odds,
    safe_divide(g.clv_sum, g.clv_bets) as avg_clv,
    safe_divide(g.clv_positive, g.clv_bets) as clv_positive_rate,
    safe_divide(g.beat_vegas, g.vegas_compared) as beat_vegas_rate,
    safe_divide(g.beat_baseline, g.baseline_compared) as beat_baseline_rate,
    g.lined_predictions,
    safe_divide(g.lined_error_sum, g.lined_predictions) as mae_on_lined,
    safe_divide(g.line_error_sum, g.lined_predictions) as line_mae,
    g.live_graded_predictions,
    g.live_game_days,
    safe_divide(g.live_error_sum, g.live_graded_predictions) as live_mae,
    safe_divide(g.live_wins, g.live_decided) as live_bet_accuracy,
    if(g.all_time, a.median_error, d.median_error) as median_error,
    if(g.all_time, a.p90_error, d.p90_error) as p90_error,
    safe_divide(g.lined_error_sum, g.lined_predictions)
      - safe_divide(g.line_error_sum, g.lined_predictions) as mae_vs_line
  from grains as g
  left join day_percentiles as d
    on d.model_id = g.model_id and d.game_date = g.game_date
  left join all_time_percentiles as a
    on a.model_id = g.model_id and g.all_time
)

select * from final
