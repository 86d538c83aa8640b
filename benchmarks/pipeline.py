"""Time each stage of the pipeline on the demo season and print the numbers.

    .venv/bin/python benchmarks/pipeline.py [--days 5] [--flows]

Uses the plain functions (no Prefect) in a temporary DuckDB file and a local Ray with 2 CPUs.
`--flows` then times the same days again through the backfill flow (Prefect subflows and task
runs on a temporary Prefect server, warm actors): the difference is orchestration overhead.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from shadowline.flows.demo import DEMO_MODELS, WINDOW_START
from shadowline.tasks.demo import generate_season
from shadowline.tasks.features import (
    build_features,
    game_days,
    make_slate,
    read_feature_batch,
    read_prop_players,
)
from shadowline.tasks.grading import grade_predictions
from shadowline.tasks.loading import load_rows
from shadowline.tasks.predictions import collect_predictions, write_predictions
from shadowline.tasks.registry import read_models
from shadowline.tasks.resources import lend
from shadowline.tasks.scoring import ScorerPool
from shadowline.tasks.settings import apply_runtime_defaults
from shadowline.tasks.training import train
from shadowline.tasks.warehouse import open_warehouse

timings: dict[str, list[float]] = {}


@contextmanager
def timed(stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings.setdefault(stage, []).append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5, help="game days to score and grade")
    parser.add_argument("--flows", action="store_true", help="also time the backfill flow")
    args = parser.parse_args()
    days = args.days
    apply_runtime_defaults()
    with (
        tempfile.TemporaryDirectory() as folder,
        open_warehouse(f"duckdb:///{Path(folder) / 'bench.duckdb'}") as warehouse,
        ScorerPool(ray_num_cpus=2) as pool,
    ):
        root = Path(folder)
        with timed("generate season"):
            season = generate_season()
        with timed("load raw tables"):
            for table, rows in season.tables().items():
                load_rows(warehouse, table, rows)
        with timed("build features, whole season"):
            build_features(warehouse, date(2025, 10, 21), date(2026, 4, 12))
        for model_id, model_type, version in DEMO_MODELS:
            with timed(f"train {model_type} ({version})"):
                train(
                    warehouse, model_type=model_type, feature_version=version,
                    train_end=WINDOW_START, model_id=model_id, models_dir=root, register=True,
                )  # fmt: skip
        specs = [m.spec for m in read_models(warehouse)]
        window = game_days(warehouse, WINDOW_START, days)
        rows_per_day = []
        for number, game_day in enumerate(window):
            with timed("build features, one day"):
                build_features(warehouse, game_day, game_day)
            batch = read_feature_batch(warehouse, game_day)
            slate = make_slate(batch, read_prop_players(warehouse, game_day)).rows
            stage = (
                "score 4 models, ray.init and cold actors"
                if number == 0
                else "score 4 models, warm actors"
            )
            with timed(stage):
                results = pool.score(specs, slate)
            rows, _ = collect_predictions(
                results, specs, slate, min_edge=0.0, run_ids={game_day: "bench"},
                now=datetime.now(UTC),
            )  # fmt: skip
            rows_per_day.append(rows.num_rows)
            with timed("write predictions"):
                write_predictions(warehouse, rows)
            with timed("grade one day"):
                grade_predictions(warehouse, game_day)
        with timed("query leaderboard view"):
            warehouse.query("select * from nba_predictions.v_ml_model_leaderboard")
        with timed("query head-to-head view"):
            warehouse.query("select * from nba_predictions.v_ml_model_head_to_head")
        if args.flows:
            from shadowline.flows.backfill import backfill

            with lend(warehouse=warehouse, scorers=pool):  # warm actors, as in a long backfill
                with timed("backfill flow, first day (starts Prefect)"):
                    backfill(start=window[0], end=window[0], warehouse=warehouse.url)
                with timed("backfill flow, all days (Prefect)"):
                    backfill(start=window[0], end=window[-1], warehouse=warehouse.url)
            timings["backfill flow, per day"] = [
                timings["backfill flow, all days (Prefect)"][0] / len(window)
            ]
    print(f"demo season, {days} game days, {statistics.mean(rows_per_day):.0f} predictions/day")
    print(f"{'stage':<44}{'runs':>5}{'median s':>10}{'max s':>8}")
    for stage, values in timings.items():
        print(f"{stage:<44}{len(values):>5}{statistics.median(values):>10.3f}{max(values):>8.3f}")


if __name__ == "__main__":
    main()
