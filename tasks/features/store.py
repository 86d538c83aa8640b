"""The point-in-time feature store: build, compute and read the feature rows of a range of game
dates (a row for game date D uses only games before D), and the game dates themselves."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from shadowline.tasks.core.errors import UsageError
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.warehouse import Warehouse, WarehouseError, sql_text
from shadowline.tasks.warehouse.schemas import arrow_schema

FEATURE_STORE = "nba_predictions.ml_feature_store"


def check_range(start: date, end: date, what: str) -> None:
    """A range of game dates must not run backwards."""
    if end < start:
        raise UsageError(f"{what}: end {end} is before start {start}; give an end on or after it")


def _feature_params(start: date, end: date) -> dict[str, object]:
    return {"start_date": start, "end_date": end, **Settings().line_cutoff.params()}


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
