-- nba_predictions.v_ml_feature_health: view, one row per game date x model x feature (key:
-- game_date, model_id, feature_name): the day's coverage and drift beside what the model was
-- trained on, and what that reference is.
create or replace view nba_predictions.v_ml_feature_health as
with

final as (
  select
    h.game_date,
    h.model_id,
    h.feature_version,
    h.feature_name,
    h.slate_rows,
    h.non_null_share,
    h.reference_non_null_share,
    h.coverage_ratio,
    h.psi,
    h.state,
    p.reference,
    p.reference_rows,
    h.run_id,
    h.computed_at
  from nba_predictions.ml_feature_health as h
  left join nba_predictions.ml_feature_profiles as p
    on p.model_id = h.model_id and p.feature_name = h.feature_name
)

select * from final
