-- The decay alarms' and the monitor's stored states on one game date, before a grading run
-- rewrites them: what was already news that day.
-- grain: one row per source, model_id, against_model_id.
select 'decay' as source, model_id, '' as against_model_id, state
from nba_predictions.ml_model_decay
where game_date = @game_date
union all
select 'monitor' as source, model_id, against_model_id, state
from nba_predictions.ml_model_monitor
where game_date = @game_date
