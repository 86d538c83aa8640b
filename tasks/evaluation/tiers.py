"""Edge tiers: which bets make money, by how far the prediction was from the line and on which
side, with an interval that respects game days and a correction for reading many tiers at once.

A team reads a dozen tiers per model and acts on the best-looking one. At 5% each, one of 20
tiers with no edge looks "significant" about two times in three, so the verdicts hold the
family-wise error over every tier shown (Holm) at 5%, while each hit rate keeps its own 95%
interval to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError, UsageError
from shadowline.tasks.evaluation.comparisons import CONFIDENCE, clustered_mean
from shadowline.tasks.warehouse import Warehouse, sql_text

EDGES = (1.0, 2.0, 3.0, 5.0)  # tier bounds in points of |predicted - line|: 0-1, ..., 5+
BREAK_EVEN_110 = 110 / 210
FAMILY_LEVEL = 0.05  # the chance that any tier shown is called off break-even when none is
DIRECTIONS = ("OVER", "UNDER", "BOTH")
TIERS_COLUMNS = (
    "model_id", "edge_tier", "direction", "bets", "hit_rate", "hit_low", "hit_high",
    "break_even", "verdict",
)  # fmt: skip
_COUNTS = ("bets", "live_bets", "game_days", "wins", "losses", "pushes")
_RATES = (
    "hit_rate", "hit_low", "hit_high", "break_even", "roi", "roi_at_odds", "units", "p_value",
    "adjusted_p",
)  # fmt: skip
TIERS_SCHEMA = pa.schema(
    [("model_id", pa.string()), ("edge_tier", pa.string()), ("direction", pa.string())]
    + [(name, pa.int64()) for name in _COUNTS]
    + [(name, pa.float64()) for name in _RATES]
    + [("verdict", pa.string())]
)
TIERS_LEGEND = (
    "hit_rate = wins / (wins + losses), with its 95% interval (hit_low to hit_high, "
    "game days as clusters); break_even: the hit rate the prices taken need (-110: 52.4%); roi "
    "at -110 and roi_at_odds, units at the prices taken. verdict: above or below break-even when "
    "the evidence holds with every tier shown read at once (Holm, family-wise 5%), else not "
    "distinguishable (from break-even); too early: one game day."
)
TIERS_SUMMARY = (
    "Set apart from break-even, with all {tiers} tiers read at once (Holm, family-wise 5%): "
    "{found}; every other tier is not distinguishable from break-even."
)


def parse_edges(text: str | None) -> tuple[float, ...]:
    """`--edges 1,2,3,5` as increasing positive tier bounds."""
    if text is None:
        return EDGES
    try:
        edges = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"--edges {text!r}: give increasing points, e.g. 1,2,3,5") from None
    if not edges or edges[0] <= 0 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise UsageError(f"--edges {text!r}: give increasing positive points, e.g. 1,2,3,5")
    return edges


def tier_labels(edges: Sequence[float]) -> list[str]:
    bounds = [0.0, *edges]
    labels = [f"{a:g}-{b:g}" for a, b in zip(bounds, bounds[1:], strict=False)]
    return [*labels, f"{bounds[-1]:g}+"]


@dataclass(frozen=True)
class TierTest:
    """One tier's hit rate with its interval, and the test of "its bets break even"."""

    hit_rate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    excess: np.ndarray  # hit rate minus the prices' break-even, per decided bet
    p_value: np.ndarray  # two-sided, of "excess = 0"


def tier_test(
    day_wins: np.ndarray, day_decided: np.ndarray, day_break_even: np.ndarray
) -> TierTest:
    """From each game day's wins, decided bets (wins + losses) and the sum of those bets'
    break-even probabilities (last axis: days; any leading axes, e.g. simulated seasons).

    The hit rate is a ratio of two day totals, so its interval is the clustered mean of wins per
    decided bet. The test of break-even is the score test clustered by day: under "these bets
    break even" each day's won - break_even sums to zero on average, so the variance is taken
    about zero rather than about the estimate. Each bet keeps its own price, and with a few bets
    a day its size stays at the level where the t-test on the estimate's residuals runs 10-30%
    over it in the tail Holm reads (tests/test_tiers.py)."""
    from scipy import stats

    rate = clustered_mean(day_wins, day_decided, CONFIDENCE)
    surplus = np.asarray(day_wins, dtype=float) - day_break_even
    decided = np.asarray(day_decided, dtype=float).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = surplus.sum(axis=-1) / np.sqrt((surplus**2).sum(axis=-1))
        excess = surplus.sum(axis=-1) / decided
    days = surplus.shape[-1]
    if days < 2:
        p_value = np.full_like(excess, np.nan)
    else:  # Student's t with days - 1 degrees of freedom: a few weeks of days are few clusters
        p_value = np.where(np.isfinite(z), 2 * stats.t.sf(np.abs(z), days - 1), np.nan)
    # a rate: the interval stops at 0% and 100% (only a few bets' intervals reach them)
    lower, upper = np.clip(rate.lower, 0.0, 1.0), np.clip(rate.upper, 0.0, 1.0)
    return TierTest(rate.estimate, lower, upper, excess, p_value)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values over the last axis (reject where < the family-wise
    level): the k-th smallest is multiplied by (m - k + 1), then made non-decreasing. Vectorised
    here, as statsmodels' multipletests (which the tests check it against) takes 30 ms a family."""
    p = np.asarray(p_values, dtype=float)
    m = p.shape[-1]
    if m == 0:
        return p
    order = np.argsort(p, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1) * np.arange(m, 0, -1)
    adjusted = np.minimum(np.maximum.accumulate(ranked, axis=-1), 1.0)
    out = np.empty_like(adjusted)
    np.put_along_axis(out, order, adjusted, axis=-1)
    return out


def verdict(adjusted_p: float, excess: float, days: int) -> str:
    if days < 2:
        return "too early"
    if np.isfinite(adjusted_p) and adjusted_p < FAMILY_LEVEL:
        return "above break-even" if excess > 0 else "below break-even"
    return "not distinguishable"


def _groups(bets: pa.Table, edges: Sequence[float]) -> dict[tuple[str, int, str], np.ndarray]:
    """Row indices of each (model, tier index, direction) with bets; BOTH holds both sides."""
    tier = np.searchsorted(np.asarray(edges), bets["edge"].to_numpy(), side="right")
    models = bets["model_id"].to_pylist()
    sides = bets["direction"].to_pylist()
    groups: dict[tuple[str, int, str], list[int]] = {}
    for i, (model, side, t) in enumerate(zip(models, sides, tier.tolist(), strict=True)):
        groups.setdefault((model, t, side), []).append(i)
        groups.setdefault((model, t, "BOTH"), []).append(i)
    order = {d: i for i, d in enumerate(DIRECTIONS)}
    keys = sorted(groups, key=lambda k: (k[0], order[k[2]], k[1]))
    return {k: np.asarray(groups[k]) for k in keys}


def day_sums(day: np.ndarray, *values: np.ndarray) -> list[np.ndarray]:
    days = int(day.max()) + 1 if len(day) else 0
    return [np.bincount(day, v, minlength=days) for v in values]


def tiers(bets: pa.Table, edges: Sequence[float] = EDGES) -> pa.Table:
    """One row per model, edge tier and direction that has bets (rows of sql/reports/tier_bets)."""
    labels = tier_labels(edges)
    outcome = np.asarray(bets["bet_outcome"].to_pylist(), dtype=object)
    won = (outcome == "WIN").astype(float)
    decided = (outcome != "PUSH").astype(float)
    break_even = bets["break_even"].to_numpy() * decided
    units_110 = bets["units_at_110"].to_numpy()
    live = bets["is_live"].to_numpy(zero_copy_only=False).astype(bool)
    profit = bets["profit_units"].to_numpy(zero_copy_only=False).astype(float)
    dates = bets["game_date"].to_numpy()
    rows: list[dict[str, object]] = []
    for (model, t, side), at in _groups(bets, edges).items():
        _, day = np.unique(dates[at], return_inverse=True)
        wins, n, be = day_sums(day, won[at], decided[at], break_even[at])
        test = tier_test(wins, n, be)
        priced = profit[at][~np.isnan(profit[at])]
        rows.append(
            {
                "model_id": model,
                "edge_tier": labels[t],
                "direction": side,
                "bets": len(at),
                "live_bets": int(live[at].sum()),
                "game_days": len(wins),
                "wins": int(wins.sum()),
                "losses": int(n.sum() - wins.sum()),
                "pushes": int(len(at) - n.sum()),
                "hit_rate": _finite(test.hit_rate),
                "hit_low": _finite(test.lower),
                "hit_high": _finite(test.upper),
                "break_even": _finite(be.sum() / n.sum()) if n.sum() else None,
                "roi": float(units_110[at].mean()),
                "roi_at_odds": float(priced.mean()) if len(priced) else None,
                "units": float(priced.sum()),
                "p_value": _finite(test.p_value),
                "excess": _finite(test.excess),
            }
        )
    return _with_verdicts(rows)


def _finite(value: np.ndarray | float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def adjust(rows: list[dict[str, object]]) -> None:
    """Each row's `adjusted_p`: Holm over every row with a `p_value` (None for the others)."""
    tested = [r for r in rows if r["p_value"] is not None]
    adjusted = holm(np.array([r["p_value"] for r in tested], dtype=float)).tolist()
    for r in rows:
        r["adjusted_p"] = None
    for r, p in zip(tested, adjusted, strict=True):
        r["adjusted_p"] = p


def _with_verdicts(rows: list[dict[str, object]]) -> pa.Table:
    """Holm over every tier tested: BOTH rows too, since they are read as well."""
    adjust(rows)
    for r in rows:
        p = r["adjusted_p"] if r["adjusted_p"] is not None else float("nan")
        r["verdict"] = verdict(p, r["excess"] or 0.0, int(r["game_days"]))
        del r["excess"]
    return pa.Table.from_pylist(rows, schema=TIERS_SCHEMA)


def read_tiers(
    warehouse: Warehouse,
    model: str | None = None,
    edges: Sequence[float] = EDGES,
    start: date = date.min,
    end: date = date.max,
) -> pa.Table:
    """The tiers of `model`'s bets (every model's by default) on game dates `start`..`end`; a
    model without graded bets is an error naming the models that have some."""
    span = {"start": start, "end": end}
    bets = warehouse.query(sql_text("reports/tier_bets"), {"model": model or "", **span})
    if model and bets.num_rows == 0:
        graded = warehouse.query(sql_text("reports/tier_bets"), {"model": "", **span})["model_id"]
        have = ", ".join(sorted(set(graded.to_pylist()))) or "none yet"
        raise ShadowlineError(f"no graded bets for {model} (models with graded bets: {have})")
    return tiers(bets, edges)
