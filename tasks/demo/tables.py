"""The demo season as the raw tables, in the columns and types their DDL in `sql/tables/`
declares (nothing about a table's columns is restated here)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from shadowline.tasks.demo.box_scores import Box
from shadowline.tasks.demo.league import ROSTER, STATUS, League, Rows
from shadowline.tasks.demo.market import BOOKS, Props
from shadowline.tasks.demo.names import REASONS
from shadowline.tasks.demo.schedule import TeamGames
from shadowline.tasks.warehouse.schemas import table_from_columns


def _strings(index: np.ndarray, values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Build a string column by index into a small set of values (fast, no Python loop)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(index.astype(np.int32), mask=null), pa.array(values.tolist(), type=pa.string())
    ).cast(pa.string())


def _dates(day: np.ndarray, epoch: int) -> pa.Array:
    return pa.array((day + epoch).astype(np.int32), type=pa.date32())


def _timestamps(day: np.ndarray, seconds: np.ndarray, epoch: int) -> pa.Array:
    micros = ((day + epoch) * 86_400 + seconds).astype(np.int64) * 1_000_000
    return pa.array(micros, type=pa.timestamp("us", tz="UTC"))


def schedule_table(
    g_day: np.ndarray,
    g_home: np.ndarray,
    g_away: np.ndarray,
    game_ids: np.ndarray,
    abbrs: np.ndarray,
    epoch: int,
    seasons: list[str],
    tipoff: np.ndarray,
) -> pa.Table:
    return table_from_columns(
        "nba_raw.schedule",
        {
            "game_id": pa.array(game_ids.tolist()),
            "game_date": _dates(g_day, epoch),
            "season": pa.array(seasons),
            "home_team_abbr": _strings(g_home, abbrs),
            "away_team_abbr": _strings(g_away, abbrs),
            "tipoff_at": pa.array(tipoff * 1_000_000, pa.timestamp("us", tz="UTC")),
        },
    )


def box_table(
    lg: League,
    tg: TeamGames,
    rows: Rows,
    box: Box,
    game_ids: np.ndarray,
    abbrs: np.ndarray,
    epoch: int,
) -> pa.Table:
    # Home team first, then the depth chart (starters first, DNPs last).
    key = (np.arange(tg.game.size)[:, None] * ROSTER + box.rank).ravel()
    sel = np.flatnonzero(rows.avail.ravel())
    sel = sel[np.argsort(key[sel], kind="stable")]
    t = sel // ROSTER
    pl = rows.player.ravel()[sel]

    def picked(a: np.ndarray) -> pa.Array:
        return pa.array(a.ravel()[sel])

    return table_from_columns(
        "nba_analytics.player_game_summary",
        {
            "player_lookup": _strings(pl, lg.lookups),
            "player_name": _strings(pl, lg.names),
            "game_id": _strings(tg.game[t], game_ids),
            "game_date": _dates(tg.day[t], epoch),
            "team_abbr": _strings(tg.team[t], abbrs),
            "opponent_team_abbr": _strings(tg.opp[t], abbrs),
            "home": pa.array(tg.home[t]),
            "starter": picked(box.starter),
            "minutes_played": picked(box.minutes),
            "points": picked(box.points),
            "fg_made": picked(box.fgm),
            "fg_attempted": picked(box.fga),
            "three_pt_made": picked(box.tpm),
            "three_pt_attempted": picked(box.tpa),
            "ft_made": picked(box.ftm),
            "ft_attempted": picked(box.fta),
            "rebounds": picked(box.reb),
            "assists": picked(box.ast),
        },
    )


def props_table(lg: League, props: Props, names: np.ndarray, epoch: int) -> pa.Table:
    """Every line of every snapshot, under the name each book writes (`names`, player x book)."""
    lookup_rank = np.argsort(np.argsort(lg.lookups, kind="stable"), kind="stable")
    order = np.lexsort(
        (props.line, props.seconds, props.book, lookup_rank[props.player], props.day)
    )
    return table_from_columns(
        "nba_raw.player_points_props",
        {
            "player_lookup": _strings(
                (props.player * len(BOOKS) + props.book)[order], names.ravel()
            ),
            "game_date": _dates(props.day[order], epoch),
            "bookmaker": _strings(props.book[order], np.array(BOOKS)),
            "points_line": pa.array(props.line[order]),
            "over_odds": pa.array(props.over[order]),
            "under_odds": pa.array(props.under[order]),
            "processed_at": _timestamps(props.day[order], props.seconds[order], epoch),
        },
    )


def aliases_table(aliases: list[tuple[str, str, str]]) -> pa.Table:
    return table_from_columns(
        "nba_raw.player_aliases",
        {
            "alias": [alias for alias, _, _ in aliases],
            "player_lookup": [lookup for _, lookup, _ in aliases],
            "source": [book for _, _, book in aliases],
        },
    )


# The morning report (15:00 UTC: before a noon Eastern cutoff all season) and the evening one.
_REPORT_SECONDS = (15 * 3600, 21 * 3600 + 1800)


def injury_table(lg: League, tg: TeamGames, rows: Rows, abbrs: np.ndarray, epoch: int) -> pa.Table:
    pl = rows.player.ravel()
    team = np.repeat(tg.team, ROSTER)
    day = np.repeat(tg.day, ROSTER)
    reason = rows.reason.ravel()
    early, late = rows.early.ravel(), rows.status.ravel()
    e, lt = np.flatnonzero(early > 0), np.flatnonzero(late > 0)
    idx = np.concatenate([e, lt])
    status = np.concatenate([early[e], late[lt]])
    seconds = np.repeat(_REPORT_SECONDS, [e.size, lt.size])
    lookup_rank = np.argsort(np.argsort(lg.lookups, kind="stable"), kind="stable")
    order = np.lexsort((lookup_rank[pl[idx]], team[idx], seconds, day[idx]))
    idx, status, seconds = idx[order], status[order], seconds[order]
    return table_from_columns(
        "nba_raw.injury_report",
        {
            "player_lookup": _strings(pl[idx], lg.lookups),
            "game_date": _dates(day[idx], epoch),
            "team_abbr": _strings(team[idx], abbrs),
            "injury_status": _strings(status, np.array(STATUS)),
            "reason": _strings(np.maximum(reason[idx], 0), np.array(REASONS), null=reason[idx] < 0),
            "report_time": _timestamps(day[idx], seconds, epoch),
        },
    )


NEWS_FEED = "team_features.news_feed"  # its DDL: sql/features/demo_news_feed.sql
_NEWS_SECONDS = 15 * 3600 + 1800  # 15:30 UTC: before a noon Eastern cutoff all season
_NEWS_KNOWN = 0.9  # the share of late scratches the team's reporters hear of by then


def news_table(
    rng: np.random.Generator, lg: League, tg: TeamGames, rows: Rows, epoch: int
) -> pa.Table:
    """A team's own news feed (not a raw table shadowline knows: a feature source): for every
    roster player-game, the minutes a game of teammates its reporters know are scratched late,
    posted before the cutoff."""
    known = rows.late & (rng.random(rows.late.shape) < _NEWS_KNOWN)
    minutes = np.where(known, np.round(lg.minutes[rows.player], 1), 0.0)
    value = minutes.sum(1, keepdims=True) - minutes
    day = np.repeat(tg.day, ROSTER)
    return pa.table(
        {
            "player_lookup": _strings(rows.player.ravel(), lg.lookups),
            "game_date": _dates(day, epoch),
            "teammates_scratched_minutes": pa.array(value.ravel(), pa.float64()),
            "posted_at": _timestamps(day, np.full(day.size, _NEWS_SECONDS), epoch),
        }
    )
