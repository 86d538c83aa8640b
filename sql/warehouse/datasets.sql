-- The three datasets (schemas in the embedded warehouse), before any table.
create schema if not exists nba_raw;
create schema if not exists nba_analytics;
create schema if not exists nba_predictions;
