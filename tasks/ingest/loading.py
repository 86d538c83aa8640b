"""Load outside data (CSV or Parquet, or Arrow tables) into the raw tables, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.core.domains import COLUMN_DOMAINS
from shadowline.tasks.core.errors import ShadowlineError, first_line
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.ingest.players import NAME_COLUMNS, Unmatched, normalize_names, unmatched_rows
from shadowline.tasks.warehouse import Warehouse

# Each raw table and its unique key: loading rows replaces the rows with the same key. A props
# snapshot offers several lines per book (the main line and alternates): the line is in the key.
RAW_TABLES: dict[str, tuple[str, ...]] = {
    "nba_raw.schedule": ("game_id",),
    "nba_analytics.player_game_summary": ("game_id", "player_lookup"),
    "nba_raw.player_points_props": (
        "player_lookup",
        "game_date",
        "bookmaker",
        "processed_at",
        "points_line",
    ),
    "nba_raw.injury_report": ("player_lookup", "game_date", "report_time"),
    "nba_raw.player_aliases": ("alias",),
}


class LoadError(ShadowlineError):
    """Input that does not fit its table; says which columns or rows and how to fix them."""


def read_file(path: Path, schema: pa.Schema | None = None) -> pa.Table:
    """A CSV or Parquet file as a table. A CSV's text columns in `schema` are read as text, not
    guessed: a game id 0022500001 stays itself (not the number 22500001), a reason "1e5" too.
    Quoted values may hold line breaks."""
    if not path.is_file():
        raise LoadError(f"file {path} not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            from pyarrow import csv

            if not path.read_bytes().strip():
                needed = ", ".join(f.name for f in schema or () if not f.nullable)
                raise LoadError(
                    f"{path} is empty: start it with a header row naming its columns"
                    + (f" (at least {needed})" if needed else "")
                )

            text = {f.name: f.type for f in schema or () if pa.types.is_string(f.type)}
            return csv.read_csv(
                path,
                parse_options=csv.ParseOptions(newlines_in_values=True),
                convert_options=csv.ConvertOptions(column_types=text),
            )
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            with pq.ParquetFile(path) as parquet:  # not read_table: it fails on a repeated name
                return parquet.read()
    except pa.ArrowException as error:
        raise LoadError(f"cannot read {path}: {first_line(error)}") from None
    raise LoadError(f"{path}: unsupported file type {suffix or '(none)'}; use .csv or .parquet")


def game_day(column: pa.ChunkedArray, zone: str) -> pa.ChunkedArray:
    """Tip-off or snapshot times as game days: the calendar date where the game is played by
    the league's clock (`zone`, Eastern time). A 22:30 ET tip-off is 03:30 UTC the next day, and
    still that evening's game. Times without a zone are UTC."""
    if column.type.tz is None:
        column = pc.assume_timezone(column, "UTC")
    local = pc.local_timestamp(column.cast(pa.timestamp("us", tz=zone)))
    return local.cast(pa.date32())


def _game_days_from_text(column: pa.ChunkedArray, zone: str) -> pa.ChunkedArray:
    """Dates (2026-03-04) as they are; times (2026-03-05T03:30:00Z, 2026-03-04T22:30-05:00, or
    without a zone: UTC) as their game day in `zone`. Text that is neither stays text."""
    days = []
    for text in column.to_pylist():
        try:
            if text is None:
                days.append(None)
            elif len(text.strip()) == 10:
                days.append(date.fromisoformat(text.strip()))
            else:
                moment = datetime.fromisoformat(text.strip())
                moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
                days.append(moment.astimezone(ZoneInfo(zone)).date())
        except ValueError:
            return column  # not dates: the cast below names the column and a value
    return pa.chunked_array([pa.array(days, pa.date32())])


def conform(
    rows: pa.Table, schema: pa.Schema, table: str, zone: str = "America/New_York"
) -> pa.Table:
    """`rows` with exactly the table's columns and types, or a LoadError naming what is wrong.
    A `game_date` given as a time becomes its game day in `zone` (see `game_day`)."""
    _check_header(rows.column_names, schema, table)
    columns, problems = [], []
    for field in schema:
        if field.name not in rows.column_names:
            columns.append(pa.nulls(rows.num_rows, field.type))
            continue
        column, problem = _conform_column(rows[field.name], field, zone)
        if problem:
            problems.append(problem)
        columns.append(column)
    if problems:
        raise LoadError(f"{table}: " + "; ".join(problems))
    return pa.table(columns, schema=schema.remove_metadata())


def _check_header(names: list[str], schema: pa.Schema, table: str) -> None:
    """A LoadError for a repeated, unknown or missing required column."""
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise LoadError(
            f"{table}: column(s) {', '.join(repeated)} appear more than once in the header; "
            "keep one of each"
        )
    wanted = {f.name for f in schema}
    unknown = [c for c in names if c not in wanted]
    if unknown:
        raise LoadError(
            f"{table}: unknown column(s) {', '.join(unknown)}; "
            f"its columns are {', '.join(schema.names)}"
        )
    missing = [f.name for f in schema if f.name not in names and not f.nullable]
    if missing:
        raise LoadError(f"{table}: missing required column(s) {', '.join(missing)}")


def _conform_column(
    column: pa.ChunkedArray, field: pa.Field, zone: str
) -> tuple[pa.ChunkedArray, str | None]:
    """`column` as `field`'s type, and what is wrong with it if anything."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        # keys and names are compared trimmed; a blank value is no value
        column = pc.utf8_trim_whitespace(column)
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
    if field.name == "game_date" and pa.types.is_string(column.type):
        column = _game_days_from_text(column, zone)
    if field.name == "game_date" and pa.types.is_timestamp(column.type):
        column = game_day(column, zone)
    try:
        if pa.types.is_temporal(field.type) and pa.types.is_integer(column.type):
            raise pa.ArrowInvalid("a number is not a date or a time")
        cast = column.cast(field.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return column, _cast_problem(field, column)
    nulls = cast.null_count
    if nulls and not field.nullable:
        first = pc.index(pc.is_null(cast), True).as_py() + 1
        return cast, f"{field.name} is required but empty in row {first} ({nulls:,} row(s) like it)"
    return cast, None


def _cast_problem(field: pa.Field, column: pa.ChunkedArray) -> str:
    """Why `column` is not `field.type`, naming the first value that is not and its row."""
    row, value = next(
        (
            (i, v)
            for i, v in enumerate(column.to_pylist())
            if not _casts(v, column.type, field.type)
        ),
        (0, None),
    )
    if pa.types.is_temporal(field.type):
        like = "2026-03-04" if field.type == pa.date32() else "2026-03-04T19:00:00Z"
        number = isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
        found = f"a number ({value})" if number else repr(value)
        return f"{field.name} should be written like {like}, found {found} in row {row + 1}"
    return f"{field.name} should be {field.type}, found {value!r} in row {row + 1}"


def _casts(value: object, source: pa.DataType, target: pa.DataType) -> bool:
    if value is None:
        return True
    if pa.types.is_temporal(target) and (
        isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
    ):
        return False  # epoch numbers would become times in 1970
    try:
        pa.array([value], source).cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def check_values(rows: pa.Table, table: str) -> pa.Table:
    """`rows` if every value is in its column's domain (`domains.COLUMN_DOMAINS`; numbers are
    finite in every column), with choices stored upper-case; else a LoadError naming the
    column, the first row outside it and its value."""
    domains = COLUMN_DOMAINS.get(table, {})
    for index, field in enumerate(rows.schema):
        column, domain = rows[field.name], domains.get(field.name)
        present = pc.is_valid(column).to_numpy(zero_copy_only=False)
        if pa.types.is_floating(field.type) or pa.types.is_integer(field.type):
            values = pc.fill_null(column.cast(pa.float64()), 0.0).to_numpy(zero_copy_only=False)
            with np.errstate(invalid="ignore", over="ignore"):
                ok = np.isfinite(values)
                if domain and domain.american_odds:
                    ok &= (values <= -100) | (values >= 100)
                elif domain:
                    ok &= (values >= domain.low) & (values <= domain.high)
                    if domain.step:
                        ok &= values / domain.step == np.round(values / domain.step)
        elif domain and domain.choices:
            upper = pc.utf8_upper(column)
            ok = pc.is_in(upper, value_set=pa.array(domain.choices)).to_numpy(zero_copy_only=False)
            rows = rows.set_column(index, field, upper)
        else:
            continue
        bad = np.flatnonzero(present & ~ok)
        if bad.size:
            first = int(bad[0])
            rule = domain.rule() if domain else "a finite number"
            raise LoadError(
                f"{table}: {field.name} {_plain(column[first].as_py())} in row "
                f"{first + 1} is not allowed (use {rule}); {bad.size:,} row(s) like it: fix or "
                "drop them and load again"
            )
    return rows


def _plain(value: object) -> str:
    """A value as a person would write it in the file."""
    if value is None:
        return "(empty)"
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    # a line break inside a quoted value stays visible, and the message one line
    return str(value).replace("\r", "\\r").replace("\n", "\\n")


def unique_rows(rows: pa.Table, key: tuple[str, ...], table: str) -> pa.Table:
    """`rows` with exact repeats dropped (a feed that sends a row twice loads as once); rows
    that share a key but differ elsewhere are refused, naming them by their line in the file."""
    numbered = rows.append_column("_row", pa.array(range(rows.num_rows), pa.int64()))
    distinct = numbered.group_by(rows.column_names, use_threads=False).aggregate([("_row", "min")])
    counts = distinct.group_by(list(key), use_threads=False).aggregate([([], "count_all")])
    repeated = counts.filter(pc.greater(counts["count_all"], 1))
    if repeated.num_rows:
        first = {k: repeated[k][0].as_py() for k in key}
        clashing = sorted(
            (r for r in distinct.to_pylist() if all(r[k] == v for k, v in first.items())),
            key=lambda r: r["_row_min"],
        )
        differ = [c for c in rows.column_names if len({r[c] for r in clashing}) > 1]
        numbers = " and ".join(str(r["_row_min"] + 1) for r in clashing)
        values = "; ".join(f"{c} " + " vs ".join(_plain(r[c]) for r in clashing) for c in differ)
        where = ", ".join(f"{k} {_plain(v)}" for k, v in first.items())
        raise LoadError(
            f"{table}: {repeated.num_rows} key(s) appear more than once with different values, "
            f"e.g. rows {numbers} ({where}) differ in {values}; keep the one row that "
            "is right for that key and load again"
        )
    if distinct.num_rows == rows.num_rows:
        return rows
    return rows.take(sorted(distinct["_row_min"].to_pylist()))  # first of each, in file order


def prepare_rows(warehouse: Warehouse, table: str, rows: pa.Table) -> pa.Table:
    """`rows` as `table` stores them: its columns and types, names normalized, game days in
    Eastern time, exact repeats dropped; or a LoadError naming what is wrong."""
    if table not in RAW_TABLES:
        raise LoadError(f"unknown table {table!r}; load one of {', '.join(RAW_TABLES)}")
    zone = Settings().timezone
    if "game_date" not in rows.column_names and rows.column_names.count("tipoff_at") == 1:
        # a schedule that gives tip-off times only: each game's day is its tip-off's, in ET
        rows = rows.append_column("game_date", rows["tipoff_at"])
    rows = check_values(conform(rows, warehouse.table_schema(table), table, zone), table)
    for name in NAME_COLUMNS:
        if name in rows.column_names:
            normalized = normalize_names(rows[name])
            nameless = pc.equal(normalized, "")
            if pc.any(nameless).as_py():
                first = pc.index(nameless, True).as_py()
                raise LoadError(
                    f"{table}: {name} {_plain(rows[name][first].as_py())} in row {first + 1} "
                    f"has no letters or digits, so it names no player; fix or drop the row "
                    "and load again"
                )
            rows = rows.set_column(rows.schema.get_field_index(name), name, normalized)
    return unique_rows(rows, RAW_TABLES[table], table)


@dataclass(frozen=True)
class Loaded:
    rows: int
    unmatched: Unmatched | None  # a feed's rows whose name matches no known player


def load_rows(warehouse: Warehouse, table: str, rows: pa.Table) -> Loaded:
    """Check `rows` against `table` and write them, replacing rows with the same key; for a
    feed (props, injury report), also say which of its rows match no known player."""
    rows = prepare_rows(warehouse, table, rows)
    written = warehouse.write(table, rows, replace_by=RAW_TABLES[table])
    return Loaded(written, unmatched_rows(warehouse, table, rows))


def load_file(warehouse: Warehouse, table: str, path: Path) -> Loaded:
    """Load a CSV or Parquet file into `table`, as `load_rows`."""
    if table not in RAW_TABLES:
        raise LoadError(f"unknown table {table!r}; load one of {', '.join(RAW_TABLES)}")
    return load_rows(warehouse, table, read_file(path, warehouse.table_schema(table)))
