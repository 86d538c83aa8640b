"""`make bench`'s stages with many models: the demo's registry cloned to 25 and 100 enabled
entries (the same files under new ids, as a team's challengers are versions of a few), a daily
run's time and peak memory beside the demo's own, a season backfill with 25, and the leaderboard
over 100 models' three seasons of predictions.

Imported by bench.py, which owns the demo warehouse and the reference scripts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench import Bench, Stage

CLONE = "_c"  # a clone's id: the demo model's, then _c and a number


def set_models(warehouse: Path, count: int) -> int:
    """Make the registry hold `count` enabled models (the demo's and clones of them, neither
    production nor baseline); 0: the demo's alone. The number of enabled models."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    try:
        registry = "nba_predictions.ml_model_registry"
        con.execute(f"delete from {registry} where contains(model_id, '{CLONE}')")
        [(base,)] = con.execute(f"select count(*) from {registry}").fetchall()
        extra = count - base
        if extra > 0:
            con.execute(
                f"""insert into {registry}
                select r.* replace (r.model_id || '{CLONE}' || lpad(cast(k as varchar), 3, '0')
                    as model_id, false as is_production, false as is_baseline)
                from {registry} as r, range({-(-extra // base)}) as t(k)
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
