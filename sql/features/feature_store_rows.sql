-- How many rows nba_predictions.ml_feature_store holds for the game dates start_date..end_date.
select count(*) as n
from nba_predictions.ml_feature_store
where game_date between @start_date and @end_date
