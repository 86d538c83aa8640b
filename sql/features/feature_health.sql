-- Feature health, as `shadowline features health` shows it: every model (or one, when model_id
-- is not empty) over game dates start..end. grain: one row per game_date, model_id, feature_name.
select
  game_date, model_id, feature_name, state, slate_rows,
  round(non_null_share, 3) as non_null_share,
  round(reference_non_null_share, 3) as training_share,
  round(psi, 3) as psi,
  reference
from nba_predictions.v_ml_feature_health
where (@model_id = '' or model_id = @model_id)
  and game_date between @start and @end
order by game_date, model_id, feature_name
