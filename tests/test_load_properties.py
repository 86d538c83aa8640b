"""Property tests of `load` (hypothesis): any CSV or Parquet file generated for a raw table, with
or without faults in it, either loads and every row reads back as the load contract says, or is
refused with one line naming a column at fault, the table unchanged.

A file is drawn as rows of clean values plus cosmetic variations a real feed has (padding,
name spellings, status case, times with offsets, game days given as tip-off times, exact repeats)
and zero or more faults that must be refused (values outside a column's domain, NaN and
infinities, blanks in required columns, epoch numbers for times, text in number columns, names
with no letters, conflicting rows for one key, unknown, missing or repeated columns). What each
clean value becomes is the contract (trimmed, names normalized, statuses upper-case, game days in
Eastern time), not a copy of the loader's code.

The suite runs the "suite" profile (tens of files per table); `make fuzz` runs the "fuzz"
profile: 5,000 files per table.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shadowline.tasks.core.domains import COLUMN_DOMAINS, Domain
from shadowline.tasks.ingest.loading import RAW_TABLES, LoadError, load_file
from shadowline.tasks.ingest.players import NAME_COLUMNS, normalize_name
from shadowline.tasks.warehouse import Warehouse, open_warehouse

settings.register_profile(
    "suite", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("SHADOWLINE_HYPOTHESIS_PROFILE", "suite"))

EASTERN = ZoneInfo("America/New_York")
KEEP_AT_MOST = 400  # rows per table: emptied beyond it, so each check reads a small table
# Text a CSV reader takes as "no value" in a column that is not text (pyarrow's defaults).
CSV_NULLS = {"", "nan", "NaN", "-nan", "NA", "N/A", "NULL", "null", "None", "#N/A"}

NAMES = ["LeBron James", "Nikola Jokić", "Karl-Anthony Towns", "D'Angelo Russell",
         "Nic Claxton", "Jaren Jackson Jr.", "Alperen Şengün", "O.G. Anunoby", "201939",
         "Luka Dončić", "Shai Gilgeous-Alexander", "Kristaps Porziņģis", "Gary Trent Jr.",
         "Herb Jones", "Nicolas Claxton"]  # fmt: skip
CODES = {
    "game_id": [
        "0022500001",
        "0022500002",
        "0022500117",
        "g-7",
        "0042400407",
        "1522500001",
        "0022500003",
        "0022500010",
        "0022501230",
        "00225",
    ],
    "bookmaker": ["draftkings", "fanduel", "BetMGM"],
    "team_abbr": ["BOS", "NYK", "LAL", "OKC"],
    "opponent_team_abbr": ["BOS", "NYK", "LAL", "OKC"],
    "home_team_abbr": ["BOS", "NYK", "LAL", "OKC"],
    "away_team_abbr": ["BOS", "NYK", "LAL", "OKC"],
}
TEXT = st.text(
    alphabet=st.sampled_from("abcxyzABC éñ019 ,;'\"-.:\n"), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")


@dataclass(frozen=True)
class Text:
    """A value written as this exact text (CSV), or as a string column (Parquet)."""

    text: str


@dataclass(frozen=True)
class Bad:
    """A value `load` must refuse, as written."""

    value: Any


@dataclass(frozen=True)
class Epoch:
    """A time written as seconds since 1970, which `load` must refuse."""

    seconds: int


@dataclass
class Feed:
    table: str
    fmt: str
    header: list[str]
    rows: list[list[Any]]  # values as written: Python values, Text or Epoch
    expected: list[dict[str, Any]] = field(default_factory=list)  # stored rows if accepted
    faults: set[str] = field(default_factory=set)  # columns a refusal may name; empty: accept


def _pad(draw: st.DrawFn, text: str) -> str:
    return draw(st.sampled_from(["", " ", "\t", "  "])) + text + draw(st.sampled_from(["", " "]))


def _clean(
    draw: st.DrawFn, table: str, column: pa.Field, fmt: str, styles: dict[str, str]
) -> tuple[Any, Any]:
    """A clean value for `column`: (as written, as stored)."""
    name, kind = column.name, column.type
    domain = COLUMN_DOMAINS.get(table, {}).get(name)
    if name in NAME_COLUMNS:
        base = draw(st.sampled_from(NAMES))
        spelled = draw(st.sampled_from([base, base.lower(), base.upper(), normalize_name(base)]))
        return _pad(draw, spelled), normalize_name(base)
    if domain is not None and domain.choices:
        choice = draw(st.sampled_from(domain.choices))
        cased = "".join(c.lower() if draw(st.booleans()) else c for c in choice)
        return _pad(draw, cased), choice
    if pa.types.is_string(kind):
        if name in CODES:
            code = draw(st.sampled_from(CODES[name]))
            return _pad(draw, code), code
        if column.nullable and draw(st.integers(0, 4)) == 0:
            return draw(st.sampled_from([None, "", "   "])), None
        text = draw(TEXT)
        return text, text.strip()
    if pa.types.is_boolean(kind):
        value = draw(st.booleans())
        return (
            Text(draw(st.sampled_from(["true", "True", "TRUE", "1"])))
            if value
            else Text(draw(st.sampled_from(["false", "False", "FALSE", "0"])))
        ) if fmt == "csv" else value, value
    if pa.types.is_floating(kind):
        if domain and domain.step:
            value = (
                draw(st.integers(int(domain.low / domain.step), int(domain.high / domain.step)))
                * domain.step
            )
        else:
            value = draw(st.floats(domain.low if domain else -1e6, domain.high if domain else 1e6))
        return value, value
    if pa.types.is_integer(kind):
        if domain and domain.american_odds:
            value = draw(st.one_of(st.integers(-5000, -100), st.integers(100, 5000)))
        else:
            value = draw(
                st.integers(int(domain.low), int(domain.high))
                if domain
                else st.integers(-1000, 1000)
            )
        return value, value
    if kind == pa.date32():
        day = draw(st.dates(date(2024, 10, 1), date(2026, 6, 30)))
        if name == "game_date" and styles["game_date"] == "tipoff":  # a tip-off time: its ET day
            local = datetime.combine(day, datetime.min.time(), EASTERN) + timedelta(
                minutes=draw(st.integers(11 * 60, 23 * 60 + 59))
            )
            return _moment(local, "offset", fmt), day
        return (day.isoformat() if fmt == "csv" else day), day
    if pa.types.is_timestamp(kind):
        moment = draw(
            st.datetimes(datetime(2024, 10, 1), datetime(2026, 6, 30), timezones=st.just(UTC))
        )
        return _moment(moment, styles["time"], fmt), moment
    raise AssertionError(f"no values for {table}.{name} ({kind})")


def _moment(moment: datetime, style: str, fmt: str) -> Any:
    """A time written in one of a feed's styles; Parquet keeps the instant in UTC."""
    if fmt == "parquet":
        return moment.astimezone(UTC)
    if style == "naive":  # a time without a zone is UTC
        return Text(moment.astimezone(UTC).replace(tzinfo=None).isoformat())
    if style == "z":
        return Text(moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z")
    return Text(moment.astimezone(timezone(timedelta(hours=-5))).isoformat())


def _fault(draw: st.DrawFn, table: str, column: pa.Field, fmt: str) -> tuple[Any, bool] | None:
    """A value `load` must refuse in `column`, and whether it is text; None if there is none.
    (A CSV's "nan" in an optional column is no value, not a fault: see CSV_NULLS.)"""
    name, kind = column.name, column.type
    domain: Domain | None = COLUMN_DOMAINS.get(table, {}).get(name)
    options: list[Any] = []
    if name in NAME_COLUMNS:
        options += [Text("!!!"), Text("—")]
    elif domain is not None and domain.choices:
        options += [Text("MAYBE"), Text("out for season")]
    if not column.nullable and pa.types.is_string(kind):
        options += [Text(""), Text("   ")]
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        if domain and domain.american_odds:
            options += [0, 50, -99]
        elif domain:
            options += [domain.low - 1, domain.high + 1, 9999]
            if domain.step:
                options += [domain.low + domain.step * 3 + 0.3]
        options += [Text("abc")]
        if pa.types.is_floating(kind):
            options += [math.inf, -math.inf, 1e308 if domain else None]
            if not column.nullable or fmt == "parquet":
                options += [math.nan]
        else:
            options += [1.5]
    if pa.types.is_temporal(kind):
        options += [Epoch(1773673200), Text("2026-13-45"), Text("yesterday")]
    if pa.types.is_boolean(kind):
        options += [Text("maybe")]
    options = [o for o in options if o is not None]
    return draw(st.sampled_from(options)) if options else None


@st.composite
def feeds(draw: st.DrawFn, table: str) -> Feed:
    schema = SCHEMAS[table]
    fmt = draw(st.sampled_from(["csv", "parquet"]))
    styles = {"time": draw(st.sampled_from(["z", "naive", "offset"])),
              "game_date": draw(st.sampled_from(["day", "day", "tipoff"]))}  # fmt: skip
    header = [f.name for f in schema if not f.nullable or draw(st.booleans())]
    header = draw(st.permutations(header))
    key = RAW_TABLES[table]

    def stored_key(pair: tuple[list[Any], dict[str, Any]]) -> tuple[Any, ...]:
        return tuple(pair[1][k] for k in key)

    @st.composite
    def row(draw_cell: st.DrawFn) -> tuple[list[Any], dict[str, Any]]:
        written, stored = [], {}
        for name in header:
            value, kept = _clean(draw_cell, table, schema.field(name), fmt, styles)
            written.append(value)
            stored[name] = kept
        return written, {**{f.name: None for f in schema}, **stored}

    size = draw(st.sampled_from([3, 1, 2, 4, 5, 6, 8, 0]))  # an empty file now and then
    pairs = draw(st.lists(row(), min_size=min(size, 1), max_size=size, unique_by=stored_key))
    feed = Feed(table, fmt, list(header), [w for w, _ in pairs], [s for _, s in pairs])
    source = list(range(len(feed.rows)))  # each written row's stored row

    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["value", "value", "repeat", "conflict", "unknown",
                                     "missing", "twice"]))  # fmt: skip
        known = [n for n in feed.header if n in schema.names]
        if kind == "value" and feed.rows and known:
            at = draw(st.integers(0, len(feed.rows) - 1))
            column = schema.field(draw(st.sampled_from(known)))
            bad = _fault(draw, table, column, fmt)
            if bad is not None:
                for i, name in enumerate(feed.header):  # every copy of a repeated column
                    if name == column.name:
                        feed.rows[at][i] = Bad(bad)
        elif kind == "repeat" and feed.rows:  # an exact repeat loads once
            at = draw(st.integers(0, len(feed.rows) - 1))
            to = draw(st.integers(0, len(feed.rows)))
            feed.rows.insert(to, list(feed.rows[at]))
            source.insert(to, source[at])
        elif kind == "conflict" and feed.rows:
            others = [n for n in known if n not in key]
            if others:
                at = draw(st.integers(0, len(feed.rows) - 1))
                column = schema.field(draw(st.sampled_from(others)))
                value, kept = _clean(draw, table, column, fmt, styles)
                if kept != feed.expected[source[at]][column.name]:
                    twin = [value if n == column.name else v
                            for n, v in zip(feed.header, feed.rows[at], strict=True)]  # fmt: skip
                    feed.rows.append(twin)
                    source.append(source[at])
        elif kind == "unknown":
            feed.header.append("surprise")
            for r in feed.rows:
                r.append(Text("1"))
        elif kind == "missing" and known:
            gone = draw(st.sampled_from(known))
            keep = [i for i, name in enumerate(feed.header) if name != gone]
            feed.header = [feed.header[i] for i in keep]
            feed.rows = [[r[i] for i in keep] for r in feed.rows]
        elif kind == "twice" and feed.header:
            name = draw(st.sampled_from(feed.header))
            i = feed.header.index(name)
            feed.header.append(name)
            for r in feed.rows:
                r.append(r[i])
    feed.faults = _faults(feed, schema, source)
    for stored in feed.expected:  # a column the file leaves out is empty
        stored |= {f.name: None for f in schema if f.name not in feed.header}
    if "game_date" not in feed.header and feed.header.count("tipoff_at") == 1:
        for stored in feed.expected:  # a schedule of tip-off times: each game on its ET day
            stored["game_date"] = stored["tipoff_at"].astimezone(EASTERN).date()
    return feed


def _faults(feed: Feed, schema: pa.Schema, source: list[int]) -> set[str]:
    """The columns a refusal of `feed` may name; empty if it must load."""
    header = feed.header
    faults = {n for n in header if header.count(n) > 1 or n not in schema.names}
    derived = ("game_date",) if header.count("tipoff_at") == 1 else ()  # a schedule's
    faults |= {f.name for f in schema if not f.nullable and f.name not in header + list(derived)}
    faults |= {n for i, n in enumerate(header) if any(isinstance(r[i], Bad) for r in feed.rows)}
    firsts: dict[int, list[Any]] = {}
    for row, origin in zip(feed.rows, source, strict=True):
        first = firsts.setdefault(origin, row)
        differ = {n for n, a, b in zip(header, first, row, strict=True) if a != b}
        if differ:  # two rows for one key, not the same: a conflict
            faults |= differ | set(RAW_TABLES[feed.table])
    return faults


def _text(value: Any) -> str:
    if isinstance(value, Bad):
        return _text(value.value)
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Epoch):
        return str(value.seconds)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _seconds(value: Any) -> int | None:
    if isinstance(value, Epoch):
        return value.seconds
    if isinstance(value, datetime):
        return int(value.timestamp())
    return (
        None
        if value is None
        else int(datetime.combine(value, datetime.min.time(), UTC).timestamp())
    )


def write(feed: Feed, folder: Path) -> Path:
    if feed.fmt == "csv":
        path = folder / "feed.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(feed.header)
        writer.writerows([[_text(v) for v in r] for r in feed.rows])
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return path
    path = folder / "feed.parquet"
    columns = []
    for i, name in enumerate(feed.header):
        values = [r[i].value if isinstance(r[i], Bad) else r[i] for r in feed.rows]
        target = (
            SCHEMAS[feed.table].field(name).type
            if name in SCHEMAS[feed.table].names
            else pa.string()
        )
        if any(isinstance(v, Text) for v in values):  # a column with text in it is a text column
            columns.append(pa.array([None if v is None else _text(v) for v in values], pa.string()))
        elif any(isinstance(v, Epoch) for v in values):
            seconds = [_seconds(v) for v in values]
            columns.append(pa.array(seconds, pa.int64()))
        elif pa.types.is_integer(target) and any(isinstance(v, float) for v in values):
            columns.append(pa.array(values, pa.float64()))
        elif target == pa.date32() and any(isinstance(v, datetime) for v in values):
            columns.append(pa.array(values, pa.timestamp("us", tz="UTC")))  # tip-off times
        else:
            columns.append(pa.array(values, target))
    # written column by column: a repeated name stays repeated
    pq.write_table(pa.Table.from_arrays(columns, names=feed.header), path)
    return path


def _stored(warehouse: Warehouse, table: str) -> list[dict[str, Any]]:
    rows = warehouse.query(f"select * from {table}").to_pylist()
    return sorted(rows, key=repr)


def _same(expected: dict[str, Any], found: dict[str, Any]) -> bool:
    for name, value in expected.items():
        other = found[name]
        if isinstance(value, datetime):
            if other is None or value.astimezone(UTC) != other.astimezone(UTC):
                return False
        elif value != other:
            return False
    return True


SCHEMAS: dict[str, pa.Schema] = {}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    url = f"duckdb:///{tmp_path_factory.mktemp('properties') / 'warehouse.duckdb'}"
    with open_warehouse(url) as opened:
        SCHEMAS.update({t: opened.table_schema(t) for t in RAW_TABLES})
        yield opened


def check(warehouse: Warehouse, feed: Feed, folder: Path) -> None:
    table = feed.table
    if warehouse.query(f"select count(*) as n from {table}")["n"][0].as_py() > KEEP_AT_MOST:
        warehouse.execute(f"delete from {table} where true")
    before = _stored(warehouse, table)
    path = write(feed, folder)
    try:
        loaded = load_file(warehouse, table, path)
    except LoadError as error:
        message = str(error)
        event("refused: " + next((n for n in sorted(feed.faults) if n in message), "?"))
        assert "\n" not in message, f"not one line: {message!r}"
        assert feed.faults, f"a file with no fault was refused: {message}"
        assert any(name in message for name in feed.faults), (
            f"names none of {sorted(feed.faults)}: {message}"
        )
        assert _stored(warehouse, table) == before, "a refused file changed the table"
        return
    assert not feed.faults, f"loaded a file with faults in {sorted(feed.faults)}"
    event(f"loaded {feed.fmt}, {len(feed.expected)} rows" if feed.expected else "loaded no rows")
    assert loaded.rows == len(feed.expected)
    key = RAW_TABLES[table]
    found = {tuple(r[k] for k in key): r for r in _stored(warehouse, table)}
    for expected in feed.expected:
        row = found.get(tuple(expected[k] for k in key))
        assert row is not None and _same(expected, row), f"{expected} read back as {row}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feed")


@pytest.mark.parametrize("table", list(RAW_TABLES))
@given(data=st.data())
def test_a_file_loads_as_the_contract_says_or_is_refused_in_one_line(
    warehouse: Warehouse, folder: Path, table: str, data: st.DataObject
) -> None:
    check(warehouse, data.draw(feeds(table), label="feed"), folder)
