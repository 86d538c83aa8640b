"""Each prediction's probability that the over wins, from the model's own past errors as of its
game day, stored on the prediction row (`over_probability`).

Point in time: day D's probabilities learn only from the model's rows graded for days before D
(the most recent POOL_ROWS within LOOKBACK_DAYS), so a backfill gives the probabilities a
day-by-day run gives, and no probability knows its own game. Two steps, both on those rows:

1. The shape of the model's errors: its standardised past errors, (actual - predicted) /
   sqrt(predicted + 4) (points spread like a count, more when more are expected), give the raw
   chance that the points land above the line. An integer line can push, so the over's chance
   is given the bet is decided (actual >= line + 1 against actual <= line - 1).
2. What the line knows: a model 5 points off the line is seldom 5 points right, so the raw chance
   over-promises on the model's big edges (the seed team's first calibrator, fit on leaked rows,
   did by 6-20 points). A logistic recalibration (Platt scaling) of the raw chance, fit on the
   same past rows, gives the rate at which such overs actually won.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from shadowline.tasks.warehouse import Warehouse, sql_text

PREDICTIONS = "nba_predictions.ml_model_predictions"
LOOKBACK_DAYS = 180  # reaches across the off-season: October's first days use last spring's rows
POOL_ROWS = 4000  # about a month of a model's lined rows: recent enough to follow a drift
MIN_ROWS = 200  # fewer graded rows with a line before the day: no probability (NULL)
SPREAD_OFFSET = 4.0
# Until its rows show otherwise a model's probability is a coin's: the recalibration is pulled
# toward intercept 0 and slope 0 (the line knows as much as the model), as much as 40 rows
# of evidence would pull it; a few hundred rows outweigh it.
_RIDGE = 10.0
_CLIP = 1e-4


def standardised(actual: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    return (actual - predicted) / np.sqrt(np.maximum(predicted, 0.0) + SPREAD_OFFSET)


def raw_over(errors: np.ndarray, predicted: np.ndarray, line: np.ndarray) -> np.ndarray:
    """P(over | decided) from `errors`, sorted standardised errors: the share of them that would
    put the points above the line, against those that would put them below it."""
    spread = np.sqrt(np.maximum(predicted, 0.0) + SPREAD_OFFSET)
    integer = line == np.floor(line)
    upper = np.where(integer, line + 0.5, line)  # points are whole: 20 on a line of 20 pushes
    lower = np.where(integer, line - 0.5, line)
    above = len(errors) - np.searchsorted(errors, (upper - predicted) / spread, side="right")
    below = np.searchsorted(errors, (lower - predicted) / spread, side="left")
    return (above + 0.5) / (above + below + 1.0)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _CLIP, 1 - _CLIP)
    return np.log(p / (1 - p))


def platt(raw: np.ndarray, won: np.ndarray) -> tuple[float, float]:
    """(intercept, slope) of P(won) = 1 / (1 + exp(-(a + b logit(raw)))), by Newton's method with
    a ridge toward (0, 0): the penalised log-likelihood is concave, so a few steps converge."""
    x = _logit(raw)
    design = np.stack([np.ones_like(x), x], axis=1)
    prior = np.zeros(2)
    theta = prior.copy()
    for _ in range(50):
        p = 1 / (1 + np.exp(-(design @ theta)))
        gradient = design.T @ (p - won) + _RIDGE * (theta - prior)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + _RIDGE * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-9:
            break
    return float(theta[0]), float(theta[1])


def calibrated(
    errors: np.ndarray, coefficients: tuple[float, float], predicted: np.ndarray, line: np.ndarray
) -> np.ndarray:
    a, b = coefficients
    return 1 / (1 + np.exp(-(a + b * _logit(raw_over(errors, predicted, line)))))


def fit(predicted: np.ndarray, line: np.ndarray, actual: np.ndarray) -> tuple[np.ndarray, tuple]:
    """What one day's probabilities use, from a model's past rows: the sorted standardised errors
    and the recalibration's coefficients (fit on the decided rows)."""
    errors = np.sort(standardised(actual, predicted))
    decided = actual != line
    raw = raw_over(errors, predicted[decided], line[decided])
    return errors, platt(raw, (actual[decided] > line[decided]).astype(float))


def over_probabilities(history: pa.Table, targets: pa.Table) -> np.ndarray:
    """The over probability of each row of `targets` (rows of sql/calibration/targets), NaN where
    its model has fewer than MIN_ROWS rows of `history` (sql/calibration/history) in the
    LOOKBACK_DAYS before the row's day."""
    out = np.full(targets.num_rows, np.nan)
    target_model = np.asarray(targets["model_id"].to_pylist(), dtype=object)
    target_day = targets["game_date"].to_numpy()
    past_model = np.asarray(history["model_id"].to_pylist(), dtype=object)
    past = {c: history[c].to_numpy(zero_copy_only=False) for c in history.column_names}
    columns = ("predicted_points", "betting_line")
    wanted = [targets[c].to_numpy(zero_copy_only=False).astype(float) for c in columns]
    for model in np.unique(target_model):
        own = np.flatnonzero(past_model == model)
        # a fixed order (day, then id) so the pool of the most recent rows is the same every run
        own = own[np.lexsort((past["prediction_id"][own], past["game_date"][own]))]
        days = past["game_date"][own]
        predicted, line = (past[c][own].astype(float) for c in columns)
        actual = past["actual_points"][own].astype(float)
        # the model's targets by day (stable: a day's rows keep their order), sliced per day
        at_model = np.flatnonzero(target_model == model)
        at_model = at_model[np.argsort(target_day[at_model], kind="stable")]
        their_days = target_day[at_model]
        for day in np.unique(their_days):
            end = np.searchsorted(days, day, side="left")
            since = day - np.timedelta64(LOOKBACK_DAYS, "D")
            start = max(int(np.searchsorted(days, since, side="left")), end - POOL_ROWS)
            if end - start < MIN_ROWS:
                continue
            pool = slice(start, end)
            errors, coefficients = fit(predicted[pool], line[pool], actual[pool])
            rows = at_model[slice(*np.searchsorted(their_days, [day, day + 1]))]
            out[rows] = calibrated(errors, coefficients, *(v[rows] for v in wanted))
    return out


def update_probabilities(warehouse: Warehouse, start: date, end: date | None = None) -> int:
    """Store the over probability of every prediction with a line on game dates start..end
    (each day from the rows graded before it); the rows whose probability changed."""
    end = end or start
    targets = warehouse.query(sql_text("calibration/targets"), {"start": start, "end": end})
    if targets.num_rows == 0:
        return 0
    models = sorted(set(targets["model_id"].to_pylist()))
    span = {"since": start - timedelta(days=LOOKBACK_DAYS), "before": end, "models": models}
    history = warehouse.query(sql_text("calibration/history"), span)
    probability = over_probabilities(history, targets)
    rows = pa.table(
        {
            "prediction_id": targets["prediction_id"],
            "game_date": targets["game_date"],
            "over_probability": pa.array(probability, from_pandas=True),
        }
    )
    return warehouse.update(PREDICTIONS, rows, key=("game_date", "prediction_id"))
