-- The slate of one game date with every feature column: what the experiment flow scores.
-- grain: one row per player_lookup.
select *
from nba_predictions.ml_feature_store
where game_date = @game_date
order by player_lookup
