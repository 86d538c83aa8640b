-- nba_predictions.v_ml_model_prediction_results: view, one row per prediction (key: prediction_id)
-- with the per-row flags the comparison views add up. Graded = prediction_error is not null;
-- live = scored by its game's line cutoff (provenance), as a daily run is.
create or replace view nba_predictions.v_ml_model_prediction_results as
with

final as (
  select
    p.*,
    p.prediction_error is not null as is_graded,
    p.result_updated_at is not null and p.prediction_error is null as is_void,
    -- scored by its game's line cutoff (a daily run), not in a backfill or a late rerun
    coalesce(p.provenance = 'live', false) as is_live,
    if(p.prediction_error is null, null, p.prediction_error <= 3) as within_3,
    if(p.prediction_error is null, null, p.prediction_error <= 5) as within_5,
    case p.bet_outcome when 'WIN' then 100 / 110 when 'LOSS' then -1.0 when 'PUSH' then 0.0 end
      as units_at_110,
    -- the stored price's own break-even: -110 is 110 / 210, +120 is 100 / 220
    case
      when p.bet_odds <= -100 then -p.bet_odds / (100.0 - p.bet_odds)
      when p.bet_odds >= 100 then 100.0 / (p.bet_odds + 100.0)
    end as bet_implied_probability
  from nba_predictions.ml_model_predictions as p
)

select * from final
