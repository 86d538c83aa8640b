"""Commands on the data: `init`, `load`, `features build|list|define|source|health`,
`feeds timing`, `players unmatched`
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


features_app = app.command(
    App(name="features", help="the feature store, feature sets, team feature sources and health")
)


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


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


@features_app.command(name="list")
def features_list(*, format: Format = "table", session: Given) -> int:
    """the defined feature sets (nba_predictions.ml_feature_sets) and their feature names"""
    from shadowline.tasks.warehouse import sql_text

    with open_warehouse(session.warehouse) as warehouse:
        table = warehouse.query(sql_text("features/feature_sets"))
    if format == "table":
        for row in table.to_pylist():
            names = row["feature_names"] or []
            say(f"{row['feature_version']}  ({len(names)} features; {row['source'] or 'INSERT'})")
            if row["description"]:
                say(f"  {row['description']}")
            say(f"  {', '.join(names)}")
        return 0
    print_table(table, format)
    return 0


@features_app.command(name="define")
def features_define(
    name: Annotated[str, Parameter(help="the new feature_version, e.g. v9_36features")],
    /,
    *,
    columns: Annotated[str | None, Parameter(help="its features in order: a,b,c")] = None,
    from_: Annotated[
        str | None, Parameter(name="--from", help="start from this set's features")
    ] = None,
    add: Annotated[str | None, Parameter(help="with --from: features to append, a,b")] = None,
    description: Annotated[str | None, Parameter(help="what the set is for")] = None,
    session: Given,
) -> int:
    """define a feature set from feature store and feature source columns (no code change: the
    next train, registry add or run accepts it)"""
    from shadowline.tasks.core.errors import UsageError
    from shadowline.tasks.features.catalog import define_feature_set

    if add and not from_:
        raise UsageError("--add extends a set: give the set with --from")
    with open_warehouse(session.warehouse) as warehouse:
        names = define_feature_set(
            warehouse,
            name,
            _names(columns or ""),
            base=from_,
            add=_names(add or ""),
            description=description,
        )
    say(f"defined feature set {name}: {len(names)} features ({', '.join(names)})")
    return 0


source_app = features_app.command(
    App(name="source", help="the team's own feature tables, joined on the slate")
)


@source_app.command(name="add")
def source_add(
    name: Annotated[str, Parameter(help="a name for the source, e.g. team_injuries")],
    /,
    *,
    table: Annotated[str, Parameter(help="dataset.table or dataset.view in this warehouse")],
    as_of_column: Annotated[
        str | None,
        Parameter(help="a timestamp column: when each row's values were known (checked)"),
    ] = None,
    description: Annotated[str | None, Parameter(help="what it holds")] = None,
    session: Given,
) -> int:
    """register a table keyed by player_lookup and game_date as a feature source: its numeric
    columns can be named in feature sets"""
    from shadowline.tasks.features.catalog import register_source

    with open_warehouse(session.warehouse) as warehouse:
        columns = register_source(
            warehouse, name, table, as_of_column=as_of_column, description=description
        )
    say(f"feature source {name} -> {table}: {', '.join(columns)}")
    return 0


@source_app.command(name="list")
def source_list(*, format: Format = "table", session: Given) -> int:
    """the registered feature sources"""
    from shadowline.tasks.warehouse import sql_text

    with open_warehouse(session.warehouse) as warehouse:
        print_table(warehouse.query(sql_text("features/feature_sources")), format)
    return 0


@features_app.command(name="health")
def features_health(
    *,
    model: Annotated[str | None, Parameter(help="only this model")] = None,
    start: Annotated[Day | None, Parameter(help="first game date")] = None,
    end: Annotated[Day | None, Parameter(help="last game date")] = None,
    every: Annotated[
        bool, Parameter(name="--all", help="every feature, not only those not ok")
    ] = False,
    format: Format = "table",
    session: Given,
) -> int:
    """each run's feature coverage and drift against the model's training rows
    (nba_predictions.v_ml_feature_health); by default the features that were not ok"""
    import pyarrow.compute as pc

    from shadowline.tasks.features.health import read_health

    with open_warehouse(session.warehouse) as warehouse:
        table = read_health(warehouse, model, start, end)
    if table.num_rows == 0:
        say("no feature health recorded for that selection: it is written by every `run`")
        return 0
    flagged = table.filter(pc.not_equal(table["state"], "ok"))
    shown = table if every else flagged
    if format != "table":
        print_table(shown, format)
        return 0
    days = len(set(table["game_date"].to_pylist()))
    say(
        f"{table.num_rows:,} feature-days over {days} game days; {flagged.num_rows} not ok"
        + ("" if every else " (shown; --all for every feature)")
    )
    if shown.num_rows:
        print_table(shown.drop_columns(["reference"]), format)
        say(f"training_share: the share on the model's reference rows ({table['reference'][0]})")
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
    """run BigQuery SQL on shadowline's datasets (and registered feature sources') and print the
    result: SELECT, INSERT, UPDATE, DELETE, MERGE (DDL with --allow-ddl); no file outside the
    warehouse is read or written"""
    from shadowline.tasks.features.catalog import source_datasets
    from shadowline.tasks.warehouse.user_sql import check_sql, run_sql

    with open_warehouse(session.warehouse, external_access=False) as warehouse:
        sources = source_datasets(warehouse)
        for statement in check_sql(sql, allow_ddl=allow_ddl, sources=sources):
            if statement.removes:
                print(f"--allow-ddl: this {statement.removes}", file=sys.stderr)
        result = run_sql(warehouse, sql)
    if isinstance(result, int):
        say(f"{result:,} rows affected")
    else:
        print_table(result, format)
    return 0
