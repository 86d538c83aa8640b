-- Each game's line cutoff (grain: one row per game of start_date..end_date): its prop lines are
-- read as of cutoff_at. SHADOWLINE_LINE_CUTOFF is either a clock time on the game day in Eastern
-- time (line_cutoff_minutes after midnight, daylight saving included) or a span before the
-- game's own tip-off (cutoff_before_tipoff_minutes), since late games' lines post and move
-- later. A game whose tip-off is unknown takes its date's earliest known tip-off, else 19:00
-- Eastern: never later than the games around it.
select
  game_id,
  game_date,
  if(
    @cutoff_from_tipoff,
    timestamp_sub(
      coalesce(
        tipoff_at,
        min(tipoff_at) over (partition by game_date),
        timestamp(datetime_add(datetime(game_date), interval 19 hour), 'America/New_York')
      ),
      interval @cutoff_before_tipoff_minutes minute
    ),
    timestamp(
      datetime_add(datetime(game_date), interval @line_cutoff_minutes minute), 'America/New_York'
    )
  ) as cutoff_at
from nba_raw.schedule
where game_date between @start_date and @end_date
