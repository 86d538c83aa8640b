-- nba_predictions.v_prop_offers: view, one row per line a book offered in a snapshot of a
-- player's market (key: player_lookup, game_date, bookmaker, processed_at, points_line), with
-- each side's implied probability (-110 is 110 / 210, +120 is 100 / 220) and whether it is the
-- book's main line in that snapshot. A snapshot holds the main line and alternates; the main
-- line is the one whose over and under prices are closest to even (implied probabilities
-- nearest each other), on a tie the line nearest the median of the book's lines in that
-- snapshot, then the lower one. A line without both prices is the main line only when no line
-- of the snapshot has both. A book's name for a player becomes his player_lookup through
-- v_player_names (aliases). The feature build's consensus line (each book's latest snapshot)
-- and grading's closing line (each book's last snapshot before tip-off) are medians of main
-- lines.
create or replace view nba_predictions.v_prop_offers as
with

offers as (
  select
    coalesce(n.player_lookup, p.player_lookup) as player_lookup,
    p.game_date,
    p.bookmaker,
    p.processed_at,
    p.points_line,
    p.over_odds,
    p.under_odds,
    if(p.over_odds < 0, -p.over_odds / (100.0 - p.over_odds), 100.0 / (p.over_odds + 100.0))
      as over_probability,
    if(p.under_odds < 0, -p.under_odds / (100.0 - p.under_odds), 100.0 / (p.under_odds + 100.0))
      as under_probability
  from nba_raw.player_points_props as p
  left join nba_predictions.v_player_names as n
    on n.name = p.player_lookup
),

medians as (
  select
    *,
    percentile_cont(points_line, 0.5) over (
      partition by player_lookup, game_date, bookmaker, processed_at
    ) as book_median
  from offers
),

final as (
  select
    * except (book_median),
    row_number() over (
      partition by player_lookup, game_date, bookmaker, processed_at
      order by abs(over_probability - under_probability) asc nulls last,
        abs(points_line - book_median), points_line
    ) = 1 as is_main_line
  from medians
)

select * from final
