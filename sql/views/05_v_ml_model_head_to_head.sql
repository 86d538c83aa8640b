-- nba_predictions.v_ml_model_head_to_head: view, one row per pair of models (key: model_a,
-- model_b with model_a < model_b), over the players and dates both graded.
-- A "win" is the smaller absolute error on the same player and date; equal errors are ties.
-- live_*: on the rows both models scored live (by the game's line cutoff).
create or replace view nba_predictions.v_ml_model_head_to_head as
with

graded as (
  select model_id, player_lookup, game_date, prediction_error, bet_outcome, is_live
  from nba_predictions.v_ml_model_prediction_results
  where is_graded
),

pairs as (
  select
    a.model_id as model_a,
    b.model_id as model_b,
    a.game_date,
    a.prediction_error as error_a,
    b.prediction_error as error_b,
    a.bet_outcome as bet_a,
    b.bet_outcome as bet_b,
    a.is_live and b.is_live as both_live
  from graded as a
  join graded as b
    on b.player_lookup = a.player_lookup
    and b.game_date = a.game_date
    and a.model_id < b.model_id
),

final as (
  select
    model_a,
    model_b,
    count(*) as shared_predictions,
    count(distinct game_date) as game_days,
    avg(error_a) as model_a_mae,
    avg(error_b) as model_b_mae,
    avg(error_a) - avg(error_b) as mae_difference,
    countif(error_a < error_b) as model_a_wins,
    countif(error_b < error_a) as model_b_wins,
    countif(error_a = error_b) as ties,
    safe_divide(countif(error_a < error_b), count(*)) as model_a_win_rate,
    safe_divide(countif(bet_a = 'WIN'), countif(bet_a in ('WIN', 'LOSS'))) as model_a_bet_accuracy,
    safe_divide(countif(bet_b = 'WIN'), countif(bet_b in ('WIN', 'LOSS'))) as model_b_bet_accuracy,
    countif(both_live) as live_shared_predictions,
    avg(if(both_live, error_a - error_b, null)) as live_mae_difference,
    case
      when avg(error_a) < avg(error_b) then model_a
      when avg(error_b) < avg(error_a) then model_b
    end as better_model
  from pairs
  group by model_a, model_b
)

select * from final
