-- nba_predictions.ml_model_predictions: grade the game dates start_date..end_date (key:
-- prediction_id); one date or a backfill's range in one statement, with the same result.
-- A game is final once it has box-score rows. A player of a final game with no minutes is void
-- (DNP): result_updated_at and actual_minutes are set, everything else stays NULL.
-- Only rows whose result changes are updated, so grading twice changes nothing.
merge nba_predictions.ml_model_predictions as p
using (
  with

  box as (
    select game_id, player_lookup, points, minutes_played
    from nba_analytics.player_game_summary
    where game_date between @start_date and @end_date
  ),

  final_games as (
    select distinct game_id from box
  ),

  game_tipoffs as (
    select distinct pr.game_date, pr.player_lookup, s.tipoff_at
    from nba_predictions.ml_model_predictions as pr
    join nba_raw.schedule as s
      on s.game_id = pr.game_id
    where pr.game_date between @start_date and @end_date
  ),

  closing_books as (
    -- each book's main line in its last snapshot before the player's game tipped off (every
    -- snapshot of the day when the schedule has no tip-off time)
    select o.game_date, o.player_lookup, o.bookmaker, o.points_line
    from nba_predictions.v_prop_offers as o
    join game_tipoffs as t
      on t.game_date = o.game_date and t.player_lookup = o.player_lookup
    where o.game_date between @start_date and @end_date
      and o.is_main_line
      and (t.tipoff_at is null or o.processed_at < t.tipoff_at)
    qualify o.processed_at
      = max(o.processed_at) over (partition by o.game_date, o.player_lookup, o.bookmaker)
  ),

  closing_lines as (
    -- the closing line: the median of those main lines, as the consensus line is built
    select game_date, player_lookup, max(median_line) as closing_line
    from (
      select
        game_date,
        player_lookup,
        percentile_cont(points_line, 0.5) over (partition by game_date, player_lookup)
          as median_line
      from closing_books
    )
    group by game_date, player_lookup
  ),

  baseline_models as (
    select model_id
    from nba_predictions.ml_model_registry
    where is_baseline
  ),

  played as (
    select
      pr.prediction_id,
      pr.game_date,
      pr.model_id,
      pr.player_lookup,
      pr.predicted_points,
      -- a line that is not a real number (NaN, infinite) is no line
      if(is_nan(pr.betting_line) or is_inf(pr.betting_line), null, pr.betting_line)
        as betting_line,
      pr.recommendation,
      pr.bet_odds,
      coalesce(b.minutes_played, 0) > 0 as did_play,
      b.points,
      coalesce(b.minutes_played, 0.0) as actual_minutes
    from nba_predictions.ml_model_predictions as pr
    join final_games as g
      on g.game_id = pr.game_id
    left join box as b
      on b.game_id = pr.game_id and b.player_lookup = pr.player_lookup
    where pr.game_date between @start_date and @end_date
  ),

  scored as (
    select
      *,
      if(did_play, points, null) as actual_points,
      if(did_play, abs(predicted_points - points), null) as prediction_error
    from played
  ),

  baseline_errors as (
    select s.game_date, s.player_lookup, s.prediction_error as baseline_error
    from scored as s
    join baseline_models as m
      on m.model_id = s.model_id
  ),

  outcomes as (
    select
      s.*,
      case
        when s.actual_points is null then null
        when s.recommendation not in ('OVER', 'UNDER') or s.betting_line is null then null
        when s.actual_points = s.betting_line then 'PUSH'
        when (s.recommendation = 'OVER') = (s.actual_points > s.betting_line) then 'WIN'
        else 'LOSS'
      end as bet_outcome
    from scored as s
  ),

  final as (
    select
      s.prediction_id,
      s.actual_points,
      s.actual_minutes,
      s.prediction_error,
      s.bet_outcome,
      c.closing_line,
      -- closing-line value: how far the line moved toward the recommended side (OVER at 22.5,
      -- closing 23.5: +1.0); only for a bet on a line, and only once the game is final
      case
        when s.betting_line is null or c.closing_line is null then null
        when s.recommendation = 'OVER' then c.closing_line - s.betting_line
        when s.recommendation = 'UNDER' then s.betting_line - c.closing_line
      end as clv_points,
      -- at the stored price: a WIN at +105 pays 1.05 units, at -120 100/120; a LOSS costs the
      -- unit staked; no price, no figure (the -110 figures in the views still count the bet)
      case
        when s.bet_outcome = 'PUSH' then 0.0
        when s.bet_odds is null or abs(s.bet_odds) < 100 then null
        when s.bet_outcome = 'LOSS' then -1.0
        when s.bet_outcome = 'WIN' then if(s.bet_odds > 0, s.bet_odds / 100.0, 100.0 / -s.bet_odds)
      end as profit_units,
      case
        when s.actual_points is null or be.baseline_error is null then null
        when s.model_id in (select model_id from baseline_models) then null
        else s.prediction_error < be.baseline_error
      end as beat_baseline,
      case
        when s.actual_points is null or s.betting_line is null then null
        else s.prediction_error < abs(s.betting_line - s.actual_points)
      end as beat_vegas
    from outcomes as s
    left join baseline_errors as be
      on be.game_date = s.game_date and be.player_lookup = s.player_lookup
    left join closing_lines as c
      on c.game_date = s.game_date and c.player_lookup = s.player_lookup
  )

  select * from final
) as g
on p.prediction_id = g.prediction_id and p.game_date between @start_date and @end_date
when matched and (
  p.result_updated_at is null
  or p.actual_points is distinct from g.actual_points
  or p.actual_minutes is distinct from g.actual_minutes
  or p.prediction_error is distinct from g.prediction_error
  or p.bet_outcome is distinct from g.bet_outcome
  or p.beat_baseline is distinct from g.beat_baseline
  or p.beat_vegas is distinct from g.beat_vegas
  or p.profit_units is distinct from g.profit_units
  or p.closing_line is distinct from g.closing_line
  or p.clv_points is distinct from g.clv_points
) then update set
  actual_points = g.actual_points,
  actual_minutes = g.actual_minutes,
  prediction_error = g.prediction_error,
  bet_outcome = g.bet_outcome,
  beat_baseline = g.beat_baseline,
  beat_vegas = g.beat_vegas,
  profit_units = g.profit_units,
  closing_line = g.closing_line,
  clv_points = g.clv_points,
  result_updated_at = current_timestamp()
