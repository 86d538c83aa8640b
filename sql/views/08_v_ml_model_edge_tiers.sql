-- nba_predictions.v_ml_model_edge_tiers: view, each model's bets by edge tier and direction.
-- grain: one row per model_id, edge_tier, direction. edge = |predicted_points - betting_line|,
-- tiers 0-1, 1-2, 2-3, 3-5 and 5+ points (edge_from: the tier's lower bound, for ordering);
-- direction OVER, UNDER, or BOTH for the two together. hit_rate = wins / (wins + losses), beside
-- break_even (-110: 52.38%) and break_even_at_odds (the prices taken, as in
-- v_ml_model_performance). `shadowline tiers` reads the same bets with a 95% interval per tier
-- (game days as clusters), corrected for reading many tiers at once, and takes other bounds.
create or replace view nba_predictions.v_ml_model_edge_tiers as
with

bets as (
  select
    model_id, game_date, recommendation, bet_outcome, units_at_110, profit_units,
    bet_implied_probability, is_live, abs(predicted_points - betting_line) as edge
  from nba_predictions.v_ml_model_prediction_results
  where bet_outcome is not null
),

tiered as (
  select
    bets.*,
    direction,
    case when edge < 1 then 0 when edge < 2 then 1 when edge < 3 then 2 when edge < 5 then 3
      else 5 end as edge_from
  from bets
  cross join unnest([recommendation, 'BOTH']) as direction
),

final as (
  select
    model_id,
    case edge_from when 0 then '0-1' when 1 then '1-2' when 2 then '2-3' when 3 then '3-5'
      else '5+' end as edge_tier,
    edge_from,
    direction,
    count(*) as bets,
    count(distinct game_date) as game_days,
    countif(bet_outcome = 'WIN') as wins,
    countif(bet_outcome = 'LOSS') as losses,
    countif(bet_outcome = 'PUSH') as pushes,
    safe_divide(countif(bet_outcome = 'WIN'), countif(bet_outcome in ('WIN', 'LOSS')))
      as hit_rate,
    110 / 210 as break_even,
    safe_divide(sum(units_at_110), count(*)) as roi,
    countif(profit_units is not null) as priced_bets,
    coalesce(sum(profit_units), 0.0) as units,
    safe_divide(sum(profit_units), countif(profit_units is not null)) as roi_at_odds,
    avg(if(bet_outcome in ('WIN', 'LOSS') and profit_units is not null,
      bet_implied_probability, null)) as break_even_at_odds,
    countif(is_live) as live_bets
  from tiered
  group by model_id, edge_from, direction
)

select * from final
