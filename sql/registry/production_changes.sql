-- Production now, and what the audit trail says it should be: the model of the latest promote
-- or rollback. They differ when the flag was changed outside shadowline (e.g. raw SQL).
-- grain: one row.
with

audited as (
  select model_id
  from nba_predictions.ml_model_registry_audit
  where action in ('promote', 'rollback')
  qualify row_number() over (order by changed_at desc) = 1
),

production as (
  select string_agg(model_id, ', ' order by model_id) as model_ids, count(*) as models
  from nba_predictions.ml_model_registry
  where is_production
)

select
  p.model_ids as production,
  p.models as production_models,
  (select model_id from audited) as audited
from production as p
