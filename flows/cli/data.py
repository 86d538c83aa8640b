"""Commands on the data: `init`, `load`, `features build`, `feeds timing`, `players unmatched`
and `query`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter

from shadowline.flows.cli.app import Day, Format, Given, RawTable, app, say
from shadowline.tasks.ingest.loading import RAW_TABLES
from shadowline.tasks.reporting.tables import print_table
from shadowline.tasks.warehouse import open_warehouse


@app.command
def init(*, session: Given) -> int:
    """create or update the datasets, tables and views (every command does when they are out of
    date; this applies them again, e.g. after a view was dropped by hand)"""
    with open_warehouse(session.warehouse) as warehouse:
        warehouse.ensure_schema(force=True)
        say(f"warehouse ready: {warehouse.url} (datasets nba_raw, nba_analytics, nba_predictions)")
    return 0


@app.command
def load(
    table: Annotated[RawTable, Parameter(help=", ".join(RAW_TABLES))],
    file: Annotated[Path, Parameter(help="a .csv or .parquet file")],
    /,
    *,
    session: Given,
) -> int:
    """load a CSV or Parquet file into a raw table (idempotent)"""
    from shadowline.tasks.ingest.loading import load_file

    with open_warehouse(session.warehouse) as warehouse:
        loaded = load_file(warehouse, table, file)
    say(f"loaded {loaded.rows:,} rows into {table} (rows with the same key were replaced)")
    if loaded.unmatched:
        say(
            f"{loaded.unmatched.describe()}; map names to players with `shadowline load "
            "nba_raw.player_aliases FILE` (alias,player_lookup), list them all with "
            "`shadowline players unmatched`"
        )
    return 0


features_app = app.command(App(name="features", help="feature store commands"))


@features_app.command(name="build")
def features_build(
    *,
    start: Annotated[Day | None, Parameter(help="first game date (default: schedule's)")] = None,
    end: Annotated[Day | None, Parameter(help="last game date (default: schedule's)")] = None,
    session: Given,
) -> int:
    """rebuild point-in-time features for a range of game dates"""
    import time

    from shadowline.tasks.features.store import build_features, feature_range

    with open_warehouse(session.warehouse) as warehouse:
        first, last = feature_range(warehouse, start, end)
        started = time.perf_counter()
        rows = build_features(warehouse, first, last)
    say(f"built {rows:,} feature rows for {first}..{last} in {time.perf_counter() - started:.1f}s")
    return 0


feeds_app = app.command(App(name="feeds", help="when the prop feeds post"))


@feeds_app.command(name="timing")
def feeds_timing(
    *,
    start: Annotated[Day | None, Parameter(help="first game date (default: schedule's)")] = None,
    end: Annotated[Day | None, Parameter(help="last game date (default: schedule's)")] = None,
    format: Format = "table",
    session: Given,
) -> int:
    """each book's snapshot times in Eastern time, and how much it posts after the line cutoff"""
    from shadowline.tasks.features.store import feature_range
    from shadowline.tasks.features.timing import feed_timing, timing_note

    with open_warehouse(session.warehouse) as warehouse:
        first, last = feature_range(warehouse, start, end)
        table = feed_timing(warehouse, first, last)
    if format == "table" and table.num_rows == 0:
        say(f"no prop lines in nba_raw.player_points_props for {first}..{last}")
        return 0
    print_table(table, format)
    if format == "table":
        say(timing_note(table))
    return 0


players_app = app.command(App(name="players", help="player names the feeds use"))


@players_app.command(name="unmatched")
def players_unmatched(
    *,
    date: Annotated[Day | None, Parameter(help="only this game date (default: all)")] = None,
    format: Format = "table",
    session: Given,
) -> int:
    """feed names (props, injury report) that match no known player, with the closest one"""
    from shadowline.tasks.ingest.players import unmatched_table

    with open_warehouse(session.warehouse) as warehouse:
        table = unmatched_table(warehouse, date)
    if format == "table" and table.num_rows == 0:
        say("every name in the props and the injury report matches a player")
        return 0
    print_table(table, format)
    return 0


@app.command
def query(
    sql: Annotated[str, Parameter(name="SQL", help="BigQuery SQL (one or more statements)")],
    /,
    *,
    allow_ddl: Annotated[
        bool, Parameter(help="also run CREATE, ALTER, DROP and TRUNCATE (says what they remove)")
    ] = False,
    format: Format = "table",
    session: Given,
) -> int:
    """run BigQuery SQL on shadowline's datasets and print the result: SELECT, INSERT, UPDATE,
    DELETE, MERGE (DDL with --allow-ddl); no file outside the warehouse is read or written"""
    from shadowline.tasks.warehouse.user_sql import check_sql, run_sql

    for statement in check_sql(sql, allow_ddl=allow_ddl):
        if statement.removes:
            print(f"--allow-ddl: this {statement.removes}", file=sys.stderr)
    with open_warehouse(session.warehouse, external_access=False) as warehouse:
        result = run_sql(warehouse, sql)
    if isinstance(result, int):
        say(f"{result:,} rows affected")
    else:
        print_table(result, format)
    return 0
