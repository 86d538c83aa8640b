-- The demo's team dataset, where a team keeps its own feature tables (team_features).
create schema if not exists team_features
