-- nba_raw.player_aliases: table, one row per name a feed uses for a player (unique key: alias).
-- Books and injury reports spell names their own way (Nic / Nicolas, a dropped Jr., ...): a props
-- or injury row whose player_lookup is an alias belongs to the player_lookup it maps to.
create table if not exists nba_raw.player_aliases (
  alias string not null,
  player_lookup string not null,
  source string
)
options (description = 'Player name variants used by feeds, mapped to the box scores player_lookup');
