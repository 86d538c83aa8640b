-- A feature source's rows for game dates start_date..end_date: its keys and the columns asked
-- for (the features a set names, and its as_of_column). grain: what the source holds, which the
-- caller checks is one row per (player_lookup, game_date).
select player_lookup, cast(game_date as date) as game_date, {{ columns }}
from {{ source_table }}
where cast(game_date as date) between @start_date and @end_date
