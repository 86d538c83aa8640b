"""Edge tiers: the hit-rate intervals hold their coverage, the verdicts their family-wise level
(simulations, vectorised), the tiers agree with the view a user queries, and the command says
which tiers differ from break-even."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shadowline.flows.cli import main
from shadowline.tasks.evaluation.tiers import (
    BREAK_EVEN_110,
    FAMILY_LEVEL,
    holm,
    read_tiers,
    tier_test,
)
from shadowline.tasks.warehouse import open_warehouse


def _tier_seasons(
    rng: np.random.Generator, seasons: int, days: int, hit_rate: float, bets_per_day: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each day's wins and decided bets of one tier. A night's shock moves every bet of that day
    together (+-8 points of hit rate: pace, blowouts, a line move that all books made), so bets of
    one day are correlated; the shock averages out, so the true hit rate is `hit_rate`."""
    decided = rng.poisson(bets_per_day, size=(seasons, days)).astype(float)
    night = np.clip(hit_rate + rng.uniform(-0.08, 0.08, size=(seasons, days)), 0, 1)
    wins = rng.binomial(decided.astype(int), night).astype(float)
    return wins, decided


@pytest.mark.parametrize(("days", "bets_per_day"), [(30, 4.0), (160, 2.0), (160, 8.0)])
def test_the_hit_rate_interval_covers_the_true_rate_95_percent_of_seasons(
    days: int, bets_per_day: float
) -> None:
    rng = np.random.default_rng(23)
    truth = 0.56
    wins, decided = _tier_seasons(rng, 4000, days, truth, bets_per_day)
    test = tier_test(wins, decided, decided * BREAK_EVEN_110)
    covered = (test.lower <= truth) & (truth <= test.upper)
    shape = f"{days} days x {bets_per_day:g} bets"
    print(f"\nhit-rate 95% interval, {shape}: covered {covered.mean():.1%}")
    assert 0.93 <= covered.mean() <= 0.97


def test_reading_ten_tiers_without_an_edge_calls_one_off_break_even_at_most_5_percent() -> None:
    rng = np.random.default_rng(5)
    seasons, tiers = 2000, 10
    wins, decided = _tier_seasons(rng, seasons * tiers, 120, BREAK_EVEN_110, 3.0)
    test = tier_test(wins, decided, decided * BREAK_EVEN_110)
    p = test.p_value.reshape(seasons, tiers)
    raw = (p < FAMILY_LEVEL).any(axis=1).mean()
    corrected = (holm(p) < FAMILY_LEVEL).any(axis=1).mean()
    print(f"\n10 tiers at break-even: any called {raw:.1%} uncorrected, {corrected:.1%} with Holm")
    assert corrected <= FAMILY_LEVEL + 0.01  # 2,000 seasons: +-1 point of simulation error
    assert raw > 0.25  # the correction is needed: uncorrected, most of a season's looks mislead

    # and a tier with a real edge is still found among them
    edge_wins, edge_decided = _tier_seasons(rng, seasons, 120, 0.60, 6.0)
    edge = tier_test(edge_wins, edge_decided, edge_decided * BREAK_EVEN_110).p_value
    found = (holm(np.column_stack([edge, p]))[:, 0] < FAMILY_LEVEL).mean()
    print(f"a 60% tier of 720 bets among them found in {found:.1%} of seasons")
    assert found > 0.8


def test_holm_matches_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(3)
    for p in rng.uniform(0, 0.2, size=(20, 7)) ** 2:
        assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])


def test_the_tiers_agree_with_the_view(demo_url: str) -> None:
    with open_warehouse(demo_url) as warehouse:
        view = warehouse.query("select * from nba_predictions.v_ml_model_edge_tiers").to_pylist()
        tiers = read_tiers(warehouse).to_pylist()
    assert view and len(tiers) == len(view)
    by_key = {(r["model_id"], r["edge_tier"], r["direction"]): r for r in view}
    for row in tiers:
        expected = by_key[(row["model_id"], row["edge_tier"], row["direction"])]
        for name in ("bets", "game_days", "wins", "losses", "pushes", "live_bets"):
            assert row[name] == expected[name], name
        for name in ("hit_rate", "roi", "units", "roi_at_odds"):
            assert row[name] == pytest.approx(expected[name]), name
        if row["game_days"] >= 2:
            assert row["hit_low"] <= row["hit_rate"] <= row["hit_high"]
        else:  # one night's bets: no interval, no verdict
            assert row["hit_low"] is None and row["verdict"] == "too early"


def test_tiers_at_other_bounds_and_bad_bounds(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--warehouse", demo_url, "tiers", "--model", "catboost_v1"]
    assert main([*args, "--edges", "2.5", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["edge_tier"] for r in rows} <= {"0-2.5", "2.5+"}
    assert {r["model_id"] for r in rows} == {"catboost_v1"}
    both = {r["edge_tier"]: r["bets"] for r in rows if r["direction"] == "BOTH"}
    sides = {}
    for r in rows:
        if r["direction"] != "BOTH":
            sides[r["edge_tier"]] = sides.get(r["edge_tier"], 0) + r["bets"]
    assert both == sides
    for bad in ("3,2", "0,1", "a"):
        assert main([*args, "--edges", bad]) == 2
        assert "--edges" in capsys.readouterr().err
    assert main(["--warehouse", demo_url, "tiers", "--model", "nope_v9"]) == 1
    err = capsys.readouterr().err
    assert "no graded bets for nope_v9" in err and "catboost_v1" in err
