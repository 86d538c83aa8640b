"""A game date's slate: the players to score (the feature rows of everyone expected to take
part, less those listed OUT), and who was left out and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.warehouse import Warehouse, sql_text


@dataclass(frozen=True)
class Slate:
    """A game date's slate: the players to score, and who was left out and why."""

    rows: pa.Table  # the feature rows to score: every slate player not listed OUT
    skipped_out: int  # on the slate, listed OUT on the latest injury report
    with_line: int  # scored, with a consensus line
    without_line: int  # scored, no line (roster or injury report only): NO_LINE
    props_unmatched: int  # players with a line whose name matches no known player
    props_without_game: int  # matched players with a line whose team has no game that day

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
    )


def read_prop_players(warehouse: Warehouse, start: date, end: date | None = None) -> pa.Table:
    """The names with a prop line on each game date `start`..`end` (default: `start` alone),
    and the player each matches (or NULL)."""
    params = {"start_date": start, "end_date": end or start}
    return warehouse.query(sql_text("features/prop_players"), params)
