-- Two models compared on the predictions both made (in either order of the pair).
-- grain: one row, or none when they share no graded player-date.
select
  model_a, model_b, shared_predictions, game_days, model_a_mae, model_b_mae, mae_difference,
  model_a_wins, model_b_wins, ties, model_a_win_rate, model_a_bet_accuracy,
  model_b_bet_accuracy, live_shared_predictions, live_mae_difference, better_model
from nba_predictions.v_ml_model_head_to_head
where @a in (model_a, model_b) and @b in (model_a, model_b)
