"""The `shadowline` command line."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import tasks  # noqa: F401  (quiet runtime defaults first)
from flows.server import ServerError
from tasks.features import FEATURE_SETS, FeatureSetError
from tasks.loading import RAW_TABLES, LoadError
from tasks.models import MODEL_TYPES, ModelError
from tasks.registry import RegistryError
from tasks.report import FORMATS, format_table, print_table
from tasks.settings import Settings
from tasks.storage import StorageError
from tasks.warehouse import WarehouseError, close_all, open_warehouse

# Errors whose message already says what is wrong and how to fix it: no traceback.
USER_ERRORS = (
    WarehouseError,
    LoadError,
    ModelError,
    RegistryError,
    FeatureSetError,
    StorageError,
    ServerError,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad date {text!r}: use YYYY-MM-DD") from None


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _day_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 40:
        raise argparse.ArgumentTypeError(f"--days must be a whole number from 1 to 40, got {text}")
    return int(text)


def say(message: str = "") -> None:
    print(message, flush=True)


# --- commands -------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    warehouse = open_warehouse(args.warehouse)
    say(f"warehouse ready: {warehouse.url} (datasets nba_raw, nba_analytics, nba_predictions)")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from flows.demo import run_demo

    return run_demo(args.warehouse, settings, seed=args.seed, days=args.days, say=say)


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.loading import load_file

    rows = load_file(open_warehouse(args.warehouse), args.table, Path(args.file))
    say(f"loaded {rows:,} rows into {args.table} (rows with the same key were replaced)")
    return 0


def cmd_features_build(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.features import build_features, schedule_bounds

    warehouse = open_warehouse(args.warehouse)
    bounds = schedule_bounds(warehouse)
    if args.start and args.end:
        start, end = args.start, args.end
    elif bounds is None:
        raise WarehouseError("nba_raw.schedule is empty: load a schedule first (shadowline load)")
    else:
        start, end = args.start or bounds[0], args.end or bounds[1]
    started = time.perf_counter()
    rows = build_features(warehouse, start, end)
    say(f"built {rows:,} feature rows for {start}..{end} in {time.perf_counter() - started:.1f}s")
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.training import train

    say(f"training {args.model_type} on {args.feature_version} rows before {args.train_end} ...")
    trained = train(
        open_warehouse(args.warehouse),
        model_type=args.model_type,
        feature_version=args.feature_version,
        train_end=args.train_end,
        model_id=args.model_id,
        models_dir=settings.models_dir,
        register=args.register,
    )
    say(
        f"{args.model_id}: test MAE {trained.test_mae:.3f} on {trained.test_rows:,} held-out rows "
        f"({trained.train_rows:,} training rows); saved {trained.path}"
    )
    if args.register:
        say(f"registered {args.model_id} (enabled): the next `shadowline run` scores it")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from flows.experiment import experiment

    summary = experiment(
        game_date=args.date,
        models=args.models,
        dry_run=args.dry_run,
        min_edge=args.min_edge,
        warehouse=args.warehouse,
    )
    print_experiment(summary)
    if summary.dry_run and summary.predictions is not None:
        say(f"nothing written; it would write {summary.predictions.num_rows:,} predictions:")
        preview = summary.predictions.select(
            ["model_id", "player_lookup", "predicted_points", "betting_line", "recommendation"]
        )
        say(format_table(preview, max_rows=args.preview_rows))
    if summary.outcomes and len(summary.failed) == len(summary.outcomes):
        return 1
    return 0


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from flows.backfill import backfill, check_range, progress_log

    end = args.end or settings.yesterday()
    try:
        check_range(args.start, end)
    except ValueError as error:
        print(f"shadowline backfill: error: {error}", file=sys.stderr)
        return 2
    handler = logging.StreamHandler(sys.stdout)
    progress_log.addHandler(handler)
    progress_log.setLevel(logging.INFO)
    try:
        summary = backfill(
            start=args.start, end=end, models=args.models, grade=not args.no_grade,
            warehouse=args.warehouse,
        )  # fmt: skip
    finally:
        progress_log.removeHandler(handler)
    for ran in summary.experiments:
        if ran.failed:
            print_experiment(ran, prefix="  ")
    return 0


def cmd_server(args: argparse.Namespace, settings: Settings) -> int:
    from flows import server

    action = args.server_command
    if action == "start":
        local = server.start(settings.prefect_port, say=say)
        say(f"Prefect UI: {local.ui_url}  (logs in .prefect/server.log, .prefect/worker.log)")
        say("next: `make deploy`, then trigger a run from the UI or with")
        say("  .venv/bin/prefect deployment run experiment/experiment-daily --param game_date=...")
        say("      (with PREFECT_API_URL=" + local.api_url + ")")
        say("stop both with `make stop`")
    elif action == "stop":
        server.stop(say=say)
    elif action == "deploy":
        server.deploy(say=say)
    else:
        local = server.running()
        if local is None:
            say("no local Prefect server is running (start one with `make server`)")
            return 1
        worker = "running" if server.alive(local.worker_pid) else "not running"
        say(f"Prefect server at {local.ui_url} (pid {local.server_pid}); worker {worker}")
    return 0


def print_experiment(summary: object, prefix: str = "") -> None:
    from flows.experiment import ExperimentSummary

    assert isinstance(summary, ExperimentSummary)
    if summary.note:
        say(f"{prefix}experiment {summary.game_date}: {summary.note}")
        return
    written = "dry run" if summary.dry_run else f"{summary.rows_written:,} predictions written"
    if summary.regraded:
        written += f" and graded again ({summary.regraded:,} rows)"
    say(
        f"{prefix}experiment {summary.game_date}: {summary.slate_players} players scored "
        f"({summary.skipped_out} OUT skipped), {len(summary.outcomes)} models, {written}"
    )
    for outcome in summary.outcomes:
        detail = (
            f"{outcome.rows_scored} rows" if outcome.status == "success" else outcome.error_message
        )
        say(f"{prefix}  {outcome.model_id:<24} {outcome.status:<8} {detail}")


def cmd_grade(args: argparse.Namespace, settings: Settings) -> int:
    from flows.grading import grading

    summary = grading(game_date=args.date, warehouse=args.warehouse)
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


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.warehouse import transpile

    warehouse = open_warehouse(args.warehouse)
    statements = transpile(args.sql, "duckdb")
    if not statements:
        raise WarehouseError("no SQL statement given")
    if statements[-1].is_query:
        print_table(warehouse.query(args.sql), args.format)
    else:
        say(f"{warehouse.execute(args.sql):,} rows affected")
    return 0


def cmd_registry(args: argparse.Namespace, settings: Settings) -> int:
    from tasks import registry

    warehouse = open_warehouse(args.warehouse)
    action = args.registry_command
    if action == "list":
        print_table(registry.list_models(warehouse), args.format)
        return 0
    if action == "add":
        from tasks.training import register_file

        model_path = register_file(
            warehouse,
            Path(args.file),
            model_id=args.model_id,
            model_type=args.model_type,
            feature_version=args.feature_version,
            upload_to=args.upload,
            model_name=args.model_name,
            test_mae=args.test_mae,
            notes=args.notes,
        )
        say(f"registered {args.model_id} (enabled) from {model_path}")
    elif action in ("enable", "disable"):
        registry.set_enabled(warehouse, args.model_id, action == "enable")
        say(f"{args.model_id}: {action}d")
    elif action == "promote":
        registry.promote(warehouse, args.model_id)
        say(f"{args.model_id} is now the production model (the only one)")
    elif action == "set-baseline":
        registry.set_baseline(warehouse, args.model_id)
        say(f"{args.model_id} is now the baseline model (the only one)")
    return 0


def cmd_leaderboard(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.results import leaderboard

    print_table(leaderboard(open_warehouse(args.warehouse)), args.format)
    return 0


def cmd_head_to_head(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.results import graded_models, head_to_head

    warehouse = open_warehouse(args.warehouse)
    table = head_to_head(warehouse, args.model_a, args.model_b)
    if table.num_rows == 0 and args.format == "table":
        graded = graded_models(warehouse)
        unknown = [m for m in (args.model_a, args.model_b) if m not in graded]
        if unknown:
            raise RegistryError(
                f"no graded predictions for {', '.join(unknown)} "
                f"(models with graded predictions: {', '.join(graded) or 'none yet'})"
            )
        say(f"no player-dates graded for both {args.model_a} and {args.model_b}")
        return 0
    print_table(table, args.format)
    return 0


def cmd_daily(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.results import daily_performance

    game_date = args.date or settings.yesterday()
    table = daily_performance(open_warehouse(args.warehouse), game_date)
    if args.format == "table":
        say(f"daily performance {game_date}")
    print_table(table, args.format)
    return 0


# --- parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shadowline",
        description="Run every player-points model side by side, grade them after the games, "
        "and see which one is better.",
    )
    parser.add_argument(
        "--warehouse",
        help="warehouse URL (default: SHADOWLINE_WAREHOUSE or "
        "duckdb:///.shadowline/warehouse.duckdb in the working directory)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    def add_format(command: argparse.ArgumentParser) -> None:
        command.add_argument("--format", choices=FORMATS, default="table", help="output format")

    add("init", cmd_init, "create the datasets, tables and views if missing (every command does)")

    demo = add(
        "demo",
        cmd_demo,
        "generate a synthetic season, train and register models, run experiments and grading "
        "over a window of game days, and print the leaderboard",
    )
    demo.add_argument("--seed", type=int, default=7, help="season seed (default 7)")
    demo.add_argument(
        "--days",
        type=_day_count,
        default=14,
        metavar="N",
        help="game days in the experiment window (1-40, default 14)",
    )

    load = add("load", cmd_load, "load a CSV or Parquet file into a raw table (idempotent)")
    load.add_argument(
        "table", choices=list(RAW_TABLES), metavar="TABLE", help=", ".join(RAW_TABLES)
    )
    load.add_argument("file", metavar="FILE", help="a .csv or .parquet file")

    features = add("features", cmd_features_build, "feature store commands")
    feature_commands = features.add_subparsers(
        dest="features_command", metavar="build", required=True, parser_class=_Parser
    )
    build = feature_commands.add_parser(
        "build", help="rebuild point-in-time features for a range of game dates"
    )
    build.set_defaults(handler=cmd_features_build)
    build.add_argument("--start", type=_iso_date, help="first game date (default: schedule's)")
    build.add_argument("--end", type=_iso_date, help="last game date (default: schedule's)")

    train = add("train", cmd_train, "train a model on feature-store rows before a date")
    train.add_argument("--model-type", required=True, choices=MODEL_TYPES)
    train.add_argument("--feature-version", required=True, choices=sorted(FEATURE_SETS))
    train.add_argument(
        "--train-end", required=True, type=_iso_date, help="train on game dates before this"
    )
    train.add_argument("--model-id", required=True, help="registry id, e.g. catboost_v3")
    train.add_argument("--register", action="store_true", help="add it to the registry, enabled")

    run = add("run", cmd_run, "run the experiment: score every enabled model on a game day")
    run.add_argument("--date", type=_iso_date, help="game date (default: today, Eastern time)")
    run.add_argument(
        "--model",
        dest="models",
        action="append",
        metavar="ID",
        help="score only this model, enabled or not (repeat for more)",
    )
    run.add_argument("--dry-run", action="store_true", help="write nothing; show what it would")
    run.add_argument(
        "--min-edge",
        type=_non_negative,
        help="points between prediction and line for OVER/UNDER (default: SHADOWLINE_MIN_EDGE, 0)",
    )
    run.add_argument("--preview-rows", type=int, default=10, help=argparse.SUPPRESS)

    backfill = add(
        "backfill",
        cmd_backfill,
        "run the experiment, and grading where results exist, for every game date in a range",
    )
    backfill.add_argument("--start", required=True, type=_iso_date, help="first game date")
    backfill.add_argument(
        "--end", type=_iso_date, help="last game date (default: yesterday, Eastern time)"
    )
    backfill.add_argument(
        "--model",
        dest="models",
        action="append",
        metavar="ID",
        help="only this model, enabled or not (repeat for more; default: every enabled model)",
    )
    backfill.add_argument(
        "--no-grade", action="store_true", help="run the experiments only; grade nothing"
    )

    grade = add("grade", cmd_grade, "grade a game day's predictions from the box scores")
    grade.add_argument("--date", type=_iso_date, help="game date (default: yesterday, Eastern)")

    query = add("query", cmd_query, "run BigQuery SQL against the warehouse and print the result")
    query.add_argument("sql", metavar="SQL")
    add_format(query)

    registry = add("registry", cmd_registry, "list and change registered models")
    registry_commands = registry.add_subparsers(
        dest="registry_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    listing = registry_commands.add_parser("list", help="every registered model")
    add_format(listing)
    adding = registry_commands.add_parser(
        "add", help="register a model file after checking that it loads and fits its feature set"
    )
    adding.add_argument("--model-id", required=True, help="registry id, e.g. catboost_v3")
    adding.add_argument("--model-type", required=True, choices=MODEL_TYPES)
    adding.add_argument("--feature-version", required=True, choices=sorted(FEATURE_SETS))
    adding.add_argument("--file", required=True, help="the model file in its native format")
    adding.add_argument("--upload", metavar="GS_URI", help="upload it first (gs://bucket/path)")
    adding.add_argument("--model-name", help="display name")
    adding.add_argument("--test-mae", type=float, help="MAE measured when it was trained")
    adding.add_argument("--notes", help="free text")
    for action, help_text in (
        ("enable", "include a model in experiment runs"),
        ("disable", "leave a model out of experiment runs"),
        ("promote", "make a model the (only) production model"),
        ("set-baseline", "make a model the (only) baseline model"),
    ):
        command = registry_commands.add_parser(action, help=help_text)
        command.add_argument("model_id", metavar="MODEL_ID")

    leaderboard = add("leaderboard", cmd_leaderboard, "all-time model rankings by MAE")
    add_format(leaderboard)

    h2h = add("head-to-head", cmd_head_to_head, "compare two models on the predictions both made")
    h2h.add_argument("model_a", metavar="MODEL_A")
    h2h.add_argument("model_b", metavar="MODEL_B")
    add_format(h2h)

    prefect_server = add(
        "server",
        cmd_server,
        "a local Prefect server and process worker for development (state in .prefect/)",
    )
    prefect_server.add_argument(
        "server_command",
        choices=("start", "stop", "status", "deploy"),
        metavar="ACTION",
        help="start (server + worker, in the background), stop, status, "
        "or deploy (this repository's prefect.yaml)",
    )

    daily = add("daily", cmd_daily, "each model's results on one game date")
    daily.add_argument("--date", type=_iso_date, help="game date (default: yesterday, Eastern)")
    add_format(daily)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    settings = Settings()
    args.warehouse = args.warehouse or settings.warehouse
    _quiet_prefect_console()
    if args.command != "server":
        from flows.server import use_running_server

        use_running_server()  # flow runs then show in the local server's UI
    try:
        return args.handler(args, settings)
    except USER_ERRORS as error:
        print(f"shadowline: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shadowline: interrupted", file=sys.stderr)
        return 130
    finally:
        _shutdown()


def _quiet_prefect_console() -> None:
    """The CLI prints its own one-line errors (and Python's traceback for a bug); Prefect's
    console log would repeat each failure with a traceback. Flow logs still reach the API.
    Prefect reads this when it sets up logging, at the first flow run."""
    if "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL" not in tasks.USER_SET:
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"


def _shutdown() -> None:
    close_all()
    if "tasks.scoring" in sys.modules:
        from tasks.scoring import stop_ray

        stop_ray()


if __name__ == "__main__":
    raise SystemExit(main())
