-- nba_predictions.ml_feature_sources: table, one row per feature source (key: source_name).
-- A team's own table or view of features, joined on the slate by (player_lookup, game_date). The
-- point-in-time contract: one row per player-game, every value as known before that game's line
-- cutoff; shadowline refuses a source with duplicate keys, or with an as_of_column later than the
-- cutoff of the row's game, naming the source and the rows.
create table if not exists nba_predictions.ml_feature_sources (
  source_name string not null,
  table_name string not null,  -- dataset.table or dataset.view in this warehouse
  as_of_column string,  -- optional: a timestamp column saying when each row's values were known
  description string,
  created_at timestamp,
  created_by string
)
options (description = 'Team feature tables registered as feature sources');
