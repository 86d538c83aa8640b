"""Decay alarms: is a model getting worse than it was, read every morning without crying wolf.

Each model is held to its own first REFERENCE_DAYS game days live (a model never live yet, such as
a backfilled one, to its first graded game days, and the row says so). Its last 14 game days'
mean daily MAE is compared with that reference, in standard errors of the day-to-day spread.
Read daily, a 2-standard-error rule would ring for a model that never changed in about a third
of seasons; DECAY_THRESHOLD is set so that a stationary model is called decaying in at most 5%
of seasons of HORIZON daily looks (tests/test_decay.py simulates it), and a 15% rise in MAE is
still found within three weeks of its start in 9 seasons of 10 (a 10% rise in about half).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa
from numpy.lib.stride_tricks import sliding_window_view

from shadowline.tasks.evaluation.comparisons import clustered_mean
from shadowline.tasks.evaluation.tiers import BREAK_EVEN_110
from shadowline.tasks.warehouse import Warehouse, sql_text
from shadowline.tasks.warehouse.schemas import arrow_schema

DECAY_TABLE = "nba_predictions.ml_model_decay"
DECAY_KEY = ("model_id", "game_date")
REFERENCE_DAYS = 14  # the model's first weeks live: what it is held to
WINDOW, SHORT_WINDOW = 14, 7
HORIZON = 200  # game days of daily looks the false-alarm rate holds over (a season and more)
DECAY_THRESHOLD = 3.1  # standard errors: <= 5% false alarms over HORIZON looks (simulated)
WATCH_THRESHOLD = 2.0  # standard errors on one look: worth a glance, not an alarm
DECAY_LEGEND = (
    "mae_7, mae_14: the last 7 and 14 graded game days' MAE (95% interval, game days as "
    f"clusters); reference_mae: the first {REFERENCE_DAYS} game days live (before any, the first "
    "graded: reference_source says live, backfill or mixed); test_mae: at training. state: "
    "decaying when mae_14 is above the reference by more than "
    f"{DECAY_THRESHOLD:g} standard errors (decay_z; at most 5% of seasons of daily looks at a "
    "model that never changed), watch when either window is 2+ above it or the last 14 days' "
    "hit rate is below break-even (52.4%) all through its interval, warming up for the first "
    f"{REFERENCE_DAYS + WINDOW} game days (live ones, once live)."
)


def _rolling_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of each trailing `window` along the last axis, NaN until a full window."""
    c = np.cumsum(x, axis=-1)
    shifted = np.concatenate([np.zeros_like(c[..., :window]), c[..., :-window]], axis=-1)
    out = (c - shifted) / window
    out[..., : window - 1] = np.nan
    return out


def decay_z(daily_mae: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """For each game day (last axis, in order), how far the trailing `window` days' mean daily
    MAE sits above the first REFERENCE_DAYS' mean, in standard errors; NaN until the window no
    longer overlaps the reference. The day-to-day spread is taken from successive differences
    (up to that day), which a change in level does not inflate: a decaying model's own decay
    does not hide it."""
    d = np.asarray(daily_mae, dtype=float)
    days = d.shape[-1]
    z = np.full(d.shape, np.nan)
    first = REFERENCE_DAYS + window - 1
    if days <= first:
        return z
    reference = d[..., :REFERENCE_DAYS].mean(axis=-1, keepdims=True)
    steps = np.cumsum(np.diff(d, axis=-1) ** 2, axis=-1)  # [t - 1]: the steps up to day t
    spread = np.sqrt(steps / np.arange(1, days) / 2)
    se = spread[..., first - 1 :] * np.sqrt(1 / window + 1 / REFERENCE_DAYS)
    with np.errstate(divide="ignore", invalid="ignore"):
        z[..., first:] = (_rolling_mean(d, window)[..., first:] - reference) / se
    return z


def _window_intervals(sums: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """The trailing WINDOW days' clustered mean, lower and upper bound for each day."""
    nan = np.full(sums.shape, np.nan)
    if len(sums) < WINDOW:
        return nan, nan.copy(), nan.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        interval = clustered_mean(
            sliding_window_view(sums, WINDOW), sliding_window_view(counts, WINDOW)
        )
    out = []
    for values in (interval.estimate, interval.lower, interval.upper):
        full = nan.copy()
        full[WINDOW - 1 :] = values
        out.append(full)
    return tuple(out)


def _window_rate(sums: np.ndarray, counts: np.ndarray, window: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return _rolling_mean(sums, window) / _rolling_mean(counts, window)


def state(z: float, z_short: float, hit_upper: float) -> tuple[str, str | None]:
    """The state and why, from the day's decay statistics."""
    if not np.isfinite(z):
        return "warming up", None
    if z > DECAY_THRESHOLD:
        return "decaying", f"MAE over the last {WINDOW} game days {z:.1f} standard errors above"
    if z > WATCH_THRESHOLD or (np.isfinite(z_short) and z_short > WATCH_THRESHOLD):
        worst = max(z, z_short if np.isfinite(z_short) else z)
        return "watch", f"MAE rising: {worst:.1f} standard errors above its first weeks"
    if np.isfinite(hit_upper) and hit_upper < BREAK_EVEN_110:
        return "watch", f"hit rate below break-even over the last {WINDOW} game days"
    return "ok", None


def _reference_source(live_rows: np.ndarray, rows_n: np.ndarray) -> str:
    """What the reference days' rows were: scored live, backfilled, or both."""
    live, total = live_rows[:REFERENCE_DAYS].sum(), rows_n[:REFERENCE_DAYS].sum()
    return "live" if live == total else "backfill" if live == 0 else "mixed"


def _held_to(
    errors: np.ndarray, rows_n: np.ndarray, live_rows: np.ndarray
) -> dict[str, np.ndarray]:
    """A series' decay statistics against its own first REFERENCE_DAYS, per day: z (14- and
    7-day windows), the reference MAE and what its rows were (None until the reference is)."""
    daily = errors / rows_n
    known = np.arange(len(errors)) + 1 >= REFERENCE_DAYS
    reference = errors[:REFERENCE_DAYS].sum() / rows_n[:REFERENCE_DAYS].sum()
    source = _reference_source(live_rows, rows_n)
    return {
        "z": decay_z(daily),
        "z_short": decay_z(daily, SHORT_WINDOW),
        "reference_mae": np.where(known, reference, np.nan),
        "reference_source": np.where(known, source, None).astype(object),
    }


def _regimes(
    errors: np.ndarray, rows_n: np.ndarray, live_rows: np.ndarray
) -> dict[str, np.ndarray]:
    """The statistics each day is held to. From its first live day on, a model is held to its
    first weeks live (warming up again until it has them): a backfill over old or
    training-period games is no yardstick for live decay. Before it, or never live, to its first
    graded days, and the row's reference_source says backfill."""
    held = _held_to(errors, rows_n, live_rows)
    first_live = int(np.argmax(live_rows > 0)) if (live_rows > 0).any() else 0
    if first_live:  # 0: never live, or live from the start (the same series)
        s = first_live
        for name, values in _held_to(errors[s:], rows_n[s:], live_rows[s:]).items():
            held[name][s:] = values
    return held


def _model_rows(days: list[dict[str, object]], now: datetime) -> list[dict[str, object]]:
    """One model's decay rows, its graded days in order."""
    rows_n, errors, decided, wins, live_rows = (
        np.array([d[name] for d in days], dtype=float)
        for name in ("graded_rows", "error_sum", "decided_bets", "wins", "live_rows")
    )
    mae_14, mae_lo, mae_hi = _window_intervals(errors, rows_n)
    hit_14, hit_lo, hit_hi = _window_intervals(wins, decided)
    mae_7, hit_7 = (
        _window_rate(errors, rows_n, SHORT_WINDOW),
        _window_rate(wins, decided, SHORT_WINDOW),
    )
    held = _regimes(errors, rows_n, live_rows)
    out = []
    for i, day in enumerate(days):
        z = held["z"][i]
        label, reason = state(z, held["z_short"][i], hit_hi[i])
        values = {
            "mae_7": mae_7[i], "mae_14": mae_14[i], "mae_14_lower": mae_lo[i],
            "mae_14_upper": mae_hi[i], "decay_z": z, "hit_rate_7": hit_7[i],
            "hit_rate_14": hit_14[i], "hit_14_lower": hit_lo[i], "hit_14_upper": hit_hi[i],
            "reference_mae": held["reference_mae"][i],
        }  # fmt: skip
        out.append(
            {
                "model_id": day["model_id"],
                "game_date": day["game_date"],
                "is_production": day["is_production"],
                "game_days": i + 1,
                "test_mae": day["test_mae"],
                "reference_source": held["reference_source"][i],
                **{k: float(v) if np.isfinite(v) else None for k, v in values.items()},
                "state": label,
                "reason": reason,
                "updated_at": now,
            }
        )
    return out


def by_model(rows: pa.Table) -> list[list[dict[str, object]]]:
    """Each model's rows, its game days in order."""
    models: dict[str, list[dict[str, object]]] = {}
    for r in rows.to_pylist():
        models.setdefault(r["model_id"], []).append(r)
    return [sorted(days, key=lambda r: r["game_date"]) for days in models.values()]


def decay_rows(results: pa.Table, now: datetime) -> pa.Table:
    """Every model's decay rows from its per-day results (sql/monitor/daily_model_results)."""
    rows = [row for days in by_model(results) for row in _model_rows(days, now)]
    return pa.Table.from_pylist(rows, schema=arrow_schema(DECAY_TABLE))


def update_decay(warehouse: Warehouse, now: datetime) -> pa.Table:
    """Recompute every watched model's decay rows from all graded days and write them; the rows
    written."""
    rows = decay_rows(warehouse.query(sql_text("monitor/daily_model_results")), now)
    warehouse.write(DECAY_TABLE, rows, replace_by=DECAY_KEY)
    return rows


def read_decay(warehouse: Warehouse) -> pa.Table:
    """Each watched model's latest decay row, production first."""
    return warehouse.query(sql_text("monitor/decay_latest"))


def turned(rows: pa.Table, to: str) -> list[dict[str, object]]:
    """Each model's row on its last day when its state turned `to` that day (decay or monitor
    rows): news once, on the day it happens, not every day after."""
    return [
        days[-1]
        for days in by_model(rows)
        if days[-1]["state"] == to and (len(days) < 2 or days[-2]["state"] != to)
    ]
