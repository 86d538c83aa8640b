"""Over probabilities: calibrated on seasons with a known truth, point in time in the warehouse,
and `shadowline calibration` reading them against production."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from shadowline.flows.cli import main
from shadowline.tasks.evaluation import probabilities
from shadowline.tasks.evaluation.calibration import ece
from shadowline.tasks.evaluation.probabilities import (
    over_probabilities,
    raw_over,
    standardised,
    update_probabilities,
)
from shadowline.tasks.grading.grade import grade_predictions
from shadowline.tasks.warehouse import Warehouse
from tests.samples import DECAY_MODELS, DECAY_START, decaying_season, register_decay_models

DISPERSION = 8.0  # points ~ negative binomial: variance mean + mean^2 / 8, as a scorer's nights


def known_season(seed: int, line_sd: float, model_sd: float, days: int = 120, per_day: int = 150):
    """A season whose every row's true P(over | decided) is known: points ~ NB(mu), the line
    mu + noise (a quarter of lines whole numbers, which can push), the model mu + noise.
    (history table of sql/calibration/history's columns, true probabilities)."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    mu = rng.uniform(4, 32, n)
    p_nb = DISPERSION / (DISPERSION + mu)
    actual = rng.negative_binomial(DISPERSION, p_nb)
    predicted = np.maximum(mu + rng.normal(0, model_sd, n), 0.5)
    whole = np.round(mu + rng.normal(0, line_sd, n))
    half = rng.random(n) > 0.25
    line = np.where(half, whole + 0.5, whole)
    push = np.where(half, 0.0, stats.nbinom.pmf(line, DISPERSION, p_nb))
    truth = stats.nbinom.sf(np.floor(line), DISPERSION, p_nb) / (1 - push)
    day = np.datetime64(DECAY_START) + np.repeat(np.arange(days), per_day).astype("timedelta64[D]")
    table = pa.table(
        {
            "prediction_id": [f"{i:07d}" for i in range(n)],
            "model_id": ["m"] * n,
            "game_date": pa.array(day),
            "predicted_points": predicted,
            "betting_line": line,
            "actual_points": actual,
        }
    )
    return table, truth


# (line noise, model noise): the model is the truth and the line noisy; the line is the truth
# and the model noisy (its raw chances over-promise); both noisy.
CASES = [(3.0, 0.0), (0.0, 2.0), (1.0, 2.5)]


@pytest.mark.parametrize(("line_sd", "model_sd"), CASES)
def test_the_probabilities_are_calibrated_on_seasons_with_a_known_truth(
    line_sd: float, model_sd: float
) -> None:
    """Each row's probability, from the rows of the days before it, against its true
    probability: expected calibration error under 0.02 on every one of 4 seasons (120 days of 150
    rows), and nearly every row has one (the first two days have too few rows before them)."""
    for seed in range(4):
        season, truth = known_season(seed, line_sd, model_sd)
        p = over_probabilities(season, season)
        has = ~np.isnan(p)
        assert has.mean() > 0.97
        assert ece(p[has], truth[has]) < 0.02, (seed, ece(p[has], truth[has]))


def test_without_the_recalibration_a_noisy_model_over_promises_against_an_efficient_line() -> None:
    """The seed team's first calibrator: the model's error shape alone (even fit on every row,
    leaks included) promises its big edges far more than they win when the line knows as much
    as the model. The recalibration is what removes it."""
    season, truth = known_season(0, line_sd=0.0, model_sd=2.0)
    columns = [season[c].to_numpy().astype(float) for c in
               ("actual_points", "predicted_points", "betting_line")]  # fmt: skip
    actual, predicted, line = columns
    raw = raw_over(np.sort(standardised(actual, predicted)), predicted, line)
    assert ece(raw, truth) > 0.06
    big = np.abs(predicted - line) > 3
    promised = np.where(predicted > line, raw, 1 - raw)[big].mean()
    won = np.where(predicted > line, truth, 1 - truth)[big].mean()
    assert promised - won > 0.15
    p = over_probabilities(season, season)
    mine = np.where(predicted > line, p, 1 - p)[big]
    assert abs(np.nanmean(mine) - won) < 0.03


def test_a_day_probabilities_know_nothing_of_that_day_or_later() -> None:
    """Other points on day 60 and after leave days 1-60's probabilities as they were, and
    change the later ones."""
    season, _ = known_season(1, line_sd=1.0, model_sd=2.5)
    before = over_probabilities(season, season)
    day = season["game_date"].to_numpy()
    later = day >= day[0] + np.timedelta64(59, "D")
    shuffled = season["actual_points"].to_numpy().copy()
    shuffled[later] = np.random.default_rng(9).permutation(shuffled[later])
    after = over_probabilities(season.set_column(5, "actual_points", pa.array(shuffled)), season)
    np.testing.assert_array_equal(before[~later], after[~later])
    assert not np.allclose(before[later][150:], after[later][150:])


def test_the_recalibration_is_the_logistic_regression_fit() -> None:
    """Without its ridge, `platt` finds statsmodels' maximum-likelihood logistic fit."""
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    raw = rng.uniform(0.2, 0.8, 2000)
    won = (rng.random(2000) < 0.5 + 0.5 * (raw - 0.5)).astype(float)
    x = np.log(raw / (1 - raw))
    expected = sm.Logit(won, sm.add_constant(x)).fit(disp=0).params
    original = probabilities._RIDGE
    try:
        probabilities._RIDGE = 0.0
        np.testing.assert_allclose(probabilities.platt(raw, won), expected, atol=1e-6)
    finally:
        probabilities._RIDGE = original


def _season_in(warehouse: Warehouse, graded_through: int) -> pa.Table:
    box, predictions = decaying_season()
    register_decay_models(warehouse)
    warehouse.write("nba_analytics.player_game_summary", box)
    warehouse.write("nba_predictions.ml_model_predictions", predictions)
    grade_predictions(warehouse, DECAY_START, DECAY_START + timedelta(days=graded_through - 1))
    return predictions


def _stored(warehouse: Warehouse, day: object) -> dict[str, float | None]:
    rows = warehouse.query(
        "select prediction_id, over_probability from nba_predictions.ml_model_predictions "
        "where game_date = @d",
        {"d": day},
    ).to_pylist()
    return {r["prediction_id"]: r["over_probability"] for r in rows}


def test_stored_probabilities_are_point_in_time_and_written_once(warehouse: Warehouse) -> None:
    """Day 31's probabilities stored before its games (30 days graded) are those a later update,
    with the whole season graded, stores for it; updating again changes no row."""
    _season_in(warehouse, graded_through=30)
    day = DECAY_START + timedelta(days=30)
    assert update_probabilities(warehouse, day) == 2 * 60  # both models' rows, all lined
    live = _stored(warehouse, day)
    assert all(p is not None and 0 < p < 1 for p in live.values())

    grade_predictions(warehouse, DECAY_START, DECAY_START + timedelta(days=89))
    assert update_probabilities(warehouse, DECAY_START, DECAY_START + timedelta(days=89)) > 0
    assert _stored(warehouse, day) == live
    assert all(p is None for p in _stored(warehouse, DECAY_START).values())  # no rows before it
    assert update_probabilities(warehouse, DECAY_START, DECAY_START + timedelta(days=89)) == 0


def test_cli_calibration_compares_each_model_with_production(
    warehouse: Warehouse, warehouse_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The decaying season graded: production (champ_v1) errs more from day 40, so steady_v1's
    probabilities score a lower Brier than production's, set apart by the interval."""
    _season_in(warehouse, graded_through=90)
    update_probabilities(warehouse, DECAY_START, DECAY_START + timedelta(days=89))
    champion, steady = DECAY_MODELS
    args = ["--warehouse", warehouse_url, "calibration"]
    assert main([*args, "--format", "json"]) == 0
    table = {r["model_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert table[champion]["verdict"] == "production"
    assert table[steady]["verdict"] == "better"
    assert table[steady]["diff_high"] < 0 < table[steady]["rows"] == table[steady]["live_rows"]
    assert all(r["ece"] < 0.05 and r["brier"] < 0.25 for r in table.values())

    assert main([*args, "--model", steady]) == 0
    out = capsys.readouterr().out
    lines = [line.split()[0] for line in out.splitlines()[2:4]]
    assert lines == [champion, steady]  # production first, to read the model against
    assert "live rows only" in out and " better\n" in out
    assert main([*args, "--model", "nope_v1"]) == 1
    assert "no graded rows with an over probability for nope_v1" in capsys.readouterr().err
