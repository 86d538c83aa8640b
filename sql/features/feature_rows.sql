-- nba_predictions.ml_feature_store rows for the game dates start_date..end_date, computed from the
-- raw tables (a query: `tasks.features.build_features` writes its result into the store).
-- grain: one row per (game_date, player_lookup) on the slate.
-- The slate of D is every player expected to take part in D's games: those with a prop line for
-- D, those who played in the 30 days before D, and those on D's injury report (OUT included: the
-- experiment skips and counts them). A player's team is the one D's injury report names, else
-- the team of his latest box score (a trade shows there). Never built from D's box scores:
-- players who end up not playing stay on it. Rolling stats use games strictly before D, from D's
-- season, or from the season before when he has not played yet in D's (an opener, a return from
-- a long absence); NULL where nothing is known. Lines and injuries of D are pre-game facts.
with

slate_games as (
  select game_id, game_date, home_team_abbr as team_abbr, away_team_abbr as opponent_team_abbr,
    1.0 as is_home
  from nba_raw.schedule
  where game_date between @start_date and @end_date
  union all
  select game_id, game_date, away_team_abbr as team_abbr, home_team_abbr as opponent_team_abbr,
    0.0 as is_home
  from nba_raw.schedule
  where game_date between @start_date and @end_date
),

slate_dates as (
  select distinct game_date from slate_games
),

box_scores as (
  -- from the first day of the season before start_date's (seasons start in August): every date
  -- of the range sees its whole season and the one before, whatever the range's start, so a date
  -- built alone and built inside a range get the same rows
  select *
  from nba_analytics.player_game_summary
  where game_date < @end_date
    and game_date >= date(
      if(extract(month from @start_date) >= 8,
        extract(year from @start_date) - 1, extract(year from @start_date) - 2),
      8, 1)
),

season_of as (
  -- The season a date belongs to, as the year it started: seasons start in August.
  -- Defined once here: rolling season stats and the slate both join it.
  select
    game_date,
    if(extract(month from game_date) >= 8, extract(year from game_date),
      extract(year from game_date) - 1) as season_year
  from (
    select game_date from box_scores
    union distinct
    select game_date from slate_dates
  )
),

history as (
  select b.*, s.season_year, cast(round(b.minutes_played * 1e9) as int64) as nano_minutes
  from box_scores as b
  join season_of as s
    on s.game_date = b.game_date
),

game_cutoffs as (
  {{ sql:features/game_cutoffs }}
),

injury_latest as (
  -- each player's latest report entry of a game date as of his team's game's cutoff (a report
  -- posted after it is not known to a run at the cutoff), names resolved like the books'
  select
    coalesce(n.player_lookup, i.player_lookup) as player_lookup,
    i.game_date,
    i.team_abbr,
    i.injury_status
  from nba_raw.injury_report as i
  left join nba_predictions.v_player_names as n
    on n.name = i.player_lookup
  left join slate_games as g
    on g.game_date = i.game_date and g.team_abbr = i.team_abbr
  left join game_cutoffs as k
    on k.game_id = g.game_id
  where i.game_date between @start_date and @end_date
    and (k.cutoff_at is null or i.report_time <= k.cutoff_at)
  qualify row_number() over (
    partition by coalesce(n.player_lookup, i.player_lookup), i.game_date
    order by i.report_time desc
  ) = 1
),

line_players as (
  -- the players with a line on D by the latest of D's cutoffs: they are on the slate, and each
  -- one's line is then read as of his own game's cutoff (offers below)
  select distinct o.game_date, o.player_lookup
  from nba_predictions.v_prop_offers as o
  join (
    select game_date, max(cutoff_at) as cutoff_at from game_cutoffs group by game_date
  ) as c
    on c.game_date = o.game_date
  where o.processed_at <= c.cutoff_at
),

recent_players as (
  -- who played (or sat) in the 30 days before each slate date
  select distinct d.game_date, h.player_lookup
  from slate_dates as d
  join history as h
    on h.game_date < d.game_date
    and h.game_date >= date_sub(d.game_date, interval 30 day)
),

slate_candidates as (
  select game_date, player_lookup from line_players
  union distinct
  select game_date, player_lookup from recent_players
  union distinct
  select game_date, player_lookup from injury_latest
),

last_appearance as (
  -- each candidate's latest box score before D, whenever it was
  select
    c.game_date,
    c.player_lookup,
    h.player_name,
    h.team_abbr as last_team_abbr,
    h.game_date as last_game_date
  from slate_candidates as c
  join history as h
    on h.player_lookup = c.player_lookup
    and h.game_date < c.game_date
  qualify row_number() over (
    partition by c.game_date, c.player_lookup order by h.game_date desc, h.game_id desc
  ) = 1
),

roster as (
  -- each candidate in his team's game of D; one whose team does not play D is not on the slate
  select
    g.game_date, g.game_id, g.team_abbr, g.opponent_team_abbr, g.is_home,
    c.player_lookup, a.player_name, a.last_game_date, k.cutoff_at
  from slate_candidates as c
  left join last_appearance as a
    on a.game_date = c.game_date and a.player_lookup = c.player_lookup
  left join injury_latest as i
    on i.game_date = c.game_date and i.player_lookup = c.player_lookup
  join slate_games as g
    on g.game_date = c.game_date
    and g.team_abbr = coalesce(i.team_abbr, a.last_team_abbr)
  join game_cutoffs as k
    on k.game_id = g.game_id
),

offers as (
  -- every line each book offered for a slate player's game by that game's cutoff, priced, its
  -- main lines marked (v_prop_offers)
  select o.*
  from nba_predictions.v_prop_offers as o
  join roster as r
    on r.game_date = o.game_date and r.player_lookup = o.player_lookup
  where o.processed_at <= r.cutoff_at
),

latest_offers as (
  -- each book's latest snapshot of a player's market
  select *
  from offers
  qualify processed_at = max(processed_at) over (partition by player_lookup, game_date, bookmaker)
),

book_main_lines as (
  -- each book's main line in its latest snapshot of a player's market
  select player_lookup, game_date, bookmaker, points_line
  from latest_offers
  where is_main_line
),

consensus_line as (
  -- The consensus line: the median of the books' main lines (each book's latest snapshot);
  -- line_books counts those books.
  select
    player_lookup,
    game_date,
    max(median_line) as betting_line,
    count(*) as line_books
  from (
    select
      *,
      percentile_cont(points_line, 0.5) over (partition by player_lookup, game_date)
        as median_line
    from book_main_lines
  )
  group by player_lookup, game_date
),

consensus_offers as (
  -- every book's latest offer at the consensus line itself, main or alternate
  select o.*
  from latest_offers as o
  join consensus_line as c
    on c.player_lookup = o.player_lookup
    and c.game_date = o.game_date
    and c.betting_line = o.points_line
),

best_prices as (
  -- each side's best price at the consensus line (the lowest implied probability pays most)
  -- and its book; on a tie, the first book by name
  select
    player_lookup,
    game_date,
    max(if(over_rank = 1, over_odds, null)) as best_over_odds,
    max(if(over_rank = 1 and over_odds is not null, bookmaker, null)) as best_over_book,
    max(if(under_rank = 1, under_odds, null)) as best_under_odds,
    max(if(under_rank = 1 and under_odds is not null, bookmaker, null)) as best_under_book
  from (
    select
      *,
      row_number() over (
        partition by player_lookup, game_date order by over_probability asc nulls last, bookmaker
      ) as over_rank,
      row_number() over (
        partition by player_lookup, game_date order by under_probability asc nulls last, bookmaker
      ) as under_rank
    from consensus_offers
  )
  group by player_lookup, game_date
),

played_rolling as (
  select
    player_lookup,
    game_date,
    season_year,
    avg(points) over (w rows between 4 preceding and current row) as pts_avg_last_5,
    avg(points) over (w rows between 9 preceding and current row) as pts_avg_last_10,
    avg(points) over (w rows between unbounded preceding and current row) as pts_avg_season,
    stddev_samp(points) over (w rows between 9 preceding and current row) as pts_std_last_10,
    -- minutes are averaged as whole nano-minutes, whose sums are exact: a sum of fractions over
    -- a window depends on how the engine splits it, which changes with the dates built at once,
    -- and a tree's split can sit on the last bit (the other averages are of whole numbers)
    avg(nano_minutes) over (w rows between 4 preceding and current row) / 1e9 as min_avg_last_5,
    avg(nano_minutes) over (w rows between 9 preceding and current row) / 1e9 as min_avg_last_10,
    avg(nano_minutes) over (w rows between unbounded preceding and current row) / 1e9 as min_avg_season,
    avg(fg_attempted) over (w rows between 9 preceding and current row) as fga_avg_last_10,
    avg(ft_attempted) over (w rows between 9 preceding and current row) as fta_avg_last_10,
    avg(if(starter, 1.0, 0.0)) over (w rows between 9 preceding and current row)
      as starter_rate_last_10,
    count(*) over (w rows between unbounded preceding and current row) as games_played_season
  from history
  where minutes_played > 0
  window w as (partition by player_lookup, season_year order by game_date, game_id)
),

player_stats as (
  -- the latest rolling stats before D: from D's season, else from the season before (no game
  -- of D's season counted yet); no row when he has no game in either
  select
    r.game_date,
    r.player_lookup,
    s.* except (player_lookup, game_date, season_year, games_played_season),
    if(s.season_year = d.season_year, s.games_played_season, 0) as games_played_season
  from roster as r
  join season_of as d
    on d.game_date = r.game_date
  join played_rolling as s
    on s.player_lookup = r.player_lookup
    and s.game_date < r.game_date
    and s.season_year between d.season_year - 1 and d.season_year
  qualify row_number() over (
    partition by r.game_date, r.player_lookup order by s.game_date desc
  ) = 1
),

points_allowed as (
  select opponent_team_abbr as defense_team_abbr, game_id, game_date, sum(points) as pts_allowed
  from history
  group by opponent_team_abbr, game_id, game_date
),

defense_rolling as (
  select
    defense_team_abbr,
    game_date,
    avg(pts_allowed) over (
      partition by defense_team_abbr order by game_date
      rows between 9 preceding and current row
    ) as opp_pts_allowed_avg_last_10
  from points_allowed
),

opponent_defense as (
  select g.game_date, g.opponent_team_abbr, d.opp_pts_allowed_avg_last_10
  from (select distinct game_date, opponent_team_abbr from slate_games) as g
  join defense_rolling as d
    on d.defense_team_abbr = g.opponent_team_abbr and d.game_date < g.game_date
  qualify row_number() over (
    partition by g.game_date, g.opponent_team_abbr order by d.game_date desc
  ) = 1
),

team_games as (
  select game_date, home_team_abbr as team_abbr from nba_raw.schedule
  union all
  select game_date, away_team_abbr as team_abbr from nba_raw.schedule
),

team_rest as (
  select
    team_abbr,
    game_date,
    date_diff(game_date, lag(game_date) over (partition by team_abbr order by game_date), day)
      as rest_days
  from team_games
),

final as (
  select
    r.game_date,
    r.player_lookup,
    r.player_name,
    r.game_id,
    r.team_abbr,
    r.opponent_team_abbr,
    i.injury_status,
    l.betting_line,
    l.line_books,
    s.pts_avg_last_5,
    s.pts_avg_last_10,
    s.pts_avg_season,
    s.pts_std_last_10,
    s.min_avg_last_5,
    s.min_avg_last_10,
    s.min_avg_season,
    s.fga_avg_last_10,
    s.fta_avg_last_10,
    s.starter_rate_last_10,
    cast(coalesce(s.games_played_season, 0) as float64) as games_played_season,
    cast(date_diff(r.game_date, r.last_game_date, day) as float64) as days_since_last_game,
    cast(least(coalesce(t.rest_days, 10), 10) as float64) as rest_days,
    if(t.rest_days = 1, 1.0, 0.0) as is_back_to_back,
    r.is_home,
    o.opp_pts_allowed_avg_last_10,
    cast(
      sum(if(i.injury_status = 'OUT', 1, 0)) over (partition by r.game_date, r.team_abbr)
      - if(i.injury_status = 'OUT', 1, 0) as float64
    ) as teammates_out,
    current_timestamp() as built_at,
    bp.best_over_odds,
    bp.best_over_book,
    bp.best_under_odds,
    bp.best_under_book,
    r.cutoff_at as line_cutoff_at
  from roster as r
  left join player_stats as s
    on s.game_date = r.game_date and s.player_lookup = r.player_lookup
  left join team_rest as t
    on t.team_abbr = r.team_abbr and t.game_date = r.game_date
  left join opponent_defense as o
    on o.game_date = r.game_date and o.opponent_team_abbr = r.opponent_team_abbr
  left join injury_latest as i
    on i.game_date = r.game_date and i.player_lookup = r.player_lookup
  left join consensus_line as l
    on l.game_date = r.game_date and l.player_lookup = r.player_lookup
  left join best_prices as bp
    on bp.game_date = r.game_date and bp.player_lookup = r.player_lookup
)

select * from final
