"""How far to trust each model's over probabilities (`tasks.evaluation.probabilities`): Brier
score, log loss and expected calibration error per model, a reliability table for the report's
plot, what its bets were promised against what they won, and its Brier score against
production's on the same player-games with an interval clustered by game day.

Read on live rows by default: a backfilled row's features may know news its probability's
pool did not, and a figure that mixes the two says so.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.evaluation.comparisons import clustered_mean
from shadowline.tasks.evaluation.probabilities import MIN_ROWS
from shadowline.tasks.evaluation.tiers import FAMILY_LEVEL, day_sums, holm
from shadowline.tasks.warehouse import Warehouse, sql_text

BINS = 10  # equal-width probability bins for the expected calibration error and the plot
_EPSILON = 1e-6  # a probability of exactly 0 or 1 that is wrong costs log(1e6), not infinity
CALIBRATION_COLUMNS = (
    "model_id", "brier", "brier_diff", "diff_low", "diff_high", "ece", "promised", "won", "verdict",
)  # fmt: skip
CALIBRATION_SCHEMA = pa.schema(
    [("model_id", pa.string())]
    + [(c, pa.int64()) for c in ("rows", "live_rows", "game_days")]
    + [(c, pa.float64()) for c in ("brier", "log_loss", "ece")]
    + [(c, pa.float64()) for c in ("brier_diff", "diff_low", "diff_high")]
    + [("p_value", pa.float64()), ("adjusted_p", pa.float64()), ("bets", pa.int64())]
    + [("promised", pa.float64()), ("won", pa.float64()), ("verdict", pa.string())]
)
CALIBRATION_LEGEND = (
    "rows: graded, decided rows with an over probability. brier = mean (probability - over "
    "won)^2 (0.25 is a coin's; lower is better), log_loss likewise; ece: expected calibration "
    "error, the mean gap between the probability and the over's win rate in ten bins. "
    "brier_diff: the model's Brier minus production's on the same player-games, with its 95% "
    "interval (diff_low to diff_high, game days as clusters); negative is better. promised: the "
    "mean win probability of the model's bets; won: their hit rate. verdict: better or worse "
    "(than production's Brier) when the evidence holds with every model read at once (Holm, "
    "family-wise 5%)."
)


def ece(probability: np.ndarray, outcome: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: over equal-width bins of the probability, the row-weighted
    mean of |mean probability - mean outcome| (the outcome may be a known true probability)."""
    p, y = np.asarray(probability, dtype=float), np.asarray(outcome, dtype=float)
    if len(p) == 0:
        return float("nan")
    at = np.minimum((p * bins).astype(int), bins - 1)
    gap = np.bincount(at, p, minlength=bins) - np.bincount(at, y, minlength=bins)
    return float(np.abs(gap).sum() / len(p))


def _scores(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    q = np.clip(p, _EPSILON, 1 - _EPSILON)
    return {
        "brier": float(((p - y) ** 2).mean()),
        "log_loss": float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).mean()),
        "ece": ece(p, y),
    }


def _arrays(rows: pa.Table) -> dict[str, np.ndarray]:
    columns = {c: rows[c].to_numpy(zero_copy_only=False) for c in rows.column_names}
    columns["over_won"] = columns["over_won"].astype(float)
    columns["player_game"] = np.char.add(
        rows["game_date"].cast(pa.string()).to_numpy(zero_copy_only=False).astype(str),
        rows["player_lookup"].to_numpy(zero_copy_only=False).astype(str),
    )
    return columns


def _against(c: dict[str, np.ndarray], at: np.ndarray, base: np.ndarray) -> dict[str, object]:
    """The rows `at` minus production's rows `base` in Brier, on the player-games both have."""
    shared, mine, theirs = np.intersect1d(
        c["player_game"][at], c["player_game"][base], return_indices=True
    )
    if len(shared) == 0:
        return {}
    i, j = at[mine], base[theirs]
    y = c["over_won"][i]
    difference = (c["over_probability"][i] - y) ** 2 - (c["over_probability"][j] - y) ** 2
    _, day = np.unique(c["game_date"][i], return_inverse=True)
    sums, counts = day_sums(day, difference, np.ones_like(difference))
    interval = clustered_mean(sums, counts)
    values = (interval.estimate, interval.lower, interval.upper, interval.p_value)
    names = ("brier_diff", "diff_low", "diff_high", "p_value")
    return {n: float(v) if np.isfinite(v) else None for n, v in zip(names, values, strict=True)}


def calibration(rows: pa.Table) -> pa.Table:
    """One row per model (rows of sql/reports/calibration_rows), production first."""
    c = _arrays(rows)
    models = list(dict.fromkeys(c["model_id"].tolist()))
    production = {m for m, is_p in zip(c["model_id"], c["is_production"], strict=True) if is_p}
    base = np.flatnonzero(np.isin(c["model_id"], list(production)))
    out: list[dict[str, object]] = []
    for model in sorted(models, key=lambda m: (m not in production, m)):
        at = np.flatnonzero(c["model_id"] == model)
        bet = c["bet"][at]
        on = np.flatnonzero(bet != None)  # noqa: E711  (an object array: None is no bet)
        p_over = c["over_probability"][at][on]
        promised = np.where(bet[on] == "OVER", p_over, 1 - p_over)
        row: dict[str, object] = {
            "model_id": model,
            "rows": len(at),
            "live_rows": int(c["is_live"][at].sum()),
            "game_days": len(np.unique(c["game_date"][at])),
            **_scores(c["over_probability"][at], c["over_won"][at]),
            "bets": len(on),
            "promised": float(promised.mean()) if len(on) else None,
            "won": float(c["bet_won"][at][on].astype(float).mean()) if len(on) else None,
        }
        if model not in production and len(base):
            row.update(_against(c, at, base))
        out.append(row)
    return _with_verdicts(out, production)


def _with_verdicts(rows: list[dict[str, object]], production: set[str]) -> pa.Table:
    tested = [r for r in rows if r.get("p_value") is not None]
    for r, p in zip(tested, holm(np.array([r["p_value"] for r in tested])), strict=True):
        r["adjusted_p"] = float(p)
    for r in rows:
        if r["model_id"] in production:
            r["verdict"] = "production"
        elif r.get("brier_diff") is None:
            r["verdict"] = "no shared rows" if production else "no production model"
        elif r.get("adjusted_p") is None:
            r["verdict"] = "too early"
        elif r["adjusted_p"] < FAMILY_LEVEL:
            better = r["brier_diff"] < 0  # type: ignore[operator]
            r["verdict"] = "better" if better else "worse"
        else:
            r["verdict"] = "not distinguishable"
    return pa.Table.from_pylist(rows, schema=CALIBRATION_SCHEMA)


def reliability(rows: pa.Table, bins: int = BINS) -> pa.Table:
    """Per model and probability bin: rows, the mean probability and the over's win rate with
    its 95% Wilson interval (the report's reliability plot)."""
    c = _arrays(rows)
    out = []
    z = 1.959964
    for model in dict.fromkeys(c["model_id"].tolist()):
        at = c["model_id"] == model
        p, y = c["over_probability"][at], c["over_won"][at]
        b = np.minimum((p * bins).astype(int), bins - 1)
        n = np.bincount(b, minlength=bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_p, rate = np.bincount(b, p, bins) / n, np.bincount(b, y, bins) / n
            centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
            half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        for k in np.flatnonzero(n):
            low, high = float(centre[k] - half[k]), float(centre[k] + half[k])
            out.append({"model_id": model, "bin": int(k), "rows": int(n[k]),
                        "probability": float(mean_p[k]), "over_rate": float(rate[k]),
                        "low": low, "high": high})  # fmt: skip
    return pa.Table.from_pylist(out)


def calibration_rows(
    warehouse: Warehouse,
    model: str | None = None,
    include_backfill: bool = False,
    start: date = date.min,
    end: date = date.max,
) -> tuple[pa.Table, bool]:
    """The rows `calibration` and `reliability` read, and whether backfilled rows are among them:
    live rows only unless `include_backfill`, or when there are none yet (the demo's, all
    scored after the games). No rows at all is an error naming the models that have some."""
    read, span = sql_text("reports/calibration_rows"), {"start": start, "end": end}
    for backfill in dict.fromkeys([include_backfill, True]):
        rows = warehouse.query(read, {"model": model or "", "include_backfill": backfill, **span})
        if rows.num_rows and (model is None or model in set(rows["model_id"].to_pylist())):
            return rows, backfill
    every = warehouse.query(read, {"model": "", "include_backfill": True, **span})
    have = sorted(set(every["model_id"].to_pylist()))
    raise ShadowlineError(
        f"no graded rows with an over probability{f' for {model}' if model else ''} "
        f"(models with some: {', '.join(have) or 'none yet'}; a model's probabilities start "
        f"once {MIN_ROWS} of its rows with a line are graded)"
    )
