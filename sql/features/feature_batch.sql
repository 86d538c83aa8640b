-- The slates of the game dates start_date..end_date with every feature column: what the
-- experiment flow scores (one date) and a backfill scores (a range, in one read).
-- grain: one row per game_date and player_lookup.
select *
from nba_predictions.ml_feature_store
where game_date between @start_date and @end_date
order by game_date, player_lookup
