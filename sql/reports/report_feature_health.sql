-- Feature health over the report's game days, for its plot: each feature's lowest coverage
-- ratio and highest PSI among the models that use it. grain: one row per game_date, feature_name.
select
  game_date,
  feature_name,
  min(coverage_ratio) as coverage_ratio,
  max(psi) as psi
from nba_predictions.ml_feature_health
where game_date between @start and @end
group by game_date, feature_name
order by game_date, feature_name
