-- Feature sets as data and model lineage, for a warehouse made before they were stored: the
-- registry's lineage columns, and the two feature sets shadowline ships, each added only when
-- no set of that name exists (a team's own edit of them is kept).
alter table nba_predictions.ml_model_registry add column if not exists train_first_game_date date;
alter table nba_predictions.ml_model_registry add column if not exists train_last_game_date date;
alter table nba_predictions.ml_model_registry add column if not exists train_rows int64;
alter table nba_predictions.ml_model_registry add column if not exists library string;
alter table nba_predictions.ml_model_registry add column if not exists hyperparameters string;
alter table nba_predictions.ml_model_registry add column if not exists training_fingerprint string;

insert into nba_predictions.ml_feature_sets
  (feature_version, feature_names, source, description, created_at, created_by)
select
  'v1_basic',
  ['pts_avg_last_5', 'pts_avg_last_10', 'pts_avg_season', 'min_avg_last_5', 'min_avg_season',
   'games_played_season'],
  'shadowline',
  'Rolling scoring and minutes: what a 5-game average knows, and a little more',
  current_timestamp(),
  'shadowline'
from (select 1 as one) as seed
where not exists (
  select 1 from nba_predictions.ml_feature_sets where feature_version = 'v1_basic'
);

insert into nba_predictions.ml_feature_sets
  (feature_version, feature_names, source, description, created_at, created_by)
select
  'v2_context',
  ['pts_avg_last_5', 'pts_avg_last_10', 'pts_avg_season', 'pts_std_last_10', 'min_avg_last_5',
   'min_avg_last_10', 'min_avg_season', 'fga_avg_last_10', 'fta_avg_last_10',
   'starter_rate_last_10', 'games_played_season', 'rest_days', 'is_back_to_back', 'is_home',
   'opp_pts_allowed_avg_last_10', 'teammates_out', 'betting_line'],
  'shadowline',
  'Adds role, volatility, rest, home/away, opponent defence, injuries and the market line',
  current_timestamp(),
  'shadowline'
from (select 1 as one) as seed
where not exists (
  select 1 from nba_predictions.ml_feature_sets where feature_version = 'v2_context'
);
