"""A deterministic synthetic NBA season (or several): the raw tables, from one seed.

Everything is driven by one seeded `np.random.default_rng` (split with `spawn`), so the same
arguments always give identical tables.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from shadowline.tasks.demo.box_scores import box_scores
from shadowline.tasks.demo.identity import book_names
from shadowline.tasks.demo.league import availability, league, rosters
from shadowline.tasks.demo.market import Props, market
from shadowline.tasks.demo.names import TEAMS
from shadowline.tasks.demo.schedule import (
    DEFAULT_SEASON_END,
    DEFAULT_SEASON_START,
    schedule,
    team_games,
    tipoffs,
)
from shadowline.tasks.demo.tables import (
    aliases_table,
    box_table,
    injury_table,
    news_table,
    props_table,
    schedule_table,
)

# The demo: last season and this one, so a model trains on one and the demo window opens the next.
DEMO_SEASONS = ((date(2024, 10, 22), date(2025, 4, 13)), (DEFAULT_SEASON_START, DEFAULT_SEASON_END))
# On this game day of the last season (1 = opening night) the odds feed fails part-way: lines
# for only OUTAGE_KEEP of the players reach the table, so betting_line's coverage falls as the
# seed team's vegas_line once did, and feature health has a true episode to find.
OUTAGE_GAME_DAY = 5
OUTAGE_KEEP = 0.35


@dataclass(frozen=True)
class Season:
    schedule: pa.Table
    player_game_summary: pa.Table
    player_points_props: pa.Table
    injury_report: pa.Table
    player_aliases: pa.Table
    news_feed: pa.Table  # a team's own feed (tables.NEWS_FEED): loaded and registered apart

    def tables(self) -> dict[str, pa.Table]:
        return {
            "nba_raw.schedule": self.schedule,
            "nba_analytics.player_game_summary": self.player_game_summary,
            "nba_raw.player_aliases": self.player_aliases,  # before the feeds that use them
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
    return generate_seasons(seed, ((start, end),), teams)


def generate_seasons(
    seed: int = 7, seasons: tuple[tuple[date, date], ...] = DEMO_SEASONS, teams: int = 30
) -> Season:
    """Generate consecutive seasons of one league (the same players, aging form, injuries that
    carry over the summer); identical arguments give identical tables."""
    if not 2 <= teams <= len(TEAMS):
        raise ValueError(f"teams must be between 2 and {len(TEAMS)}, got {teams}")
    for (start, end), following in zip(seasons, [*seasons[1:], None], strict=True):
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        if following is not None and following[0] <= end:
            raise ValueError(f"season starting {following[0]} overlaps the one ending {end}")
    seeds = np.random.default_rng(seed).spawn(7)  # spawn(n)'s first children do not depend on n
    r_sched, r_league, r_inj, r_game, r_mkt, r_names, r_news = seeds
    first = seasons[0][0]
    ndays = (seasons[-1][1] - first).days + 1

    days, homes, aways, spans = [], [], [], []
    for start, end in seasons:
        span = (end - start).days + 1
        d, h, a = schedule(r_sched, teams, start, span)
        offset = (start - first).days
        days.append(d + offset)
        homes.append(h)
        aways.append(a)
        spans.append((offset, span))
    g_day, g_home, g_away = np.concatenate(days), np.concatenate(homes), np.concatenate(aways)
    lg = league(r_league, teams, ndays, tuple(spans) if len(seasons) > 1 else None)
    tg = team_games(g_day, g_home, g_away)
    roster = rosters(lg, tg)
    rows = availability(r_inj, lg, tg, roster, ndays)
    box = box_scores(r_game, lg, tg, rows, g_day.size)
    abbrs = np.array(TEAMS[:teams])
    epoch = first.toordinal() - date(1970, 1, 1).toordinal()
    tipoff = tipoffs(r_names, g_day, g_home, abbrs, first)
    props = market(r_mkt, lg, tg, rows, tipoff[tg.game] - (tg.day + epoch) * 86_400)
    if len(seasons) > 1:
        props = _feed_outage(np.random.default_rng([seed, OUTAGE_GAME_DAY]), props, g_day, spans)
    dates = [first + timedelta(days=int(d)) for d in g_day]
    game_ids = np.array(
        [
            f"{day:%Y%m%d}_{abbrs[a]}_{abbrs[h]}"
            for day, h, a in zip(dates, g_home, g_away, strict=True)
        ]
    )
    spelled = book_names(r_names, lg)
    return Season(
        schedule=schedule_table(
            g_day,
            g_home,
            g_away,
            game_ids,
            abbrs,
            epoch,
            [_season_label(d) for d in dates],
            tipoff,
        ),  # fmt: skip
        player_game_summary=box_table(lg, tg, rows, box, game_ids, abbrs, epoch),
        player_points_props=props_table(lg, props, spelled.names, epoch),
        injury_report=injury_table(lg, tg, rows, abbrs, epoch),
        player_aliases=aliases_table(spelled.aliases),
        news_feed=news_table(r_news, lg, tg, rows, epoch),
    )


def _feed_outage(
    rng: np.random.Generator, props: Props, g_day: np.ndarray, spans: list[tuple[int, int]]
) -> Props:
    """The props without most players' lines on the last season's OUTAGE_GAME_DAY (its own
    generator: the rest of the season is what it would be without the outage)."""
    days = np.unique(g_day[g_day >= spans[-1][0]])
    if days.size < OUTAGE_GAME_DAY:
        return props
    players = np.unique(props.player)
    lost = players[rng.random(players.size) >= OUTAGE_KEEP]
    drop = (props.day == days[OUTAGE_GAME_DAY - 1]) & np.isin(props.player, lost)
    return Props(**{f.name: getattr(props, f.name)[~drop] for f in fields(Props)})


def _season_label(day: date) -> str:
    # a season starts in August, as in sql/features/feature_rows.sql (season_of)
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"
