"""A game date's slate: the players to score (the feature rows of everyone expected to take
part, less those listed OUT), and who was left out and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.core.cutoff import LineCutoff
from shadowline.tasks.warehouse import Warehouse, sql_text

# More than this share of a date's prop player-games posted after their cutoff: a warning.
LATE_SHARE = 0.10


@dataclass(frozen=True)
class Slate:
    """A game date's slate: the players to score, and who was left out and why."""

    rows: pa.Table  # the feature rows to score: every slate player not listed OUT
    skipped_out: int  # on the slate, listed OUT on the latest injury report
    with_line: int  # scored, with a consensus line
    without_line: int  # scored, no line (roster or injury report only): NO_LINE
    props_unmatched: int  # players with a line whose name matches no known player
    props_without_game: int  # matched players with a line whose team has no game that day
    # the feed's timing: prop player-games whose first line came by their game's line cutoff,
    # and after it (NO_LINE in this run); a player without a game counts against the latest
    props_before_cutoff: int = 0
    props_after_cutoff: int = 0

    @property
    def after_cutoff_share(self) -> float:
        total = self.props_before_cutoff + self.props_after_cutoff
        return self.props_after_cutoff / total if total else 0.0

    def timing_warning(self, day: date, cutoff: LineCutoff) -> str | None:
        """The warning a run prints when more than LATE_SHARE of the date's prop player-games
        were first posted after their cutoff, or None."""
        if self.after_cutoff_share <= LATE_SHARE:
            return None
        total = self.props_before_cutoff + self.props_after_cutoff
        return (
            f"{self.props_after_cutoff} of {total} prop player-games on {day} "
            f"({self.after_cutoff_share:.0%}) were first posted after the line cutoff "
            f"({cutoff.describe()}), so they have no line here (NO_LINE): the feed posts later "
            f"than the cutoff; see `shadowline feeds timing` and {cutoff.fix()}"
        )

    def describe(self) -> str:
        """`212 players: 198 with a line, 14 roster-only; 9 OUT skipped` (and prop players left
        out, when there are)."""
        text = (
            f"{self.rows.num_rows} players: {self.with_line} with a line, {self.without_line} "
            f"roster-only; {self.skipped_out} OUT skipped"
        )
        if self.props_unmatched:
            n = self.props_unmatched
            text += f"; {n} prop name{'s' if n > 1 else ''} matching no player"
        if self.props_without_game:
            n = self.props_without_game
            text += f"; {n} prop player{'s' if n > 1 else ''} without a game that day"
        return text


def make_slate(batch: pa.Table, prop_players: pa.Table) -> Slate:
    """The slate from a date's feature rows and its prop players (`read_prop_players`)."""
    out = pc.fill_null(pc.equal(batch["injury_status"], "OUT"), False)
    rows = batch.filter(pc.invert(out))
    with_line = int(pc.sum(pc.is_valid(rows["betting_line"])).as_py() or 0)
    matched = prop_players.filter(pc.is_valid(prop_players["player_lookup"]))
    on_slate = pc.is_in(matched["player_lookup"], value_set=batch["player_lookup"].combine_chunks())
    return Slate(
        rows=rows,
        skipped_out=int(pc.sum(out).as_py() or 0),
        with_line=with_line,
        without_line=rows.num_rows - with_line,
        props_unmatched=prop_players.num_rows - matched.num_rows,
        props_without_game=len(
            set(matched.filter(pc.invert(on_slate))["player_lookup"].to_pylist())
        ),
        **_timing(batch, prop_players),
    )


def _timing(batch: pa.Table, prop_players: pa.Table) -> dict[str, int]:
    """How many prop player-games were first posted by their game's cutoff and after it: a
    slate player's cutoff is his row's line_cutoff_at, anyone else's the latest of the date."""
    if (
        "line_cutoff_at" not in batch.column_names
        or "first_seen_at" not in prop_players.column_names
    ):
        return {}
    cutoffs = dict(
        zip(batch["player_lookup"].to_pylist(), batch["line_cutoff_at"].to_pylist(), strict=True)
    )
    latest = max((c for c in cutoffs.values() if c is not None), default=None)
    first_seen: dict[str, datetime] = {}
    for name, player, seen in zip(
        prop_players["name"].to_pylist(),
        prop_players["player_lookup"].to_pylist(),
        prop_players["first_seen_at"].to_pylist(),
        strict=True,
    ):
        key = player or f"name:{name}"  # two names of one player are one player-game
        first_seen[key] = min(seen, first_seen.get(key, seen))
    after = sum(
        1
        for key, seen in first_seen.items()
        if (cutoff := cutoffs.get(key) or latest) is not None and seen > cutoff
    )
    return {"props_before_cutoff": len(first_seen) - after, "props_after_cutoff": after}


def read_prop_players(warehouse: Warehouse, start: date, end: date | None = None) -> pa.Table:
    """The names with a prop line on each game date `start`..`end` (default: `start` alone),
    and the player each matches (or NULL)."""
    params = {"start_date": start, "end_date": end or start}
    return warehouse.query(sql_text("features/prop_players"), params)
