-- The demo's: each model's graded rows with a line, split by its team news feed
-- (team_features.news_feed, a feature source the demo loads): news = teammates of
-- news_minutes or more minutes a game scratched late. grain: one row per model and split.
select
  p.model_id,
  coalesce(f.teammates_scratched_minutes, 0) >= @news_minutes as news,
  count(*) as lined_rows,
  avg(p.predicted_points - p.betting_line) as mean_edge,
  countif(p.actual_points > p.betting_line) as overs,
  countif(p.bet_outcome in ('WIN', 'LOSS')) as bets,
  countif(p.bet_outcome = 'WIN') as wins
from nba_predictions.ml_model_predictions as p
left join team_features.news_feed as f
  on f.game_date = p.game_date and f.player_lookup = p.player_lookup
where p.betting_line is not null and p.actual_points is not null
group by p.model_id, news
order by p.model_id, news
