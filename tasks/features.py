"""Feature sets and the point-in-time feature store.

A feature set (`feature_version`) is an ordered list of columns of
`nba_predictions.ml_feature_store`; a model trained on a version expects exactly those columns in
that order. This mapping is the one place where feature sets are defined.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from tasks.warehouse import Warehouse, WarehouseError, sql_text

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

# Slate columns carried next to the features into predictions.
SLATE_COLUMNS = (
    "player_lookup",
    "game_id",
    "team_abbr",
    "opponent_team_abbr",
    "injury_status",
    "betting_line",
    "line_books",
)


class FeatureSetError(ValueError):
    """A feature_version that is not defined."""


def feature_names(feature_version: str) -> tuple[str, ...]:
    """The ordered feature columns of `feature_version`."""
    try:
        return FEATURE_SETS[feature_version]
    except KeyError:
        known = ", ".join(sorted(FEATURE_SETS))
        raise FeatureSetError(
            f"unknown feature_version {feature_version!r}: known versions are {known} "
            "(defined in tasks/features.py FEATURE_SETS)"
        ) from None


FEATURE_STORE = "nba_predictions.ml_feature_store"


def compute_features(warehouse: Warehouse, start: date, end: date) -> pa.Table:
    """Feature rows for game dates start..end, computed from the raw tables; writes nothing."""
    _check_range(start, end)
    return warehouse.query(
        sql_text("features/feature_rows"), {"start_date": start, "end_date": end}
    )


def build_features(warehouse: Warehouse, start: date, end: date) -> int:
    """Rebuild the feature store for game dates start..end in one transaction; the number of
    rows it now holds for them."""
    _check_range(start, end)
    params = {"start_date": start, "end_date": end}
    columns = ", ".join(warehouse.table_schema(FEATURE_STORE).names)
    warehouse.execute(
        f"""begin transaction;
        delete from {FEATURE_STORE} where game_date between @start_date and @end_date;
        insert into {FEATURE_STORE} ({columns})
        select {columns} from ({sql_text("features/feature_rows")});
        commit transaction;""",
        params,
    )
    counted = warehouse.query(
        f"select count(*) as n from {FEATURE_STORE} "
        "where game_date between @start_date and @end_date",
        params,
    )
    return int(counted["n"][0].as_py())


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise WarehouseError(f"features: end date {end} is before start date {start}")


def schedule_bounds(warehouse: Warehouse) -> tuple[date, date] | None:
    """First and last game date in nba_raw.schedule, or None when it is empty."""
    bounds = warehouse.query(
        "select min(game_date) as first_date, max(game_date) as last_date from nba_raw.schedule"
    )
    first, last = bounds["first_date"][0].as_py(), bounds["last_date"][0].as_py()
    return None if first is None else (first, last)


def game_days(
    warehouse: Warehouse, start: date, count: int | None = None, *, end: date | None = None
) -> list[date]:
    """The dates with games from `start` through `end` (default: the last), at most `count`."""
    rows = warehouse.query(
        "select distinct game_date from nba_raw.schedule "
        "where game_date between @start and @end order by game_date",
        {"start": start, "end": end or date.max},
    )
    days = rows["game_date"].to_pylist()
    return days if count is None else days[:count]


def read_feature_batch(warehouse: Warehouse, game_date: date) -> pa.Table:
    """Every slate row of `game_date` with all feature columns (read once per run)."""
    return warehouse.query(sql_text("features/feature_batch"), {"game_date": game_date})


def read_training_rows(warehouse: Warehouse, train_end: date) -> pa.Table:
    """Feature-store rows before `train_end` of players who played, with `actual_points`."""
    return warehouse.query(sql_text("features/training_rows"), {"train_end": train_end})


def split_out_players(batch: pa.Table) -> tuple[pa.Table, int]:
    """The rows to score, and how many players were skipped as OUT on the injury report."""
    out = pc.fill_null(pc.equal(batch["injury_status"], "OUT"), False)
    return batch.filter(pc.invert(out)), int(pc.sum(out).as_py() or 0)


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
