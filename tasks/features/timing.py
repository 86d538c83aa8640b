"""When each book's feed posts, in Eastern time, beside the line cutoff: a feed that posts after
the cutoff leaves its lines out of every run (NO_LINE), and nothing else would say so."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.core.settings import Settings
from shadowline.tasks.features.slate import LATE_SHARE
from shadowline.tasks.features.store import check_range
from shadowline.tasks.warehouse import Warehouse, sql_text

# A half-hour a book posts in on at least this share of its dates is one of its posting times.
USUAL_SHARE = 0.10
SLOT_MINUTES = 30
ANY_BOOK = "(any book)"


def _clock(minute: float) -> str:
    minute = int(round(minute))
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _posting_times(day: np.ndarray, minutes: np.ndarray) -> str:
    """The half-hours a book posts in on at least USUAL_SHARE of its dates, as ranges:
    `08:00-12:30 17:30-22:30`."""
    days = int(day.max()) + 1
    slots, slot_days = np.unique(
        np.unique(np.c_[day, minutes // SLOT_MINUTES], axis=0)[:, 1], return_counts=True
    )
    usual = slots[slot_days >= USUAL_SHARE * days].astype(int)
    ranges: list[list[int]] = []
    for slot in usual:
        if ranges and slot == ranges[-1][1]:
            ranges[-1][1] = slot + 1
        else:
            ranges.append([slot, slot + 1])
    return " ".join(f"{_clock(a * SLOT_MINUTES)}-{_clock(b * SLOT_MINUTES)}" for a, b in ranges)


def feed_timing(warehouse: Warehouse, start: date, end: date) -> pa.Table:
    """One row per book over the game dates `start`..`end`: its dates and player-games, the
    half-hours it posts in (Eastern time), when it first posts a player-game (the earliest, the
    median), and how many player-games it first posted after their line cutoff."""
    check_range(start, end, "feeds timing")
    params = {"start_date": start, "end_date": end}
    snapshots = warehouse.query(sql_text("features/feed_snapshots"), params)
    firsts = warehouse.query(
        sql_text("features/feed_first_posts"), {**params, **Settings().line_cutoff.params()}
    )
    rows = []
    for book in pc.unique(snapshots["bookmaker"]).to_pylist():
        own = snapshots.filter(pc.equal(snapshots["bookmaker"], book))
        _, day = np.unique(own["game_date"].to_numpy(), return_inverse=True)
        first = firsts.filter(pc.equal(firsts["bookmaker"], book))
        first_minutes = first["first_minute_et"].to_numpy().astype(float)
        after = int(pc.sum(first["after_cutoff"]).as_py() or 0)
        rows.append(
            {
                "bookmaker": book,
                "game_dates": int(day.max()) + 1,
                "player_games": first.num_rows,
                "posts_at_et": _posting_times(day, own["minute_et"].to_numpy().astype(float)),
                "earliest_first_post_et": _clock(first_minutes.min()) if first.num_rows else None,
                "median_first_post_et": (
                    _clock(float(np.median(first_minutes))) if first.num_rows else None
                ),
                "after_cutoff": after,
                "after_cutoff_rate": after / first.num_rows if first.num_rows else None,
            }
        )
    if rows:
        rows.append(_any_book(firsts, max(r["game_dates"] for r in rows)))
    return pa.Table.from_pylist(rows, schema=_SCHEMA)


def _any_book(firsts: pa.Table, dates: int) -> dict[str, object]:
    """The feed as a run reads it: a player-game has a line once any book has posted it."""
    by_game = firsts.group_by(["game_date", "player_lookup"]).aggregate(
        [("first_minute_et", "min"), ("after_cutoff", "min")]
    )
    minutes = by_game["first_minute_et_min"].to_numpy().astype(float)
    after = int(pc.sum(by_game["after_cutoff_min"]).as_py() or 0)
    return {
        "bookmaker": ANY_BOOK, "game_dates": dates, "player_games": by_game.num_rows,
        "posts_at_et": "", "earliest_first_post_et": _clock(minutes.min()),
        "median_first_post_et": _clock(float(np.median(minutes))), "after_cutoff": after,
        "after_cutoff_rate": after / by_game.num_rows,
    }  # fmt: skip


_SCHEMA = pa.schema(
    [
        ("bookmaker", pa.string()),
        ("game_dates", pa.int64()),
        ("player_games", pa.int64()),
        ("posts_at_et", pa.string()),
        ("earliest_first_post_et", pa.string()),
        ("median_first_post_et", pa.string()),
        ("after_cutoff", pa.int64()),
        ("after_cutoff_rate", pa.float64()),
    ]
)


def timing_note(table: pa.Table) -> str:
    """What the table says, under it: the cutoff, and the fix when the feed posts after it."""
    cutoff = Settings().line_cutoff
    text = (
        f"times in Eastern time (daylight saving included); line cutoff: {cutoff.describe()} "
        f"(SHADOWLINE_LINE_CUTOFF). {ANY_BOOK}: a player-game has a line once any book posted it."
    )
    feed = [r for r in table.to_pylist() if r["bookmaker"] == ANY_BOOK]
    if feed and (feed[0]["after_cutoff_rate"] or 0) > LATE_SHARE:
        text += (
            f" {feed[0]['after_cutoff_rate']:.0%} of player-games were first posted after the "
            f"cutoff, so a run reads no line for them (NO_LINE): {cutoff.fix()}."
        )
    return text
