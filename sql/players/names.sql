-- Every name a feed may use for a player, and the player it names (nba_predictions.v_player_names).
-- grain: one row per name.
select name, player_lookup
from nba_predictions.v_player_names
