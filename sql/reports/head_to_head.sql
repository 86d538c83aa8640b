-- Two models compared on the predictions both made, model_a the first as given (the view stores
-- each pair once, model_a < model_b; `flip` turns its row around when the first sorts second).
-- grain: one row, or none when they share no graded player-date.
select
  @a as model_a, @b as model_b, shared_predictions, game_days,
  if(flip, model_b_mae, model_a_mae) as model_a_mae,
  if(flip, model_a_mae, model_b_mae) as model_b_mae,
  if(flip, -mae_difference, mae_difference) as mae_difference,
  if(flip, model_b_wins, model_a_wins) as model_a_wins,
  if(flip, model_a_wins, model_b_wins) as model_b_wins,
  ties,
  if(flip, safe_divide(model_b_wins, shared_predictions), model_a_win_rate) as model_a_win_rate,
  if(flip, model_b_bet_accuracy, model_a_bet_accuracy) as model_a_bet_accuracy,
  if(flip, model_a_bet_accuracy, model_b_bet_accuracy) as model_b_bet_accuracy,
  live_shared_predictions,
  if(flip, -live_mae_difference, live_mae_difference) as live_mae_difference,
  better_model
from (
  select *, model_a <> @a as flip
  from nba_predictions.v_ml_model_head_to_head
  where @a in (model_a, model_b) and @b in (model_a, model_b)
)
