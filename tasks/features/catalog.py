"""Feature sets and feature sources as data: which columns each feature_version names
(`nba_predictions.ml_feature_sets`), and the team's own tables those columns may come from
(`nba_predictions.ml_feature_sources`), joined onto slates and training rows by
(player_lookup, game_date).

A name resolves to the feature store's column when it has one, else to the one registered source
that has it. A source keeps the point-in-time contract: one row per player-game, values as known
before that game's line cutoff. What can be checked is: duplicate keys, and (when the source
names an as_of_column) a row known after its game's cutoff; either refuses the source, and only
the models that use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.core.errors import UsageError, WarehouseError
from shadowline.tasks.features.sets import FeatureSetError, undefined
from shadowline.tasks.features.store import FEATURE_STORE
from shadowline.tasks.warehouse import Warehouse, sql_text
from shadowline.tasks.warehouse.schemas import arrow_schema, table_from_columns
from shadowline.tasks.warehouse.sql import identifier

FEATURE_SETS = "nba_predictions.ml_feature_sets"
FEATURE_SOURCES = "nba_predictions.ml_feature_sources"
KEYS = ("player_lookup", "game_date")
# A set's name is stored on every prediction and shown in run names: the model-id alphabet.
_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _is_number(kind: pa.DataType) -> bool:
    return (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_boolean(kind)
    )


def store_columns() -> tuple[str, ...]:
    """The feature store's numeric columns: what a feature set may name without a source."""
    return tuple(f.name for f in arrow_schema(FEATURE_STORE) if _is_number(f.type))


# -- feature sets -------------------------------------------------------------------------------


def feature_sets(warehouse: Warehouse) -> dict[str, tuple[str, ...]]:
    """Every defined feature set's ordered names. A version defined on two rows with different
    names cannot be told apart: it is left out, and `resolve_feature_set` names the clash."""
    sets: dict[str, tuple[str, ...]] = {}
    clashes = set()
    for row in warehouse.query(sql_text("features/feature_sets")).to_pylist():
        names = tuple(row["feature_names"] or ())
        version = row["feature_version"]
        if version in sets and sets[version] != names:
            clashes.add(version)
        sets[version] = names
    return {v: n for v, n in sets.items() if v not in clashes}


def resolve_feature_set(warehouse: Warehouse, feature_version: str) -> tuple[str, ...]:
    """The ordered names of `feature_version`, or an error naming the defined sets."""
    sets = feature_sets(warehouse)
    if feature_version in sets and sets[feature_version]:
        return sets[feature_version]
    rows = warehouse.query(sql_text("features/feature_sets"))
    if feature_version in rows["feature_version"].to_pylist():
        raise FeatureSetError(
            f"feature_version {feature_version!r} is on more than one row of {FEATURE_SETS} "
            "with different feature_names, or has none: keep one row with its names"
        )
    raise undefined(feature_version, sorted(sets))


def define_feature_set(
    warehouse: Warehouse,
    name: str,
    columns: Sequence[str] = (),
    *,
    base: str | None = None,
    add: Sequence[str] = (),
    description: str | None = None,
    created_by: str = "shadowline features define",
) -> tuple[str, ...]:
    """Define feature set `name`: `columns`, or `base`'s names followed by `add`. Every name
    must be a feature store column or a registered source's; the set must be new (a model
    trained on a set relies on it never changing)."""
    if not _SET_NAME.fullmatch(name):
        raise UsageError(
            f"feature set name {name!r} is not valid: use 1-128 letters, digits, '_', '.' or "
            "'-', starting with a letter or digit (e.g. v9_36features)"
        )
    if bool(columns) == bool(base):
        raise UsageError("give the set's columns (--columns a,b,c) or a set to extend (--from)")
    if name in warehouse.query(sql_text("features/feature_sets"))["feature_version"].to_pylist():
        raise UsageError(
            f"feature set {name!r} is already defined; a set models were trained on must not "
            "change: define a new name"
        )
    names = (*resolve_feature_set(warehouse, base), *add) if base else tuple(columns)
    names = tuple(n.strip() for n in names if n.strip())
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"feature set {name!r} names {', '.join(repeated)} more than once")
    where = column_homes(warehouse)
    missing = [n for n in names if n not in where]
    if missing:
        raise FeatureSetError(missing_message(missing, where))
    warehouse.execute(
        sql_text("features/define_feature_set"),
        {
            "feature_version": name,
            "feature_names": list(names),
            "source": created_by,
            "description": description,
            "created_by": created_by,
        },
    )
    return names


def missing_message(missing: Sequence[str], homes: dict[str, str] | None = None) -> str:
    near = []
    for name in missing:
        close = [c for c in (homes or {}) if name.lower() in c.lower() or c.lower() in name.lower()]
        if close:
            near.append(f"{name} (did you mean {', '.join(sorted(close)[:3])}?)")
    hint = f"; {'; '.join(near)}" if near else ""
    return (
        f"no feature column(s) {', '.join(missing)} in {FEATURE_STORE} or a registered feature "
        f"source{hint}: register the table that holds them (`shadowline features source add`) "
        "or fix the set's feature_names"
    )


# -- feature sources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureSource:
    name: str
    table: str
    as_of_column: str | None = None


def feature_sources(warehouse: Warehouse) -> list[FeatureSource]:
    rows = warehouse.query(sql_text("features/feature_sources")).to_pylist()
    found = {r["source_name"]: r for r in rows}  # the latest registration of a name
    return [
        FeatureSource(r["source_name"], r["table_name"], r["as_of_column"] or None)
        for r in found.values()
    ]


def source_datasets(warehouse: Warehouse) -> list[str]:
    """The datasets the registered feature sources' tables are in."""
    return sorted({source.table.split(".")[-2] for source in feature_sources(warehouse)
                   if "." in source.table})  # fmt: skip


def _source_columns(warehouse: Warehouse, source: FeatureSource) -> pa.Schema:
    """The source table's columns, or an error saying what is wrong with it."""
    try:
        schema = warehouse.table_schema(identifier(source.table))
    except WarehouseError as error:
        raise FeatureSetError(
            f"feature source {source.name}: cannot read its table {source.table} ({error}); "
            "create it, or register the source again with the right --table"
        ) from None
    lacking = [k for k in KEYS if k not in schema.names]
    if lacking:
        raise FeatureSetError(
            f"feature source {source.name}: {source.table} has no {' or '.join(lacking)} "
            "column; a source is keyed by player_lookup and game_date"
        )
    if source.as_of_column and source.as_of_column not in schema.names:
        raise FeatureSetError(
            f"feature source {source.name}: {source.table} has no as_of_column "
            f"{source.as_of_column}; register it again naming its timestamp column"
        )
    return schema


def register_source(
    warehouse: Warehouse,
    name: str,
    table: str,
    *,
    as_of_column: str | None = None,
    description: str | None = None,
    created_by: str = "shadowline features source add",
) -> tuple[str, ...]:
    """Register (or re-point) feature source `name` at `table`; its feature columns."""
    if not _SET_NAME.fullmatch(name):
        raise UsageError(f"source name {name!r} is not valid: use letters, digits, '_', '.', '-'")
    try:
        identifier(table)
        if as_of_column:
            identifier(as_of_column)
    except WarehouseError as error:
        raise UsageError(f"{error} (use dataset.table)") from None
    source = FeatureSource(name, table, as_of_column)
    schema = _source_columns(warehouse, source)
    columns = tuple(f.name for f in schema if f.name not in KEYS and _is_number(f.type))
    if not columns:
        raise FeatureSetError(f"feature source {name}: {table} has no numeric columns")
    rows = table_from_columns(
        FEATURE_SOURCES,
        {
            "source_name": [name],
            "table_name": [table],
            "as_of_column": [as_of_column],
            "description": [description],
            "created_at": [datetime.now(UTC)],
            "created_by": [created_by],
        },
    )
    warehouse.write(FEATURE_SOURCES, rows, replace_by=("source_name",))
    return tuple(c for c in columns if c != as_of_column)


def column_homes(warehouse: Warehouse) -> dict[str, str]:
    """Every name a feature set may use, and where it comes from: the store, else a source
    (a source that cannot be read offers nothing)."""
    homes = dict.fromkeys(store_columns(), FEATURE_STORE)
    for source in feature_sources(warehouse):
        try:
            schema = _source_columns(warehouse, source)
        except FeatureSetError:
            continue
        for field in schema:
            if field.name in KEYS or field.name == source.as_of_column:
                continue
            if _is_number(field.type):
                homes.setdefault(field.name, source.name)
    return homes


def attach_sources(
    warehouse: Warehouse, rows: pa.Table, names: Iterable[str], start: date, end: date
) -> tuple[pa.Table, dict[str, str]]:
    """`rows` (feature-store rows of game dates start..end, in order) with the columns of
    `names` the store lacks, joined from the sources that hold them (NULL where a source has no
    row); and, per name a source could not give, why. Names no table holds are left out: the
    caller reports them per model."""
    wanted = [n for n in dict.fromkeys(names) if n not in rows.column_names]
    if not wanted:
        return rows, {}
    problems: dict[str, str] = {}
    plan: dict[FeatureSource, list[str]] = {}
    offered: dict[str, list[FeatureSource]] = {}
    for source in feature_sources(warehouse):
        try:
            schema = _source_columns(warehouse, source)
        except FeatureSetError as error:
            for name in wanted:
                problems.setdefault(name, str(error))  # if no readable source has it
            continue
        for name in wanted:
            if name in schema.names and name not in KEYS:
                kind = schema.field(name).type
                if not _is_number(kind):
                    problems[name] = (
                        f"feature source {source.name}: column {name} of {source.table} is "
                        f"{kind}, not a number; cast it in a view and register the view"
                    )
                    continue
                offered.setdefault(name, []).append(source)
    for name, sources in offered.items():
        problems.pop(name, None)
        if len(sources) > 1:
            both = " and ".join(s.name for s in sources)
            problems[name] = (
                f"feature sources {both} both have a column {name}: rename it in one of them "
                "(a view) so the set names one"
            )
            continue
        plan.setdefault(sources[0], []).append(name)
    for source, columns in plan.items():
        try:
            rows = _join_source(warehouse, rows, source, columns, start, end)
        except FeatureSetError as error:
            problems.update(dict.fromkeys(columns, str(error)))
    return rows, {n: p for n, p in problems.items() if n not in rows.column_names}


def _join_source(
    warehouse: Warehouse,
    rows: pa.Table,
    source: FeatureSource,
    columns: list[str],
    start: date,
    end: date,
) -> pa.Table:
    asked = [*columns, *([source.as_of_column] if source.as_of_column else [])]
    found = warehouse.query(
        sql_text("features/source_rows", columns=asked, source_table=source.table),
        {"start_date": start, "end_date": end},
    )
    found = found.set_column(1, "game_date", found["game_date"].cast(pa.date32()))
    counts = found.group_by(list(KEYS)).aggregate([([], "count_all")])
    repeated = counts.filter(pc.greater(counts["count_all"], 1))
    if repeated.num_rows:
        first = repeated.slice(0, 1).to_pylist()[0]
        raise FeatureSetError(
            f"feature source {source.name} ({source.table}) has {repeated.num_rows:,} player-games "
            f"on more than one row (e.g. {first['player_lookup']} on {first['game_date']}, "
            f"{first['count_all']} rows): a source holds one row per player_lookup and "
            "game_date; deduplicate it (e.g. keep the latest row before the cutoff in a view)"
        )
    order = "__shadowline_row"
    keyed = rows.select(list(KEYS)).append_column(order, pa.array(range(rows.num_rows)))
    joined = keyed.join(found, keys=list(KEYS), join_type="left outer").sort_by(order)
    if source.as_of_column and "line_cutoff_at" in rows.column_names:
        _check_point_in_time(source, joined[source.as_of_column], rows, joined)
    for name in columns:
        rows = rows.append_column(name, joined[name])
    return rows


def _check_point_in_time(
    source: FeatureSource, as_of: pa.ChunkedArray, rows: pa.Table, joined: pa.Table
) -> None:
    """A source row known after its game's line cutoff holds what a live run could not know."""
    cutoff = rows["line_cutoff_at"]
    known = as_of.cast(pa.timestamp("us", "UTC")) if as_of.type != cutoff.type else as_of
    late = pc.fill_null(pc.greater(known, cutoff.cast(known.type)), False)
    n = int(pc.sum(late).as_py() or 0)
    if not n:
        return
    example = joined.filter(late).slice(0, 1).to_pylist()[0]
    cut = rows.filter(late).slice(0, 1)["line_cutoff_at"][0].as_py()
    raise FeatureSetError(
        f"feature source {source.name} ({source.table}) has {n:,} row{'s' if n > 1 else ''} "
        "known after their "
        f"game's line cutoff (e.g. {example['player_lookup']} on {example['game_date']}: "
        f"{source.as_of_column} {example[source.as_of_column]} is after the cutoff {cut}): a "
        "source holds only values known before the game; drop those rows or keep the last "
        "value before the cutoff in a view"
    )


def unscorable(names: Sequence[str], rows: pa.Table, problems: dict[str, str]) -> str | None:
    """Why a model whose features are `names` cannot score `rows`, else None."""
    missing = [n for n in names if n not in rows.column_names]
    if not missing:
        return None
    told = sorted({problems[n] for n in missing if n in problems})
    unknown = [n for n in missing if n not in problems]
    parts = told + ([missing_message(unknown)] if unknown else [])
    return "; ".join(parts)
