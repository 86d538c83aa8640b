-- Each book's first post of each player-game of start_date..end_date, its clock time in Eastern
-- time (minutes after midnight), and whether it came after the game's line cutoff
-- (SHADOWLINE_LINE_CUTOFF): such a player-game has no line from that book in a run. A player's
-- cutoff is his game's (through the feature store), else the latest of the date.
-- grain: one row per bookmaker, game_date, player_lookup.
with

game_cutoffs as (
  {{ sql:features/game_cutoffs }}
),

first_seen as (
  select bookmaker, game_date, player_lookup, min(processed_at) as first_seen_at
  from nba_predictions.v_prop_offers
  where game_date between @start_date and @end_date
  group by bookmaker, game_date, player_lookup
),

player_cutoffs as (
  select f.game_date, f.player_lookup, c.cutoff_at
  from nba_predictions.ml_feature_store as f
  join game_cutoffs as c
    on c.game_id = f.game_id
  where f.game_date between @start_date and @end_date
),

date_cutoffs as (
  select game_date, max(cutoff_at) as cutoff_at
  from game_cutoffs
  group by game_date
)

select
  s.bookmaker,
  s.game_date,
  s.player_lookup,
  extract(hour from datetime(s.first_seen_at, 'America/New_York')) * 60
    + extract(minute from datetime(s.first_seen_at, 'America/New_York')) as first_minute_et,
  coalesce(s.first_seen_at > coalesce(p.cutoff_at, d.cutoff_at), false) as after_cutoff
from first_seen as s
left join player_cutoffs as p
  on p.game_date = s.game_date and p.player_lookup = s.player_lookup
left join date_cutoffs as d
  on d.game_date = s.game_date
