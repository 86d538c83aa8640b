"""The demo season: a deterministic synthetic NBA season shaped like the raw tables.

`generate_season()` returns the four raw tables (schedule, box scores, prop lines, injury
report). Split by concern: `schedule` (the calendar), `league` (rosters, roles, trades, injuries
and who suits up), `box_scores` (minutes and points), `market` (the books' lines), `tables` (the
Arrow tables, typed by the DDL in `sql/tables/`), `names` (package data), `season` (all of it).
"""

from __future__ import annotations

from shadowline.tasks.demo.schedule import DEFAULT_SEASON_END, DEFAULT_SEASON_START
from shadowline.tasks.demo.season import Season, generate_season

__all__ = ["DEFAULT_SEASON_END", "DEFAULT_SEASON_START", "Season", "generate_season"]
