"""Feature sets and the point-in-time feature store.

A feature set (`feature_version`) is an ordered list of columns of
`nba_predictions.ml_feature_store`; a model trained on a version expects exactly those columns in
that order. This mapping is the one place where feature sets are defined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.core.errors import ShadowlineError, UsageError
from shadowline.tasks.warehouse import Warehouse, WarehouseError, sql_text
from shadowline.tasks.warehouse.schemas import arrow_schema

FEATURE_SETS: dict[str, tuple[str, ...]] = {
    # Rolling scoring and minutes: what a 5-game average knows, and a little more.
    "v1_basic": (
        "pts_avg_last_5",
        "pts_avg_last_10",
        "pts_avg_season",
        "min_avg_last_5",
        "min_avg_season",
        "games_played_season",
    ),
    # Adds role, volatility, rest, home/away, opponent defence, injuries and the market's line.
    "v2_context": (
        "pts_avg_last_5",
        "pts_avg_last_10",
        "pts_avg_season",
        "pts_std_last_10",
        "min_avg_last_5",
        "min_avg_last_10",
        "min_avg_season",
        "fga_avg_last_10",
        "fta_avg_last_10",
        "starter_rate_last_10",
        "games_played_season",
        "rest_days",
        "is_back_to_back",
        "is_home",
        "opp_pts_allowed_avg_last_10",
        "teammates_out",
        "betting_line",
    ),
}


class FeatureSetError(ShadowlineError):
    """A feature_version that is not defined."""


def feature_names(feature_version: str) -> tuple[str, ...]:
    """The ordered feature columns of `feature_version`."""
    try:
        return FEATURE_SETS[feature_version]
    except KeyError:
        known = ", ".join(sorted(FEATURE_SETS))
        raise FeatureSetError(
            f"unknown feature_version {feature_version!r}: known versions are {known} "
            "(defined in tasks/features/store.py FEATURE_SETS)"
        ) from None


FEATURE_STORE = "nba_predictions.ml_feature_store"


def check_range(start: date, end: date, what: str) -> None:
    """A range of game dates must not run backwards."""
    if end < start:
        raise UsageError(f"{what}: end {end} is before start {start}; give an end on or after it")


def _feature_params(start: date, end: date) -> dict[str, object]:
    from shadowline.tasks.core.settings import Settings  # here: scoring actors import this module

    cutoff = Settings().line_cutoff
    return {"start_date": start, "end_date": end,
            "line_cutoff_minutes": cutoff.hour * 60 + cutoff.minute}  # fmt: skip


def compute_features(warehouse: Warehouse, start: date, end: date) -> pa.Table:
    """Feature rows for game dates start..end, computed from the raw tables; writes nothing."""
    check_range(start, end, "features")
    return warehouse.query(sql_text("features/feature_rows"), _feature_params(start, end))


def build_features(warehouse: Warehouse, start: date, end: date) -> int:
    """Rebuild the feature store for game dates start..end in one transaction; the number of
    rows it now holds for them."""
    check_range(start, end, "features")
    params = _feature_params(start, end)
    columns = arrow_schema(FEATURE_STORE).names
    warehouse.execute(sql_text("features/build_feature_store", columns=columns), params)
    counted = warehouse.query(sql_text("features/feature_store_rows"), params)
    return int(counted["n"][0].as_py())


def schedule_bounds(warehouse: Warehouse) -> tuple[date, date] | None:
    """First and last game date in nba_raw.schedule, or None when it is empty."""
    bounds = warehouse.query(sql_text("features/schedule_bounds"))
    first, last = bounds["first_date"][0].as_py(), bounds["last_date"][0].as_py()
    return None if first is None else (first, last)


def feature_range(
    warehouse: Warehouse, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The game dates to build features for: `start`..`end`, each defaulting to the schedule's
    first and last game date."""
    if start and end:
        return start, end
    bounds = schedule_bounds(warehouse)
    if bounds is None:
        raise WarehouseError("nba_raw.schedule is empty: load a schedule first (shadowline load)")
    return start or bounds[0], end or bounds[1]


def game_days(
    warehouse: Warehouse, start: date, count: int | None = None, *, end: date | None = None
) -> list[date]:
    """The dates with games from `start` through `end` (default: the last), at most `count`."""
    rows = warehouse.query(sql_text("features/game_days"), {"start": start, "end": end or date.max})
    days = rows["game_date"].to_pylist()
    return days if count is None else days[:count]


def read_feature_batch(warehouse: Warehouse, start: date, end: date | None = None) -> pa.Table:
    """Every slate row of the game dates `start`..`end` (default: `start` alone) with all
    feature columns, ordered by date and player (read once per run)."""
    params = {"start_date": start, "end_date": end or start}
    return warehouse.query(sql_text("features/feature_batch"), params)


def read_training_rows(warehouse: Warehouse, train_end: date) -> pa.Table:
    """Feature-store rows before `train_end` of players who played, with `actual_points`."""
    return warehouse.query(sql_text("features/training_rows"), {"train_end": train_end})


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


def project(batch: pa.Table, names: tuple[str, ...]) -> pa.Table:
    """`player_lookup` plus the feature columns `names`, in order, as float64."""
    missing = [n for n in names if n not in batch.column_names]
    if missing:
        raise FeatureSetError(
            f"the feature store has no column(s) {', '.join(missing)}; "
            "check the model's feature_names in the registry"
        )
    columns = [batch["player_lookup"]] + [batch[n].cast(pa.float64()) for n in names]
    return pa.table(columns, names=["player_lookup", *names])
