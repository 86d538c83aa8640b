"""The comparison statistics, tested by simulation: thousands of seasons at once, vectorised.

Each simulated game day has its own shared shock (a night's pace, blowouts, line moves) added to
every row's error difference, as in real slates; the rows of one day are therefore correlated.
The simulations print their figures (run with -s): the README quotes them.
"""

from __future__ import annotations

import re
from datetime import UTC

import numpy as np
import pyarrow as pa
import pytest
import statsmodels.api as sm
from scipy import stats

from shadowline.tasks.evaluation.comparisons import (
    PairComparison,
    clustered_mean,
    compare,
    confidence_set,
)
from shadowline.tasks.evaluation.monitor import confidence_sequence, monitor_rows

ROW_SD = 2.4  # per-row sd of the error difference between two demo models
DAY_SD = 0.25  # sd of a game day's shared shock to the difference


def _seasons(rng: np.random.Generator, seasons: int, days: int, mean: float):
    """Per-day sums, sums of squares and row counts of row-level differences, drawn without
    materialising rows: a day's rows are mean + shock + N(0, ROW_SD^2) noise."""
    counts = rng.integers(60, 240, size=(seasons, days)).astype(float)
    level = mean + rng.normal(0, DAY_SD, size=(seasons, days))
    noise_sum = rng.normal(0, ROW_SD * np.sqrt(counts))
    noise_squares = ROW_SD**2 * rng.chisquare(counts)
    sums = counts * level + noise_sum
    # sum of (level + e)^2 = n level^2 + 2 level sum(e) + sum(e^2); sum(e^2) is drawn apart
    # from sum(e) (both exact in distribution; their small dependence does not matter here).
    squares = counts * level**2 + 2 * level * noise_sum + noise_squares
    return sums, squares, counts


def test_the_game_day_interval_holds_95_percent_where_the_row_level_interval_does_not():
    rng = np.random.default_rng(11)
    truth = 0.1
    sums, squares, counts = _seasons(rng, seasons=4000, days=20, mean=truth)
    clustered = clustered_mean(sums, counts)
    covered = (clustered.lower <= truth) & (truth <= clustered.upper)

    # The naive interval: every row independent.
    n = counts.sum(axis=1)
    mean = sums.sum(axis=1) / n
    row_sd = np.sqrt((squares.sum(axis=1) - n * mean**2) / (n - 1))
    naive_half = 1.96 * row_sd / np.sqrt(n)
    naive_covered = np.abs(mean - truth) <= naive_half

    print(f"\n95% intervals over 4,000 seasons of 20 game days: by game day {covered.mean():.1%}, "
          f"rows as independent {naive_covered.mean():.1%}")  # fmt: skip
    assert 0.93 <= covered.mean() <= 0.97
    assert naive_covered.mean() < 0.85
    # With no shared shock at all, the game-day interval is not needlessly wide.
    assert np.median(2 * naive_half) < np.median(clustered.upper - clustered.lower)


def test_the_head_to_head_matches_statsmodels_cluster_robust_ols_on_crafted_rows():
    days = np.array(["2025-11-01"] * 3 + ["2025-11-02"] * 2 + ["2025-11-03"] * 4)
    error_a = np.array([3.0, 5.0, 1.0, 7.0, 2.0, 4.0, 4.0, 6.0, 0.5])
    error_b = np.array([2.0, 6.0, 1.0, 4.0, 2.5, 3.0, 5.0, 2.0, 0.5])
    paired = pa.table(
        {
            "game_date": pa.array(days).cast(pa.string()),
            "error_a": error_a,
            "error_b": error_b,
        }
    )
    result = compare(paired, "a_model", "b_model")

    diff = error_a - error_b
    _, groups = np.unique(days, return_inverse=True)
    ols = sm.OLS(diff, np.ones_like(diff)).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    low, high = ols.conf_int(alpha=0.05)[0]
    assert result.difference == pytest.approx(diff.mean())
    assert result.difference == pytest.approx(result.model_a_mae - result.model_b_mae)
    assert (result.ci_lower, result.ci_upper) == pytest.approx((low, high))
    assert result.p_value == pytest.approx(ols.pvalues[0])
    assert (result.model_a_wins, result.model_b_wins, result.ties) == (3, 4, 2)
    assert result.sign_test_p == pytest.approx(stats.binomtest(3, 7).pvalue)
    assert (result.shared_rows, result.game_days) == (9, 3)
    assert result.verdict().startswith("no detectable difference yet: b_model ")
    assert "more game days would detect a 0.1-point difference" in result.verdict()


def test_the_verdict_names_the_better_model_with_its_interval():
    rng = np.random.default_rng(3)
    days = np.repeat(np.arange(14), 150)
    error_b = np.abs(rng.normal(0, 5, days.size))
    error_a = error_b + 0.4 + rng.normal(0, 1.5, days.size)
    paired = pa.table({"game_date": days, "error_a": error_a, "error_b": error_b})
    verdict = compare(paired, "catboost_v1", "catboost_v2").verdict()
    assert re.match(r"catboost_v2 has 0\.[34]\d lower MAE \(95% CI 0\.\d\d to 0\.\d\d, ", verdict)
    assert verdict.endswith("p < 0.001, 14 game days, 2,100 shared rows)")
    one_day = compare(paired.slice(0, 150), "catboost_v1", "catboost_v2")
    assert one_day.verdict().startswith("too early to tell: 1 game day, 150 shared rows")


def test_the_best_set_keeps_both_good_models_and_drops_the_worse_ones():
    rng = np.random.default_rng(7)
    seasons, days = 1000, 30
    offsets = np.array([0.0, 0.0, 0.3, 0.3])  # two equally good models, two 0.3 points worse
    both_good = any_worse = 0
    for _ in range(seasons):
        night = rng.normal(4.5, 0.4, size=(days, 1))  # every model's MAE moves with the night
        losses = night + offsets + rng.normal(0, 0.135, size=(days, 4))
        kept = confidence_set(losses, seed=int(rng.integers(1 << 31)), reps=500)
        both_good += bool(kept[0] and kept[1])
        any_worse += bool(kept[2] or kept[3])
    print(f"\n90% best set over {seasons} seasons of {days} game days: both good models kept in "
          f"{both_good / seasons:.1%}, a worse one kept in {any_worse / seasons:.1%}")  # fmt: skip
    assert both_good / seasons >= 0.85
    assert any_worse / seasons <= 0.05


def _naive_daily_peeks(x: np.ndarray) -> np.ndarray:
    """A fixed-sample t-test on the per-day differences, read after every day (from day 3)."""
    t = np.arange(1, x.shape[-1] + 1)
    mean = np.cumsum(x, axis=-1) / t
    var = (np.cumsum(x * x, axis=-1) - t * mean**2) / np.maximum(t - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(mean / np.sqrt(var / t)), np.maximum(t - 1, 1))
    return ((p < 0.05) & (t >= 3)).any(axis=-1)


@pytest.mark.parametrize("shape", ["normal", "heavy-tailed"])
def test_the_monitor_read_every_day_rarely_declares_a_winner_between_identical_models(shape):
    rng = np.random.default_rng(17)
    seasons, days = 2000, 100
    if shape == "normal":
        x = rng.normal(0, 0.2, size=(seasons, days))
    else:  # Student t with 4 degrees of freedom, scaled to the same spread
        x = rng.standard_t(4, size=(seasons, days)) * 0.2 / np.sqrt(2)
    _, lower, upper = confidence_sequence(x)
    monitor_alarm = ((lower > 0) | (upper < 0)).any(axis=1).mean()
    naive_alarm = _naive_daily_peeks(x).mean()
    print(f"\nidentical models, {seasons} seasons of {days} game days read daily ({shape}): the "
          f"monitor ever declares a winner in {monitor_alarm:.1%}, a daily t-test in "
          f"{naive_alarm:.1%}")  # fmt: skip
    assert monitor_alarm <= 0.06
    assert naive_alarm >= 3 * max(monitor_alarm, 0.05)


def test_the_monitor_finds_a_real_difference_within_weeks():
    rng = np.random.default_rng(19)
    seasons, days = 2000, 60
    x = rng.normal(0.2, 0.2, size=(seasons, days))  # 0.2 points better; days spread 0.2
    _, lower, _ = confidence_sequence(x)
    first = np.where(lower > 0, np.arange(1, days + 1), days + 1).min(axis=1)
    by_20 = (first <= 20).mean()
    print(f"\na true 0.2-point difference (day-to-day spread 0.2): 'better' after a median "
          f"{np.median(first):.0f} game days, within 20 in {by_20:.0%} of seasons")  # fmt: skip
    assert by_20 >= 0.8
    assert not (lower[:, :4] > -np.inf).any()  # unbounded, so undecided, for the first 4 days


def test_monitor_rows_give_each_day_its_state_and_start_undecided():
    from datetime import date, datetime, timedelta

    start = date(2025, 10, 21)
    differences = pa.table(
        {
            "model_id": ["x"] * 12,
            "against_model_id": ["p"] * 12,
            "game_date": [start + timedelta(days=i) for i in range(12)],
            "shared_rows": [100] * 12,
            "difference": [0.5, 0.6, 0.4, 0.55, 0.5, 0.45, 0.6, 0.5, 0.52, 0.48, 0.5, 0.5],
        }
    )
    rows = monitor_rows(differences, datetime(2025, 11, 2, tzinfo=UTC)).to_pylist()
    assert [r["game_days"] for r in rows] == list(range(1, 13))
    assert rows[-1]["shared_rows"] == 1200
    assert rows[0]["state"] == "undecided" and rows[0]["lower_bound"] is None
    assert rows[-1]["state"] == "better" and rows[-1]["lower_bound"] > 0
    assert rows[-1]["estimate"] == pytest.approx(np.mean(differences["difference"]))


def _undecided(ci: tuple[float, float], days_to_detect: int) -> PairComparison:
    low, high = ci
    return PairComparison(
        model_a="a_model", model_b="b_model", shared_rows=3000, game_days=20,
        model_a_mae=4.50, model_b_mae=4.51, difference=(low + high) / 2, ci_lower=low,
        ci_upper=high, p_value=0.6, model_a_wins=1500, model_b_wins=1490, ties=10,
        sign_test_p=0.9, days_to_detect=days_to_detect,
    )  # fmt: skip


def test_days_to_detect_is_said_in_words_and_only_while_a_0_1_gap_is_possible() -> None:
    assert "about 1 more game day would detect" in _undecided((-0.12, 0.1), 1).verdict()
    assert "about 12 more game days would detect" in _undecided((-0.12, 0.1), 12).verdict()
    # the interval already rules out a 0.1-point gap either way: waiting for one says nothing
    narrow = _undecided((-0.06, 0.04), 40).verdict()
    assert narrow.startswith("no detectable difference yet") and "more game day" not in narrow
