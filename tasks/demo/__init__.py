"""The demo season: a deterministic synthetic NBA season shaped like the raw tables.

`generate_season()` returns the four raw tables (schedule, box scores, prop lines, injury
report). Split by concern: `schedule` (the calendar), `league` (rosters, roles, trades, injuries
and who suits up), `box_scores` (minutes and points), `market` (the books' lines, main and
alternate), `identity` (how books spell names, and the aliases), `tables` (the Arrow tables, typed
by the DDL in `sql/tables/`), `names` (package data), `season` (all of it, one season or several).
"""

from __future__ import annotations

from shadowline.tasks.demo.schedule import DEFAULT_SEASON_END, DEFAULT_SEASON_START
from shadowline.tasks.demo.season import DEMO_SEASONS, Season, generate_season, generate_seasons

__all__ = [
    "DEFAULT_SEASON_END",
    "DEFAULT_SEASON_START",
    "DEMO_SEASONS",
    "Season",
    "generate_season",
    "generate_seasons",
]
