"""The `shadowline` command line: typed commands over the flows and tasks; nothing imports it.

Errors a person can fix print one line, `shadowline: error: ...`, and exit 1; usage errors exit
2. Heavy modules (Prefect, Ray, the model frameworks) are imported by the commands that use them,
so `--help` and the table commands start fast.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import cyclopts
from cyclopts import App, Parameter, validators

from shadowline.tasks.core.domains import (
    MIN_EDGE_RULE,
    MODEL_ID_RULE,
    InvalidValue,
    check_min_edge,
    check_model_id,
)
from shadowline.tasks.core.errors import ShadowlineError, UsageError
from shadowline.tasks.core.reaper import watch_children
from shadowline.tasks.core.settings import Settings, apply_runtime_defaults, read_settings
from shadowline.tasks.features.sets import FEATURE_SETS
from shadowline.tasks.ingest.loading import RAW_TABLES
from shadowline.tasks.models.files import MODEL_TYPES
from shadowline.tasks.reporting.tables import FORMATS, format_table, print_table
from shadowline.tasks.warehouse import open_warehouse

# Choices shown in --help and checked when parsing, from the one place each is defined.
ModelType = Literal[MODEL_TYPES]  # type: ignore[valid-type]
FeatureVersion = Literal[tuple(sorted(FEATURE_SETS))]  # type: ignore[valid-type]
RawTable = Literal[tuple(RAW_TABLES)]  # type: ignore[valid-type]
Format = Annotated[Literal[FORMATS], Parameter(help="output format")]  # type: ignore[valid-type]


def _iso_date(type_: object, tokens: Sequence[cyclopts.Token]) -> date:
    text = tokens[0].value
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"bad date {text!r}: use YYYY-MM-DD") from None


Day = Annotated[date, Parameter(converter=_iso_date)]


def _domain(check: Callable[[Any], object], rule: str) -> Callable[[object, object], None]:
    """A cyclopts validator from a domain check: the usage error states the rule (cyclopts
    already names the argument and the value)."""

    def validate(type_: object, value: object) -> None:
        if value is None:
            return
        try:
            check(value)
        except InvalidValue:
            raise ValueError(rule) from None

    return validate


_model_ids = _domain(check_model_id, MODEL_ID_RULE)
_min_edge = _domain(check_min_edge, MIN_EDGE_RULE)
ModelIds = Annotated[
    # validated one by one, so the error quotes the bad id rather than the whole list
    list[Annotated[str, Parameter(validator=_model_ids)]] | None,
    Parameter(name="--model", help="only this model, enabled or not (repeat)"),
]
NewModelId = Annotated[
    str,
    Parameter(help="registry id, e.g. catboost_v3 (letters, digits, _ . -)", validator=_model_ids),
]


@dataclass(frozen=True)
class Session:
    """What every command gets besides its own arguments."""

    settings: Settings
    warehouse: str
    temporary_server: Any = None  # flows.server.TemporaryServer, for commands that run flows


# Commands that run Prefect flows (and so need an API: the local server's, else a temporary one).
FLOW_COMMANDS = {"run", "backfill", "grade", "demo"}


@contextmanager
def flow_runs(
    session: Session, *, scoring: bool, models: Sequence[str] | None = None
) -> Iterator[None]:
    """Around a command's flow runs. A scoring command starts Ray and the actors of the models
    it will score (`models`, else the enabled ones) while Prefect's temporary server boots, if
    the command has one, and lends them to its runs; then the server is ready. Command-line
    runs send no flow-run heartbeats (Prefect's crash detection for runs nobody watches: a
    terminal sees its own crash; deployment runs keep them), so a run ends without waiting a
    heartbeat out."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from shadowline.tasks.resources import lend

    pool, started_ray = None, False
    if scoring:
        from shadowline.tasks.scoring.cluster import start_ray
        from shadowline.tasks.scoring.pool import ScorerPool

        started_ray = start_ray(session.settings.ray_num_cpus)
        pool = ScorerPool.from_settings(session.settings)
        _warm(pool, session, models)
    server = session.temporary_server
    try:
        if server is not None:
            server.ready()
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), lend(scorers=pool):
            yield
    finally:
        if server is not None:
            from prefect.events.worker import EventsWorker
            from prefect.logging.handlers import APILogWorker

            # what Prefect sends at exit goes now, while its server still listens
            APILogWorker.drain_all(timeout=10)
            EventsWorker.drain_all(timeout=10)
        if _exit.fast and (started_ray or server is not None):
            _exit.handed_off = True  # the command's watcher stops them as it exits
        else:
            if server is not None:
                server.process.terminate()  # it stops while Ray does
            _stop_scoring(pool, started_ray)
            if server is not None:
                server.stop()


def _stop_scoring(pool: Any, started_ray: bool) -> None:
    if pool is not None:
        pool.close()
    if started_ray:
        import ray

        ray.shutdown()


def _warm(pool: Any, session: Session, models: Sequence[str] | None) -> None:
    """Start the models' actors now, if the registry can be read now; else the run starts them
    when it scores (and reports whatever kept the registry from being read)."""
    from shadowline.tasks.registry.entries import read_models

    try:
        with open_warehouse(session.warehouse) as warehouse:
            registered = read_models(warehouse, list(models or []))
    except ShadowlineError:
        return
    pool.warm([m.spec for m in registered if not m.duplicate_error])


Given = Annotated[Session, Parameter(parse=False)]

app = App(
    name="shadowline",
    help="Run every player-points model side by side, grade them after the games, and see "
    "which one is better.",
    version_flags=[],
    default_parameter=Parameter(negative=(), show_default=False),
    result_action="return_value",
    print_error=False,
    exit_on_error=False,
    help_on_error=False,
)
features_app = app.command(App(name="features", help="feature store commands"))
registry_app = app.command(App(name="registry", help="list and change registered models"))
server_app = app.command(
    App(
        name="server",
        help="a local Prefect server, process worker and Ray instance for development "
        "(state in .prefect/)",
    )
)


def say(message: str = "") -> None:
    print(message, flush=True)


# --- commands -------------------------------------------------------------------------------


@app.command
def init(*, session: Given) -> int:
    """create or update the datasets, tables and views (every command does when they are out of
    date; this applies them again, e.g. after a view was dropped by hand)"""
    with open_warehouse(session.warehouse) as warehouse:
        warehouse.ensure_schema(force=True)
        say(f"warehouse ready: {warehouse.url} (datasets nba_raw, nba_analytics, nba_predictions)")
    return 0


@app.command
def demo(
    *,
    seed: Annotated[int, Parameter(help="season seed (default 7)")] = 7,
    days: Annotated[
        int,
        Parameter(
            help="game days in the experiment window (1-40, default 14)",
            validator=validators.Number(gte=1, lte=40),
        ),
    ] = 14,
    session: Given,
) -> int:
    """generate a synthetic season, train and register models, run experiments and grading over
    a window of game days, and print the leaderboard"""
    from shadowline.flows.demo import run_demo

    with flow_runs(session, scoring=True):
        run_demo(session.warehouse, session.settings, seed=seed, days=days, say=say)
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


@app.command
def train(
    *,
    model_type: ModelType,
    feature_version: FeatureVersion,
    train_end: Annotated[Day, Parameter(help="train on game dates before this")],
    model_id: NewModelId,
    register: Annotated[bool, Parameter(help="add it to the registry, enabled")] = False,
    require_features: Annotated[
        bool, Parameter(help="refuse to train when a feature has no value on any training row")
    ] = False,
    session: Given,
) -> int:
    """train a model on feature-store rows before a date"""
    from shadowline.tasks.registry.training import train as train_model

    say(f"training {model_type} on {feature_version} rows before {train_end} ...")
    with open_warehouse(session.warehouse) as warehouse:
        trained = train_model(
            warehouse,
            model_type=model_type,
            feature_version=feature_version,
            train_end=train_end,
            model_id=model_id,
            models_dir=session.settings.models_dir,
            register=register,
            require_features=require_features,
        )
    for name in trained.empty_features:
        rows = trained.train_rows + trained.test_rows
        print(f"warning: {name} is empty in all {rows:,} training rows", file=sys.stderr)
    say(
        f"{model_id}: test MAE {trained.test_mae:.3f} on {trained.test_rows:,} held-out rows "
        f"({trained.train_rows:,} training rows); saved {trained.path}"
    )
    if register:
        say(f"registered {model_id} (enabled): the next `shadowline run` scores it")
    return 0


@app.command
def run(
    *,
    date: Annotated[Day | None, Parameter(help="game date (default: today, Eastern time)")] = None,
    models: ModelIds = None,
    dry_run: Annotated[bool, Parameter(help="write nothing; show what it would")] = False,
    min_edge: Annotated[
        float | None,
        Parameter(
            help="points between prediction and line for OVER/UNDER "
            "(default: SHADOWLINE_MIN_EDGE, 0)",
            validator=_min_edge,
        ),
    ] = None,
    preview_rows: Annotated[int, Parameter(show=False)] = 10,
    session: Given,
) -> int:
    """run the experiment: score every enabled model on a game day"""
    from shadowline.flows.experiment import experiment

    with flow_runs(session, scoring=True, models=models):
        summary = experiment(
            game_date=date,
            models=models,
            dry_run=dry_run,
            min_edge=min_edge,
            warehouse=session.warehouse,
        )
    for line in summary.lines():
        say(line)
    if summary.dry_run and summary.predictions is not None:
        say(f"nothing written; it would write {summary.predictions.num_rows:,} predictions:")
        preview = summary.predictions.select(
            ["model_id", "player_lookup", "predicted_points", "betting_line", "recommendation"]
        )
        say(format_table(preview, max_rows=preview_rows))
    return 1 if summary.outcomes and len(summary.failed) == len(summary.outcomes) else 0


@app.command
def backfill(
    *,
    start: Annotated[Day, Parameter(help="first game date")],
    end: Annotated[Day | None, Parameter(help="last game date (default: yesterday, ET)")] = None,
    models: ModelIds = None,
    no_grade: Annotated[bool, Parameter(help="run the experiments only; grade nothing")] = False,
    session: Given,
) -> int:
    """run the experiment, and grading where results exist, for every game date in a range"""
    import logging

    from shadowline.flows.backfill import backfill as backfill_flow
    from shadowline.flows.backfill import progress_log

    handler = logging.StreamHandler(sys.stdout)
    progress_log.addHandler(handler)
    progress_log.setLevel(logging.INFO)
    try:
        with flow_runs(session, scoring=True, models=models):
            summary = backfill_flow(
                start=start, end=end, models=models, grade=not no_grade,
                warehouse=session.warehouse,
            )  # fmt: skip
    finally:
        progress_log.removeHandler(handler)
    for ran in summary.experiments:
        if ran.failed:
            for line in ran.lines(prefix="  "):
                say(line)
    return 0


@app.command
def grade(
    *,
    date: Annotated[Day | None, Parameter(help="game date (default: yesterday, ET)")] = None,
    session: Given,
) -> int:
    """grade a game day's predictions from the box scores"""
    from shadowline.flows.grading import grading

    with flow_runs(session, scoring=False):
        summary = grading(game_date=date, warehouse=session.warehouse)
    if summary.note:
        say(f"grading {summary.game_date}: {summary.note}")
        return 0
    after = summary.after
    say(
        f"grading {summary.game_date}: {summary.changed:,} rows changed; {after.graded:,} graded, "
        f"{after.void:,} void (did not play), {after.ungraded:,} awaiting results"
    )
    if summary.daily is not None:
        print_table(summary.daily)
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


@registry_app.command(name="list")
def registry_list(*, format: Format = "table", session: Given) -> int:
    """every registered model"""
    from shadowline.tasks.registry.entries import list_models
    from shadowline.tasks.registry.promotion import unaudited_production

    with open_warehouse(session.warehouse) as warehouse:
        print_table(list_models(warehouse), format)
        mismatch = unaudited_production(warehouse)
    if mismatch:
        print(f"warning: {mismatch}", file=sys.stderr)
    return 0


@registry_app.command(name="add")
def registry_add(
    *,
    model_id: NewModelId,
    model_type: ModelType,
    feature_version: FeatureVersion,
    file: Annotated[Path, Parameter(help="the model file in its native format")],
    upload: Annotated[
        str | None, Parameter(help="upload it first (gs://bucket/path)", name="--upload")
    ] = None,
    model_name: Annotated[str | None, Parameter(help="display name")] = None,
    test_mae: Annotated[float | None, Parameter(help="MAE measured when it was trained")] = None,
    notes: Annotated[str | None, Parameter(help="free text")] = None,
    session: Given,
) -> int:
    """register a model file after checking that it loads and fits its feature set"""
    from shadowline.tasks.registry.training import register_file

    with open_warehouse(session.warehouse) as warehouse:
        model_path = register_file(
            warehouse,
            file,
            model_id=model_id,
            model_type=model_type,
            feature_version=feature_version,
            upload_to=upload,
            model_name=model_name,
            test_mae=test_mae,
            notes=notes,
        )
    say(f"registered {model_id} (enabled) from {model_path}")
    return 0


ModelId = Annotated[
    str, Parameter(name="MODEL_ID", help="a registered model_id", validator=_model_ids)
]


@registry_app.command
def enable(model_id: ModelId, /, *, session: Given) -> int:
    """include a model in experiment runs"""
    return _registry_change("enable", model_id, session)


@registry_app.command
def disable(model_id: ModelId, /, *, session: Given) -> int:
    """leave a model out of experiment runs"""
    return _registry_change("disable", model_id, session)


@registry_app.command
def promote(
    model_id: ModelId,
    /,
    *,
    force: Annotated[
        bool, Parameter(negative=(), help="promote whatever the verdict (needs --reason)")
    ] = False,
    reason: Annotated[str, Parameter(help="why, kept in the audit trail")] = "",
    session: Given,
) -> int:
    """make a model the (only) production model if the promotion gate says PROMOTE

    PROMOTE: enough game days and rows shared with production (SHADOWLINE_PROMOTION_MIN_DAYS,
    SHADOWLINE_PROMOTION_MIN_ROWS) and a lower MAE beyond the daily monitor's 95% confidence
    sequence; REJECT: worse; HOLD: not yet. Only PROMOTE (or --force --reason) changes anything.
    """
    from shadowline.tasks.registry import promotion

    if force and not reason.strip():
        raise UsageError('--force needs --reason "...": the audit trail keeps why')
    with open_warehouse(session.warehouse) as warehouse:
        verdict = promotion.promote(
            warehouse, model_id, force=force, reason=reason, settings=session.settings
        )
    say(verdict.line())
    forced = " (forced)" if verdict.decision in (promotion.HOLD, promotion.REJECT) else ""
    say(f"{model_id} is now the production model (the only one){forced}")
    return 0


@registry_app.command
def rollback(
    *, reason: Annotated[str, Parameter(help="why, kept in the audit trail")] = "",
    session: Given,
) -> int:  # fmt: skip
    """make the model that was production before the latest promotion production again"""
    from shadowline.tasks.registry import promotion

    with open_warehouse(session.warehouse) as warehouse:
        was, now = promotion.rollback(warehouse, reason)
    say(f"rolled back: {now} is the production model again (was {was})")
    return 0


@registry_app.command
def history(
    model_id: Annotated[
        str | None, Parameter(help="only this model's changes", validator=_model_ids)
    ] = None,
    /,
    *,
    format: Format = "table",
    session: Given,
) -> int:  # fmt: skip
    """the registry's audit trail, newest first: time, action, model, previous production model,
    verdict, reason, who"""
    from shadowline.tasks.registry.entries import history as audit_trail

    with open_warehouse(session.warehouse) as warehouse:
        table = audit_trail(warehouse, model_id)
    print_table(table, format)
    return 0


@registry_app.command(name="set-baseline")
def set_baseline(model_id: ModelId, /, *, session: Given) -> int:
    """make a model the (only) baseline model"""
    return _registry_change("set-baseline", model_id, session)


def _registry_change(action: str, model_id: str, session: Session) -> int:
    from shadowline.tasks.registry import entries as registry

    with open_warehouse(session.warehouse) as warehouse:
        if action in ("enable", "disable"):
            registry.set_enabled(warehouse, model_id, action == "enable")
            say(f"{model_id}: {action}d")
        else:
            registry.set_baseline(warehouse, model_id)
            say(f"{model_id} is now the baseline model (the only one)")
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
def leaderboard(*, format: Format = "table", session: Given) -> int:
    """all-time model rankings by MAE, beside the line's MAE on the same rows, and the models
    tied for best"""
    from shadowline.tasks.evaluation.results import leaderboard_text, leaderboard_with_best_set

    with open_warehouse(session.warehouse) as warehouse:
        board, best = leaderboard_with_best_set(warehouse)
    if format == "table":
        say(leaderboard_text(board, best))
    else:
        print_table(board, format)
    return 0


@app.command(name="head-to-head")
def head_to_head(
    model_a: Annotated[str, Parameter(name="MODEL_A")],
    model_b: Annotated[str, Parameter(name="MODEL_B")],
    /,
    *,
    format: Format = "table",
    session: Given,
) -> int:
    """compare two models on the predictions both made: the MAE difference with its 95%
    interval (game days as clusters), p-value, sign test and a verdict in words"""
    import pyarrow as pa

    from shadowline.tasks.evaluation.comparisons import compare_models
    from shadowline.tasks.evaluation.results import head_to_head as read_head_to_head
    from shadowline.tasks.evaluation.results import head_to_head_text, why_no_head_to_head

    if model_a == model_b:
        raise UsageError(f"head-to-head needs two different models (got {model_a} twice)")
    with open_warehouse(session.warehouse) as warehouse:
        table = read_head_to_head(warehouse, model_a, model_b)
        if table.num_rows == 0:
            reason = why_no_head_to_head(warehouse, model_a, model_b)
            if format == "table":
                say(reason)
                return 0
        comparison = compare_models(warehouse, model_a, model_b)
    if format == "table":
        say(head_to_head_text(table, comparison))
        return 0
    if comparison is not None:
        for name, value in comparison.as_row().items():
            table = table.append_column(name, pa.array([value]))
    print_table(table, format)
    return 0


@app.command
def daily(
    *,
    date: Annotated[Day | None, Parameter(help="game date (default: yesterday, ET)")] = None,
    format: Format = "table",
    session: Given,
) -> int:
    """each model's results on one game date"""
    from shadowline.tasks.evaluation.results import daily_performance, daily_text

    game_date = date or session.settings.yesterday()
    with open_warehouse(session.warehouse) as warehouse:
        table = daily_performance(warehouse, game_date)
    if format == "table":
        say(f"daily performance {game_date}")
        say(daily_text(table))
    else:
        print_table(table, format)
    return 0


@app.command
def monitor(*, format: Format = "table", session: Given) -> int:
    """each enabled model against production: an anytime-valid 95% confidence sequence, safe
    to read every day (updated by every grading run)"""
    from datetime import UTC, datetime

    from shadowline.tasks.evaluation.monitor import read_monitor, update_monitor
    from shadowline.tasks.evaluation.results import monitor_text

    with open_warehouse(session.warehouse) as warehouse:
        update_monitor(warehouse, datetime.now(UTC))
        table = read_monitor(warehouse)
    if format == "table":
        say(monitor_text(table))
    else:
        print_table(table, format)
    return 0


@app.command
def report(
    *,
    start: Annotated[Day | None, Parameter(help="first game date (default: first graded)")] = None,
    end: Annotated[Day | None, Parameter(help="last game date (default: last graded)")] = None,
    out: Annotated[
        Path | None,
        Parameter(help="folder (default: SHADOWLINE_REPORTS_DIR/END, .shadowline/reports/END)"),
    ] = None,
    session: Given,
) -> int:
    """plot every model's graded results over time (cumulative MAE beside the line's, rolling
    bet accuracy, each challenger's confidence sequence against production, error distributions)
    into PNG files and a report.md that shows them"""
    from datetime import UTC, datetime

    from shadowline.tasks.evaluation.monitor import update_monitor
    from shadowline.tasks.reporting.plots import write_report

    if start and end and start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    with open_warehouse(session.warehouse) as warehouse:
        update_monitor(warehouse, datetime.now(UTC))  # as `monitor` does: against production now
        written = write_report(
            warehouse, session.settings.reports_dir, start=start, end=end, out=out
        )
    say(written.summary)
    for path in written.files:
        say(f"wrote {path}")
    return 0


@server_app.command(name="start")
def server_start(*, session: Given) -> int:
    """start a Prefect server, a process worker and a Ray instance (warm scoring actors) in the
    background"""
    from shadowline.flows import server

    local = server.start(
        session.settings.prefect_port, say=say, ray_num_cpus=session.settings.ray_num_cpus
    )
    say(f"Prefect UI: {local.ui_url}  (logs in .prefect/server.log, .prefect/worker.log)")
    say("next: `make deploy`, then trigger a run from the UI or with")
    say("  .venv/bin/prefect deployment run experiment/experiment-daily --param game_date=...")
    say("      (with PREFECT_API_URL=" + local.api_url + ")")
    say("stop both with `make stop`")
    return 0


@server_app.command(name="stop")
def server_stop(*, session: Given) -> int:
    """stop the worker, the Ray instance and the server"""
    from shadowline.flows import server

    server.stop(say=say)
    return 0


@server_app.command(name="status")
def server_status(*, session: Given) -> int:
    """whether the local server and its worker run"""
    from shadowline.flows import server

    local = server.running()
    if local is None:
        say("no local Prefect server is running (start one with `make server`)")
        return 1
    worker = "running" if server.alive(local.worker_pid) else "not running"
    ray = f"Ray at {local.ray_address}" if local.ray_address else "Ray not running"
    say(f"Prefect server at {local.ui_url} (pid {local.server_pid}); worker {worker}; {ray}")
    return 0


@server_app.command(name="deploy")
def server_deploy(*, session: Given) -> int:
    """deploy this repository's prefect.yaml to the local server"""
    from shadowline.flows import server

    server.deploy(say=say)
    return 0


# --- entry point ----------------------------------------------------------------------------


@app.meta.default
def _launch(
    *tokens: Annotated[str, Parameter(show=False, allow_leading_hyphen=True)],
    warehouse: Annotated[
        str | None,
        Parameter(
            help="warehouse URL (default: SHADOWLINE_WAREHOUSE or "
            "duckdb:///.shadowline/warehouse.duckdb in the working directory)"
        ),
    ] = None,
) -> int:
    command, bound, ignored = app.parse_args(tokens)
    if "session" in ignored:
        temporary = None
        if not (tokens and tokens[0] == "server"):
            from shadowline.flows.server import TemporaryServer, use_running_server

            use_running_server()  # flow runs then show in the local server's UI, score on its Ray
            watch_children()  # Prefect's temporary server and Ray's agents end with this command
            if tokens[0] in FLOW_COMMANDS and not os.environ.get("PREFECT_API_URL"):
                temporary = TemporaryServer()  # boots while this process gets ready
                os.environ["PREFECT_API_URL"] = temporary.api_url
        settings = read_settings()
        bound.arguments["session"] = Session(settings, warehouse or settings.warehouse, temporary)
    result = command(*bound.args, **bound.kwargs)
    return 0 if result is None else int(result)


class _exit:  # noqa: N801 (a namespace for two flags)
    fast = False  # set by `console()`: this process is the `shadowline` executable
    handed_off = False  # Ray or Prefect's temporary server are left to the watcher


def console() -> None:
    """The `shadowline` executable. It ends as an orderly exit would (other threads joined,
    atexit functions run: logging, Prefect's queues) but skips the interpreter's teardown of
    the thousand-odd modules Prefect and the libraries import, ~0.5 s that no command needs.
    A command that started a Ray or Prefect's temporary server of its own leaves them to its
    watcher (tasks/core/reaper.py), which stops them as the process ends, rather than waiting about
    two seconds for their orderly shutdown (Ray's atexit function); everything Prefect holds is
    sent before that."""
    _exit.fast = True
    code = main() or 0  # None: cyclopts printed --help
    if not _exit.handed_off:
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()  # what Python runs at exit, before the teardown skipped here
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that left (`| head`), a closed stream
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """`shadowline ...`: the exit code (0 ok, 1 an error with its fix, 2 a usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # The CLI prints its own one-line errors; Prefect's console would repeat each with a traceback
    # (flow logs still reach the Prefect API).
    apply_runtime_defaults(console_level="CRITICAL")
    if not argv:
        app.help_print([])
        return 2
    try:
        return app.meta(argv)
    except (cyclopts.CycloptsError, UsageError) as error:
        reason = " ".join(str(error).split())
        print(f"shadowline: error: {reason} (see shadowline --help)", file=sys.stderr)
        return 2
    except ShadowlineError as error:
        print(f"shadowline: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shadowline: interrupted", file=sys.stderr)
        return 130
