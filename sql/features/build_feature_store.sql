-- nba_predictions.ml_feature_store: rebuild the rows of the game dates start_date..end_date from
-- the raw tables (features/feature_rows.sql), in one transaction: never half a range.
begin transaction;

delete from nba_predictions.ml_feature_store
where game_date between @start_date and @end_date;

insert into nba_predictions.ml_feature_store ({{ columns }})
select {{ columns }}
from ({{ sql:features/feature_rows }});

commit transaction;
