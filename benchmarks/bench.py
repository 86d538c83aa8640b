"""`make bench`: shadowline's time per stage beside a bare script doing the same useful work.

On a fresh demo warehouse in a temporary folder, each stage runs shadowline and its reference
(benchmarks/bare.py, or the libraries' own predict) interleaved, several times, checks that both
produce the same predictions, and prints the minimum and median of each and the ratio of the
medians. Whole processes are timed, as a user or a scheduler runs them.

    .venv/bin/python benchmarks/bench.py [--repeat 3] [--rows 1000000] [--only scoring ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
SHADOWLINE = str(Path(sys.executable).with_name("shadowline"))
SEASON = (date(2025, 10, 21), date(2026, 4, 12))  # the demo's current season
DAY = date(2025, 10, 24)  # a game day after the demo's two-day window
COMPARED = "model_id, player_lookup, game_date, predicted_points, recommendation, bet_odds"
GRADED = ", actual_points, prediction_error, bet_outcome, beat_vegas, profit_units"


NEWS_MODEL = "lightgbm_v3"
STAGES = ["daily", "memory", "backfill", "stack", "scoring", "many"]


@dataclass
class Stage:
    name: str
    target: str
    ours: list[float] = field(default_factory=list)
    reference: list[float] = field(default_factory=list)
    reference_name: str = ""
    unit: str = "s"
    note: str = ""

    def row(self) -> str:
        def cell(values: list[float]) -> str:
            if not values:
                return "-"
            return f"{min(values):.2f} / {statistics.median(values):.2f}"

        ratio = (
            f"{statistics.median(self.ours) / statistics.median(self.reference):.2f}x"
            if self.ours and self.reference
            else "-"
        )
        return (
            f"| {self.name} | {cell(self.ours)} | {self.reference_name} | "
            f"{cell(self.reference)} | {ratio} | {self.target} |"
        )


class Bench:
    def __init__(self, folder: Path, repeat: int) -> None:
        self.folder = folder
        self.repeat = repeat
        self.warehouse = folder / ".shadowline" / "warehouse.duckdb"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SHADOWLINE_", "PREFECT_", "RAY_"))
        }
        self.env |= {
            "PREFECT_HOME": str(folder / "prefect-home"),  # a private Prefect database
            "SHADOWLINE_RAY_NUM_CPUS": "2",
        }
        self.sql_file = folder / "sql.json"

    # -- running things ---------------------------------------------------------------------

    def shadowline(self, *args: str, check: bool = True) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            [SHADOWLINE, *args], cwd=self.folder, env=self.env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        if check and done.returncode != 0:
            raise SystemExit(f"shadowline {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return seconds

    def bare(self, *args: str) -> float:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "bare.py"), args[0], str(self.warehouse),
             str(self.sql_file), *args[1:]],
            cwd=self.folder, env=self.env, check=True,
        )  # fmt: skip
        return time.perf_counter() - started

    def rows(self, start: date, end: date, graded: bool = False) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(
                f"select {COMPARED}{GRADED if graded else ''} from nba_predictions."
                "ml_model_predictions where game_date between $s and $e "
                "order by model_id, game_date, player_lookup",
                {"s": start, "e": end},
            ).fetchall()
        finally:
            con.close()

    def forget(self, start: date, end: date) -> None:
        import duckdb

        con = duckdb.connect(str(self.warehouse))
        con.execute(
            "delete from nba_predictions.ml_model_predictions where game_date between $s and $e",
            {"s": start, "e": end},
        )
        con.close()

    # -- set-up -------------------------------------------------------------------------------

    def prepare(self) -> None:
        say("setting up: `shadowline demo --days 2` in a temporary folder ...")
        self.shadowline("demo", "--days", "2")
        # the bare scripts read the feature store only, not a team's feature source (the news
        # feed lightgbm_v3 reads): both sides score the four models of the shipped sets
        self.shadowline("registry", "disable", NEWS_MODEL)
        self.export_sql()

    def export_sql(self) -> None:
        """shadowline's statements rendered for DuckDB, for the bare scripts."""
        from shadowline.tasks.core.settings import Settings
        from shadowline.tasks.features.sets import SHIPPED_SETS
        from shadowline.tasks.features.store import FEATURE_STORE
        from shadowline.tasks.warehouse import sql_text
        from shadowline.tasks.warehouse.base import transpile
        from shadowline.tasks.warehouse.schemas import arrow_schema

        def rendered(name: str, **identifiers: object) -> list[dict]:
            statements = transpile(sql_text(name, **identifiers), "duckdb")  # type: ignore[arg-type]
            return [
                {"sql": s.sql, "params": list(s.params), "is_query": s.is_query} for s in statements
            ]

        columns = arrow_schema(FEATURE_STORE).names
        self.sql_file.write_text(
            json.dumps(
                {
                    "session": rendered("warehouse/utc_session"),
                    "build_features": rendered("features/build_feature_store", columns=columns),
                    "feature_batch": rendered("features/feature_batch"),
                    "grade": rendered("grading/grade_predictions"),
                    "feature_sets": {k: list(v) for k, v in SHIPPED_SETS.items()},
                    "constants": Settings().line_cutoff.params(),
                }
            )
        )

    # -- stages -------------------------------------------------------------------------------

    def interleave(
        self, stage: Stage, ours: Callable[[], float], reference: Callable[[], float],
        check: Callable[[], object] | None = None, repeat: int | None = None,
    ) -> Stage:  # fmt: skip
        for _ in range(repeat or self.repeat):
            stage.ours.append(ours())
            mine = check() if check else None
            stage.reference.append(reference())
            if check and check() != mine:
                raise SystemExit(f"{stage.name}: shadowline and the reference disagree")
        say(stage.row())
        return stage

    def daily(self, name: str, target: str) -> Stage:
        return self.interleave(
            Stage(name, target, reference_name="bare daily script (process)"),
            lambda: self.shadowline("run", "--date", str(DAY)),
            lambda: self.bare("daily", str(DAY)),
            check=lambda: self.rows(DAY, DAY),
        )

    def grade(self, target: str) -> Stage:
        return self.interleave(
            Stage("`grade --date D`, stack up", target, reference_name="bare MERGE (process)"),
            lambda: self.shadowline("grade", "--date", str(DAY)),
            lambda: self.bare("grade", str(DAY)),
            check=lambda: self.rows(DAY, DAY, graded=True),
        )

    def backfill(self) -> list[Stage]:
        """The whole season from a cold start (no stack), against a bare loop over its dates
        and a bare set-based script; every run writes and grades the same rows."""
        start, end = SEASON
        name = "backfill, whole season (166 dates), cold"
        loop = Stage(name, "<= 30 s", reference_name="bare date by date (process)")
        sets = Stage(name, "", reference_name="bare set-based (process)", ours=loop.ours)

        def timed(run: Callable[[], float]) -> tuple[float, list[tuple]]:
            self.forget(start, end)
            seconds = run()
            return seconds, self.rows(start, end, graded=True)

        for _ in range(2):
            seconds, ours = timed(
                lambda: self.shadowline("backfill", "--start", str(start), "--end", str(end))
            )
            loop.ours.append(seconds)
            for stage, kind in ((loop, "loop"), (sets, "set")):
                seconds, theirs = timed(lambda kind=kind: self.bare(kind, str(start), str(end)))
                stage.reference.append(seconds)
                if theirs != ours:
                    raise SystemExit(f"{name}: shadowline and the bare {kind} script disagree")
        say(loop.row())
        say(sets.row())
        return [loop, sets]

    def memory(self, name: str) -> Stage:
        stage = Stage(name, "<= 1.5 GiB", reference_name="bare daily script", unit="GiB")
        for _ in range(2):
            stage.ours.append(peak_memory([SHADOWLINE, "run", "--date", str(DAY)], self))
            stage.reference.append(
                peak_memory(
                    [
                        sys.executable,
                        str(HERE / "bare.py"),
                        "daily",
                        str(self.warehouse),
                        str(self.sql_file),
                        str(DAY),
                    ],
                    self,
                )  # fmt: skip
            )
        say(stage.row())
        return stage

    def scoring(self, rows: int) -> Stage:
        """Warm actors on a big batch of feature rows (Arrow, as the warehouse returns them)
        against a bare script that turns them into each feature set's matrix once and calls
        each library's own predict with 2 threads."""
        from shadowline.tasks.features.store import read_feature_batch
        from shadowline.tasks.models.files import feature_matrix
        from shadowline.tasks.registry.entries import read_models
        from shadowline.tasks.scoring.pool import ScorerPool
        from shadowline.tasks.warehouse import open_warehouse

        os.chdir(self.folder)  # model paths in the registry are relative to it
        with open_warehouse(f"duckdb:///{self.warehouse}") as warehouse:
            specs = [m.spec for m in read_models(warehouse)]
            season = read_feature_batch(warehouse, *SEASON)
        copies = -(-rows // season.num_rows)
        big = pa.concat_tables([season] * copies).slice(0, rows)
        natives = {spec.model_id: native_predict(spec) for spec in specs}
        stage = Stage(
            f"scoring {rows:,} rows x {len(specs)} models, warm actors", "<= 1.0x",
            reference_name="native predict, 2 threads",
        )  # fmt: skip
        os.environ["RAY_AUTH_MODE"] = "disabled"
        os.environ.pop("RAY_ADDRESS", None)
        scored: dict[str, np.ndarray] = {}
        native: dict[str, np.ndarray] = {}
        with ScorerPool(ray_num_cpus=2) as pool:
            pool.score(specs, big.slice(0, 100))  # load every model

            def ours() -> float:
                started = time.perf_counter()
                for result in pool.score(specs, big):
                    assert result.predictions is not None, result.error
                    scored[result.model_id] = result.predictions["predicted_points"].to_numpy()
                return time.perf_counter() - started

            def reference() -> float:
                started = time.perf_counter()
                matrices: dict[tuple[str, ...], np.ndarray] = {}
                for spec in specs:
                    names = spec.expected_features()
                    if names not in matrices:
                        matrices[names] = feature_matrix(big, names)
                    native[spec.model_id] = natives[spec.model_id](matrices[names])
                return time.perf_counter() - started

            self.interleave(stage, ours, reference)
        for model_id, values in scored.items():
            if not np.array_equal(values, np.clip(native[model_id], 0, 70)):
                raise SystemExit(f"{model_id}: actors and native predict disagree")
        return stage


def native_predict(spec: object) -> Callable[[np.ndarray], np.ndarray]:
    """The library's own predict with 2 threads, for one registered model."""
    from bare import load  # benchmarks/bare.py, beside this file

    return load(spec.model_type, spec.model_path, threads=2)  # type: ignore[attr-defined]


def peak_memory(command: list[str], bench: Bench) -> float:
    """Peak of the summed proportional set size (PSS: shared pages split between the processes
    that share them) of a command and every process it starts, in GiB."""
    import psutil

    process = subprocess.Popen(
        command, cwd=bench.folder, env=bench.env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    root = psutil.Process(process.pid)
    seen: dict[int, psutil.Process] = {}
    peak = 0.0
    while process.poll() is None:
        try:
            for child in [root, *root.children(recursive=True)]:
                seen.setdefault(child.pid, child)
        except psutil.Error:
            pass
        total = 0
        for proc in list(seen.values()):
            try:
                total += proc.memory_full_info().pss
            except psutil.Error:
                seen.pop(proc.pid, None)
        peak = max(peak, total / 1024**3)
        time.sleep(0.1)
    return peak


def say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side per stage")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for the scoring stage")
    parser.add_argument(
        "--only", nargs="+", choices=STAGES, default=STAGES, metavar="STAGE",
        help=f"run only these stages ({', '.join(STAGES)}); default: all",
    )  # fmt: skip
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="shadowline-bench-"))
    bench = Bench(folder, args.repeat)
    stages: list[Stage] = []
    stack_up = False
    try:
        bench.prepare()
        say("")
        say("| stage | shadowline min / median | reference | min / median | ratio | target |")
        say("|---|---|---|---|---|---|")
        if "daily" in args.only:
            stages.append(bench.daily("`run --date D`, no local stack", "<= 10x"))
        if "memory" in args.only:
            stages.append(bench.memory("peak memory of `run --date D`, no stack"))
        if "backfill" in args.only:
            stages += bench.backfill()
        if "stack" in args.only:
            bench.shadowline("server", "start")
            stack_up = True
            bench.shadowline("run", "--date", str(DAY))  # the stack's actors load once
            stages.append(bench.daily("`run --date D`, stack up (warm actors)", "<= 4x"))
            stages.append(bench.grade("<= 15x"))
            bench.shadowline("server", "stop")
            stack_up = False
        if "scoring" in args.only:
            stages.append(bench.scoring(args.rows))
        if "many" in args.only:
            import many  # benchmarks/many.py, beside this file

            stages += many.daily(bench, (25, 100), DAY)
            stages.append(many.backfill(bench, 25, SEASON))
            stages.append(many.leaderboard(bench, 100, SEASON))
    finally:
        if stack_up:
            bench.shadowline("server", "stop", check=False)
        shutil.rmtree(folder, ignore_errors=True)
    say("")
    say(f"2 runs of each side per backfill stage, {args.repeat} of the others; interleaved.")
    say("Whole processes are timed (start-up included); the scoring stage is in-process.")


if __name__ == "__main__":
    main()
