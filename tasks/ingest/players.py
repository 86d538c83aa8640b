"""Player identity: one `player_lookup` per player, whatever name a feed gives him.

A name from any feed becomes a `player_lookup` by one rule (`normalize_name`), and a name a
book or an injury report spells its own way maps to the box scores' player through
`nba_raw.player_aliases` (the view `v_player_names` joins them). What matches no one is
reported, never dropped silently.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.warehouse import Warehouse, sql_text

# The columns that hold a player's name in the raw tables, normalized at load.
NAME_COLUMNS = ("player_lookup", "alias")
# The feeds whose names must match a known player.
FEEDS = {"nba_raw.player_points_props": "prop", "nba_raw.injury_report": "injury-report"}


def normalize_name(text: str) -> str:
    """A name as a `player_lookup`: accents dropped, lower case, letters and digits only.
    "Nikola Jokić" -> "nikolajokic", "Karl-Anthony Towns" -> "karlanthonytowns",
    "D'Angelo Russell" -> "dangelorussell"; an id such as "201939" stays itself."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


def normalize_names(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """`normalize_name` over a column (each distinct name once)."""
    values = pc.unique(column).to_pylist()
    normalized = pa.array([None if v is None else normalize_name(v) for v in values])
    return pc.take(normalized, pc.index_in(column, value_set=pa.array(values, column.type)))


@dataclass(frozen=True)
class Unmatched:
    """A feed's rows whose name matches no known player, with the closest known names."""

    feed: str  # "prop" or "injury-report"
    rows: int
    names: list[tuple[str, int, str | None]]  # (name, rows, nearest known player_lookup)

    def describe(self, shown: int = 3) -> str:
        listed = ", ".join(
            f'"{name}"' + (f" (did you mean {nearest}?)" if nearest else "")
            for name, _, nearest in self.names[:shown]
        )
        more = f" and {len(self.names) - shown} more names" if len(self.names) > shown else ""
        return f"{self.rows:,} {self.feed} rows match no player: {listed}{more}"


def known_players(warehouse: Warehouse) -> tuple[set[str], list[str]]:
    """Every name that maps to a player, and the players' own `player_lookup`s."""
    names = warehouse.query(sql_text("players/names"))
    own = names.filter(pc.equal(names["name"], names["player_lookup"]))
    return set(names["name"].to_pylist()), own["player_lookup"].to_pylist()


def nearest(name: str, players: list[str]) -> str | None:
    found = difflib.get_close_matches(name, players, n=1, cutoff=0.7)
    return found[0] if found else None


def unmatched_rows(warehouse: Warehouse, table: str, rows: pa.Table) -> Unmatched | None:
    """The rows of a feed just loaded whose name matches no known player (None when every one
    matches, when `table` is not a feed, or when no box scores are loaded yet)."""
    if table not in FEEDS or rows.num_rows == 0:
        return None
    names, players = known_players(warehouse)
    if not players:
        return None  # nothing to match against yet: load box scores first
    counts = rows.group_by("player_lookup").aggregate([([], "count_all")]).to_pylist()
    missing = sorted(
        ((r["player_lookup"], r["count_all"]) for r in counts if r["player_lookup"] not in names),
        key=lambda item: (-item[1], item[0]),
    )
    if not missing:
        return None
    return Unmatched(
        FEEDS[table],
        sum(n for _, n in missing),
        [(name, n, nearest(name, players)) for name, n in missing],
    )


@dataclass(frozen=True)
class Matching:
    """How one feed's rows name players."""

    feed: str
    own_name: int
    through_alias: int
    unmatched: int

    def describe(self) -> str:
        return (
            f"{self.feed}: {self.own_name:,} rows by the player's own name, "
            f"{self.through_alias:,} through an alias, {self.unmatched:,} unmatched"
        )


def matching(warehouse: Warehouse) -> list[Matching]:
    """Per feed, how many rows match a player by his own name, through an alias, or not at all."""
    return [Matching(**row) for row in warehouse.query(sql_text("players/matching")).to_pylist()]


def unmatched_table(warehouse: Warehouse, game_date: date | None = None) -> pa.Table:
    """Every feed name (props, injury report) that matches no known player, with its rows, its
    dates and the closest known name: what `shadowline players unmatched` lists."""
    found = warehouse.query(sql_text("players/unmatched"), {"game_date": game_date})
    _, players = known_players(warehouse)
    closest = [nearest(name, players) for name in found["name"].to_pylist()]
    return found.append_column("nearest_player", pa.array(closest, pa.string()))
