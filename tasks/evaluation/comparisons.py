"""Comparisons a team can trust: two models on the rows both graded, with an interval that
respects game days, and the set of models tied for best.

Rows of one game day are not independent: a night's pace, its blowouts and its late line moves
push every model's errors the same way. Every interval here treats the game day as the unit of
evidence, so two weeks of games count as 14 observations, not as 2,000.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shadowline.tasks.warehouse import Warehouse, sql_text

CONFIDENCE = 0.95
DETECTABLE = 0.1  # points: the difference "game days to detect" is quoted for
POWER = 0.8  # the chance of detecting it, for that estimate
BEST_SET_SIZE = 0.10  # the Model Confidence Set keeps the best models with 90% confidence
# The bootstrap resamples whole game days (a day's rows stay together, as one block of the
# losses); consecutive days share no games, so blocks are one day long.
BEST_SET_BLOCK = 1
BEST_SET_REPS = 1000


@dataclass(frozen=True)
class Interval:
    """A mean with its standard error, a confidence interval and the two-sided p-value of
    "the true mean is 0". Fields are arrays when the input had a leading (simulation) axis."""

    estimate: np.ndarray
    se: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    p_value: np.ndarray


def clustered_mean(
    day_sums: np.ndarray, day_counts: np.ndarray, confidence: float = CONFIDENCE
) -> Interval:
    """The mean of all rows, which come in game days (last axis: days; `day_sums[d]` is the sum
    of day d's rows), with an interval that allows any correlation between rows of one day.

    Why cluster-robust standard errors by game date (rather than a test on per-day means or a
    block bootstrap): the estimate stays the plain row mean, the very number the views print as
    `mae_difference`, and each day's residuals are summed before they are squared, so a night's
    shared shock counts once per day, not once per row. The CR1 factor G/(G-1) and Student's t
    with G-1 degrees of freedom keep the coverage near nominal with two weeks of days (Cameron
    & Miller 2015, "A practitioner's guide to cluster-robust inference"). Closed form, so the
    simulations run it on thousands of seasons at once. Needs at least 2 days (NaN otherwise).
    """
    sums = np.asarray(day_sums, dtype=float)
    counts = np.asarray(day_counts, dtype=float)
    days = sums.shape[-1]
    total = counts.sum(axis=-1)
    estimate = sums.sum(axis=-1) / total
    if days < 2:
        nan = np.full_like(estimate, np.nan)
        return Interval(estimate, nan, nan, nan, nan)
    residuals = sums - counts * estimate[..., None]
    variance = days / (days - 1) * (residuals**2).sum(axis=-1) / total**2
    se = np.sqrt(variance)
    from scipy import stats  # here: scipy's import is slow, and most commands never need it

    half = stats.t.ppf(0.5 + confidence / 2, days - 1) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(estimate / se), days - 1)
    # A zero difference on every row: no evidence of a difference, not p = NaN.
    p_value = np.where(se > 0, p_value, np.where(estimate == 0, 1.0, 0.0))
    return Interval(estimate, se, estimate - half, estimate + half, p_value)


def game_days_to_detect(se: float, days: int, difference: float = DETECTABLE) -> int | None:
    """About how many more game days, at the current day-to-day spread, until a true difference
    of `difference` points would be detected (two-sided 95%, power 80%)."""
    if not math.isfinite(se) or se <= 0 or days < 2:
        return None
    from scipy import stats

    per_day_sd = se * math.sqrt(days)
    z = stats.norm.ppf(0.5 + CONFIDENCE / 2) + stats.norm.ppf(POWER)
    needed = (z * per_day_sd / difference) ** 2
    return max(1, math.ceil(needed - days))


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


@dataclass(frozen=True)
class PairComparison:
    """Two models on the rows both graded. `difference` = model_a's MAE - model_b's, the pair
    in the order it was asked for."""

    model_a: str
    model_b: str
    shared_rows: int
    game_days: int
    model_a_mae: float
    model_b_mae: float
    difference: float
    ci_lower: float
    ci_upper: float
    p_value: float
    model_a_wins: int
    model_b_wins: int
    ties: int
    sign_test_p: float
    days_to_detect: int | None

    @property
    def detected(self) -> bool:
        return self.p_value < 1 - CONFIDENCE

    def verdict(self) -> str:
        """One line in words: who is better and by how much, or that it is too early to say."""
        plural = "s" if self.game_days != 1 else ""
        counts = f"{self.game_days} game day{plural}, {self.shared_rows:,} shared rows"
        if self.game_days < 2:
            return (
                f"too early to tell: {counts}; the interval needs at least 2 game days "
                "(rows of one night share its pace and blowouts)"
            )
        # State the gap as the lower-MAE model's advantage, with its interval.
        if self.difference <= 0:
            lower, gap, lo, hi = self.model_a, -self.difference, -self.ci_upper, -self.ci_lower
        else:
            lower, gap, lo, hi = self.model_b, self.difference, self.ci_lower, self.ci_upper
        numbers = f"95% CI {lo:.2f} to {hi:.2f}, {_p(self.p_value)}, {counts}"
        if self.detected:
            return f"{lower} has {gap:.2f} lower MAE ({numbers})"
        text = f"no detectable difference yet: {lower} {gap:.2f} lower MAE ({numbers})"
        # Once the interval rules out a DETECTABLE gap, waiting for one says nothing.
        if self.days_to_detect is not None and hi >= DETECTABLE:
            more = (
                "1 more game day"
                if self.days_to_detect == 1
                else f"{self.days_to_detect:,} more game days"
            )
            text += f"; at this rate about {more} would detect a {DETECTABLE:g}-point difference"
        return text

    def lines(self) -> list[str]:
        """The statistics under the head-to-head table."""
        return [
            f"mae_difference ({self.model_a} - {self.model_b}): {self.difference:+.3f}, 95% CI "
            f"{self.ci_lower:+.3f} to {self.ci_upper:+.3f}, {_p(self.p_value)} "
            f"(game days as clusters: {self.game_days})",
            f"sign test: {self.model_a} closer on {self.model_a_wins:,} rows, {self.model_b} on "
            f"{self.model_b_wins:,}, {self.ties:,} ties: {_p(self.sign_test_p)} "
            "(rows taken as independent)",
            self.verdict(),
        ]

    def as_row(self) -> dict[str, object]:
        return {
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "p_value": self.p_value,
            "sign_test_p": self.sign_test_p,
            "verdict": self.verdict(),
        }


def compare(paired: pa.Table, model_a: str, model_b: str) -> PairComparison:
    """The comparison from paired rows (`game_date`, `error_a`, `error_b`)."""
    from scipy import stats

    error_a = paired["error_a"].to_numpy()
    error_b = paired["error_b"].to_numpy()
    _, day = np.unique(paired["game_date"].to_numpy(), return_inverse=True)
    difference = error_a - error_b
    interval = clustered_mean(np.bincount(day, difference), np.bincount(day))
    a_wins = int((error_a < error_b).sum())
    b_wins = int((error_b < error_a).sum())
    decided = a_wins + b_wins
    sign_p = stats.binomtest(a_wins, decided, 0.5).pvalue if decided else 1.0
    days = int(day.max()) + 1
    return PairComparison(
        model_a=model_a,
        model_b=model_b,
        shared_rows=len(difference),
        game_days=days,
        model_a_mae=float(error_a.mean()),
        model_b_mae=float(error_b.mean()),
        difference=float(interval.estimate),
        ci_lower=float(interval.lower),
        ci_upper=float(interval.upper),
        p_value=float(interval.p_value),
        model_a_wins=a_wins,
        model_b_wins=b_wins,
        ties=len(difference) - decided,
        sign_test_p=float(sign_p),
        days_to_detect=game_days_to_detect(float(interval.se), days),
    )


def compare_models(warehouse: Warehouse, model_x: str, model_y: str) -> PairComparison | None:
    """Two models on the rows both graded, model_x first (as `head-to-head X Y` names them);
    None when they share no graded row."""
    paired = warehouse.query(sql_text("reports/paired_errors"), {"a": model_x, "b": model_y})
    if paired.num_rows == 0:
        return None
    return compare(paired, model_x, model_y)


def confidence_set(
    day_losses: np.ndarray,
    size: float = BEST_SET_SIZE,
    seed: int = 0,
    reps: int = BEST_SET_REPS,
) -> np.ndarray:
    """Which models (columns of `day_losses`, rows = game days) the Model Confidence Set keeps
    (Hansen, Lunde & Nason 2011): the set holds the truly best models with probability
    1 - `size`. Each row of `day_losses` is a game day's mean loss on the shared rows, so the
    bootstrap resamples whole game days. Fixed seed: the same data gives the same set on every
    read. The T_max statistic (each model's mean loss against the set's average): the range
    statistic compares every pair, and took 6 s for 100 models against T_max's 0.3 s."""
    from arch.bootstrap import MCS

    models = day_losses.shape[1]
    if models == 1:
        return np.ones(1, dtype=bool)
    mcs = MCS(
        day_losses,
        size=size,
        reps=reps,
        block_size=BEST_SET_BLOCK,
        method="max",
        bootstrap="stationary",
        seed=seed,
    )
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # Two models with identical losses on every day have a zero-variance difference.
        warnings.simplefilter("ignore", RuntimeWarning)
        mcs.compute()
    kept = np.zeros(models, dtype=bool)
    kept[list(mcs.included)] = True
    return kept


@dataclass(frozen=True)
class BestSet:
    """The models tied for best, on the rows every compared model graded."""

    compared: tuple[str, ...]
    kept: tuple[str, ...]
    shared_rows: int
    game_days: int

    def describe(self) -> str:
        if len(self.compared) < 2:
            return "best set: needs two models with graded predictions"
        if not self.kept:
            return (
                f"best set: not computed: the {len(self.compared)} models share "
                f"{self.shared_rows:,} graded rows on {self.game_days} game days (needs 2+ days)"
            )
        return (
            f"best_set = yes: the models tied for best ({1 - BEST_SET_SIZE:.0%} Model Confidence "
            f"Set, game days resampled) on the {self.shared_rows:,} rows over {self.game_days} "
            "game days that every model on the board graded"
        )


def best_set(warehouse: Warehouse, models: Sequence[str]) -> BestSet:
    """The Model Confidence Set over `models`, on the rows all of them graded."""
    compared = tuple(sorted(models))
    if len(compared) < 2:
        return BestSet(compared, compared, 0, 0)
    daily = warehouse.query(
        sql_text("reports/shared_daily_errors"),
        {"models": list(compared), "model_count": len(compared)},
    )
    dates = sorted(set(daily["game_date"].to_pylist()))
    losses = np.full((len(dates), len(compared)), np.nan)
    rows_per_day: dict[object, int] = {}
    at_date = {d: i for i, d in enumerate(dates)}
    at_model = {m: j for j, m in enumerate(compared)}
    for row in daily.to_pylist():
        losses[at_date[row["game_date"]], at_model[row["model_id"]]] = row["mae"]
        rows_per_day[row["game_date"]] = row["shared_rows"]
    shared = sum(rows_per_day.values())
    if len(dates) < 2:
        return BestSet(compared, (), shared, len(dates))
    kept = confidence_set(losses)
    return BestSet(
        compared, tuple(m for m, k in zip(compared, kept, strict=True) if k), shared, len(dates)
    )
