"""`make bench`'s stages with many models: the demo's registry cloned to 25 and 100 enabled
entries (the same files under new ids, as a team's challengers are versions of a few), a daily
run's time and peak memory beside the demo's own, a season backfill with 25, and the leaderboard
over 100 models' three seasons of predictions.

Imported by bench.py, which owns the demo warehouse and the reference scripts.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench import Bench, Stage

CLONE = "_c"  # a clone's id: the demo model's, then _c and a number


def set_models(warehouse: Path, count: int) -> int:
    """Make the registry hold `count` enabled models (the enabled demo models and clones of
    them, neither production nor baseline); 0: the demo's alone. The number enabled."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    try:
        registry = "nba_predictions.ml_model_registry"
        con.execute(f"delete from {registry} where contains(model_id, '{CLONE}')")
        [(base,)] = con.execute(f"select count(*) from {registry} where enabled").fetchall()
        extra = count - base
        if extra > 0:
            con.execute(
                f"""insert into {registry}
                select r.* replace (r.model_id || '{CLONE}' || lpad(cast(k as varchar), 3, '0')
                    as model_id, false as is_production, false as is_baseline)
                from {registry} as r, range({-(-extra // base)}) as t(k)
                where r.enabled
                order by k, r.model_id
                limit {extra}"""
            )
        [(enabled,)] = con.execute(f"select count(*) from {registry} where enabled").fetchall()
        return enabled
    finally:
        con.close()


def daily(bench: Bench, counts: tuple[int, ...], day: date) -> list[Stage]:
    """`run --date D` with the demo's models and with `counts` models, interleaved; each count's
    time against the demo's (target: <= 3x at 100) and its peak memory (<= 2 GiB at 100)."""
    from bench import SHADOWLINE, peak_memory, say
    from bench import Stage as stage

    run = ["run", "--date", str(day)]
    base = stage(f"`run --date D`, the demo's {set_models(bench.warehouse, 0)} models", "")
    timed = {n: stage(f"`run --date D`, {n} models", "<= 3x" if n == 100 else "",
                      reference_name="the demo's models")  # fmt: skip
             for n in counts}  # fmt: skip
    memory = stage(f"peak memory of `run --date D`, {max(counts)} models", "<= 2 GiB",
                   reference_name="the demo's models", unit="GiB")  # fmt: skip
    for _ in range(bench.repeat):
        set_models(bench.warehouse, 0)
        base.ours.append(bench.shadowline(*run))
        for n, measured in timed.items():
            set_models(bench.warehouse, n)
            measured.ours.append(bench.shadowline(*run))
            measured.reference.append(base.ours[-1])
    set_models(bench.warehouse, 0)
    memory.reference.append(peak_memory([SHADOWLINE, *run], bench))
    set_models(bench.warehouse, max(counts))
    memory.ours.append(peak_memory([SHADOWLINE, *run], bench))
    set_models(bench.warehouse, 0)
    stages = [base, *timed.values(), memory]
    for s in stages:
        say(s.row())
    return stages


def backfill(bench: Bench, count: int, season: tuple[date, date]) -> Stage:
    """The whole season with `count` models from a cold start (no stack), once, against the
    bare set-based script over the same models; both write and grade the same rows."""
    from bench import Stage, say

    stage = Stage(f"backfill, whole season, {count} models, cold", "<= 60 s",
                  reference_name="bare set-based (process)")  # fmt: skip
    start, end = season
    set_models(bench.warehouse, count)
    try:
        bench.forget(start, end)
        stage.ours.append(bench.shadowline("backfill", "--start", str(start), "--end", str(end)))
        ours = bench.rows(start, end, graded=True)
        bench.forget(start, end)
        stage.reference.append(bench.bare("set", str(start), str(end)))
        if bench.rows(start, end, graded=True) != ours:
            raise SystemExit(f"{stage.name}: shadowline and the bare set-based script disagree")
    finally:
        set_models(bench.warehouse, 0)
    say(stage.row())
    return stage


def leaderboard(bench: Bench, count: int, season: tuple[date, date], seasons: int = 3) -> Stage:
    """`leaderboard` over `count` models' `seasons` seasons of graded predictions (each model
    given its demo model's graded season, and the seasons before it as copies a year apart),
    against a bare read of the leaderboard view; needs the season backfilled."""
    import duckdb
    from bench import Stage, say

    stage = Stage(f"`leaderboard`, {count} models x {seasons} seasons", "<= 5 s",
                  reference_name="bare view read (process)")  # fmt: skip
    set_models(bench.warehouse, count)
    con = duckdb.connect(str(bench.warehouse))
    table = "nba_predictions.ml_model_predictions"
    try:
        con.execute(
            f"""create temp table base as select * from {table}
            where game_date between $s and $e and not contains(model_id, '{CLONE}')""",
            {"s": season[0], "e": season[1]},
        )
        con.execute(f"delete from {table} where game_date between $s and $e",
                    {"s": season[0], "e": season[1]})  # fmt: skip
        con.execute(
            f"""insert into {table}
            select b.* replace (r.model_id as model_id,
                                b.prediction_id || '-' || r.model_id || '-' || k as prediction_id,
                                b.game_date - cast(364 * k as integer) as game_date)
            from nba_predictions.ml_model_registry as r
            join base as b on b.model_id = split_part(r.model_id, '{CLONE}', 1)
            cross join range({seasons}) as t(k)
            where r.enabled"""
        )
        [(rows,)] = con.execute(f"select count(*) from {table}").fetchall()
    finally:
        con.close()
    stage.note = f"{rows:,} predictions"
    query = "select * from nba_predictions.v_ml_model_leaderboard order by mae"
    reference = [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1], "
                 "read_only=True); con.execute('set enable_progress_bar = false'); "
                 "con.execute(sys.argv[2]).fetchall()",
                 str(bench.warehouse), query]  # fmt: skip
    for _ in range(bench.repeat):
        stage.ours.append(bench.shadowline("leaderboard"))
        started = time.perf_counter()
        subprocess.run(reference, check=True)
        stage.reference.append(time.perf_counter() - started)
    say(stage.row() + f" ({rows:,} predictions)")
    return stage
