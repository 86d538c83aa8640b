"""A deterministic synthetic NBA season: the four raw tables, from one seed.

Everything is driven by one seeded `np.random.default_rng` (split with `spawn`), so the same
arguments always give identical tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from shadowline.tasks.demo.box_scores import box_scores
from shadowline.tasks.demo.league import availability, league, rosters
from shadowline.tasks.demo.market import market
from shadowline.tasks.demo.names import TEAMS
from shadowline.tasks.demo.schedule import (
    DEFAULT_SEASON_END,
    DEFAULT_SEASON_START,
    schedule,
    team_games,
)
from shadowline.tasks.demo.tables import box_table, injury_table, props_table, schedule_table


@dataclass(frozen=True)
class Season:
    schedule: pa.Table
    player_game_summary: pa.Table
    player_points_props: pa.Table
    injury_report: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        return {
            "nba_raw.schedule": self.schedule,
            "nba_analytics.player_game_summary": self.player_game_summary,
            "nba_raw.player_points_props": self.player_points_props,
            "nba_raw.injury_report": self.injury_report,
        }


def generate_season(
    seed: int = 7,
    start: date = DEFAULT_SEASON_START,
    end: date = DEFAULT_SEASON_END,
    teams: int = 30,
) -> Season:
    """Generate a synthetic season; identical arguments give identical tables."""
    if not 2 <= teams <= len(TEAMS):
        raise ValueError(f"teams must be between 2 and {len(TEAMS)}, got {teams}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    r_sched, r_league, r_inj, r_game, r_mkt = np.random.default_rng(seed).spawn(5)
    ndays = (end - start).days + 1

    g_day, g_home, g_away = schedule(r_sched, teams, start, ndays)
    lg = league(r_league, teams, ndays)
    tg = team_games(g_day, g_home, g_away)
    roster = rosters(lg, tg)
    rows = availability(r_inj, lg, tg, roster, ndays)
    box = box_scores(r_game, lg, tg, rows, g_day.size)
    props = market(r_mkt, lg, tg, rows)

    abbrs = np.array(TEAMS[:teams])
    epoch = start.toordinal() - date(1970, 1, 1).toordinal()
    game_ids = np.array(
        [
            f"{(start + timedelta(days=int(d))):%Y%m%d}_{abbrs[a]}_{abbrs[h]}"
            for d, h, a in zip(g_day, g_home, g_away, strict=True)
        ]
    )
    season = _season_label(start)
    return Season(
        schedule=schedule_table(g_day, g_home, g_away, game_ids, abbrs, epoch, season),
        player_game_summary=box_table(lg, tg, rows, box, game_ids, abbrs, epoch),
        player_points_props=props_table(lg, props, epoch),
        injury_report=injury_table(lg, tg, rows, abbrs, epoch),
    )


def _season_label(start: date) -> str:
    # a season starts in August, as in sql/features/feature_rows.sql (season_of)
    first = start.year if start.month >= 8 else start.year - 1
    return f"{first}-{(first + 1) % 100:02d}"
