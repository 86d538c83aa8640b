"""Fitting a model on feature-store rows with its library, and saving it in that library's
native format (the file `files.load_model` opens)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.domains import check_model_id
from shadowline.tasks.models.files import (
    MODEL_TYPES,
    SUFFIXES,
    ModelError,
    Predict,
    feature_matrix,
    sha256_of,
)


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    sha256: str
    test_mae: float
    train_rows: int
    test_rows: int
    feature_names: tuple[str, ...]
    empty_features: tuple[str, ...] = ()  # NULL on every training row: the model ignores them
    library: str = ""  # e.g. "catboost 1.2.7"
    hyperparameters: dict[str, object] = field(default_factory=dict)


def empty_features(rows: pa.Table, names: tuple[str, ...]) -> tuple[str, ...]:
    """The feature columns of `names` with no value on any of `rows`."""
    return tuple(n for n in names if rows.num_rows and rows[n].null_count == rows.num_rows)


def train_model(
    model_type: str,
    rows: pa.Table,
    names: tuple[str, ...],
    out_dir: Path,
    model_id: str,
    seed: int = 0,
) -> TrainedModel:
    """Train on `rows` (feature-store rows with actual_points), holding out the last 15% of game
    dates to measure test_mae, and save the native model file as
    out_dir/<model_id>-<first 12 hex digits of its sha256><suffix>."""
    check_model_id(model_id)
    if model_type not in SUFFIXES:
        raise ModelError(f"unknown model type {model_type!r}; use one of {', '.join(MODEL_TYPES)}")
    dates = sorted(set(rows["game_date"].to_pylist()))
    if len(dates) < 10:
        raise ModelError(
            f"only {len(dates)} game dates of training rows before the cutoff; build features "
            "for more dates first (`shadowline features build`)"
        )
    cutoff = dates[int(len(dates) * 0.85)]
    is_test = np.array([d >= cutoff for d in rows["game_date"].to_pylist()])
    x = feature_matrix(rows, names)
    y = rows["actual_points"].cast(pa.float64()).to_numpy()
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = SUFFIXES[model_type][0]
    partial = out_dir.resolve() / f".{model_id}.{os.getpid()}.partial{suffix}"
    try:
        predict = _TRAINERS[model_type](x[~is_test], y[~is_test], names, partial, seed)
        test_mae = float(np.mean(np.abs(predict(x[is_test]) - y[is_test])))
        sha256 = sha256_of(partial)
        # The file's name carries its checksum: a new model never overwrites a file a registry
        # row points to (the same bytes land on the same name).
        path = out_dir.resolve() / f"{model_id}-{sha256[:12]}{suffix}"
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return TrainedModel(
        path, sha256, test_mae, int((~is_test).sum()), int(is_test.sum()), names,
        empty_features(rows, names), f"{model_type} {version(model_type)}",
        {**HYPERPARAMETERS[model_type], "seed": seed},
    )  # fmt: skip


# What each library is fitted with (besides threads, seed and logging), recorded in the registry.
# Absolute error: a prop line is a median, and a model fitted to the mean of right-skewed points
# leans OVER by the gap between them.
HYPERPARAMETERS: dict[str, dict[str, object]] = {
    "catboost": {"iterations": 400, "learning_rate": 0.05, "depth": 6, "loss_function": "MAE"},
    "xgboost": {
        "objective": "reg:absoluteerror",
        "eta": 0.05,
        "max_depth": 5,
        "subsample": 0.8,
        "colsample_bytree": 0.8,
        "min_child_weight": 20,
        "num_boost_round": 400,
    },
    "lightgbm": {
        "objective": "regression_l1",
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 50,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "deterministic": True,
        "num_boost_round": 400,
    },
}


def _train_catboost(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...], path: Path, seed: int
) -> Predict:
    from catboost import CatBoostRegressor, Pool

    settings = HYPERPARAMETERS["catboost"]
    model = CatBoostRegressor(
        **settings, random_seed=seed, verbose=False, thread_count=2, allow_writing_files=False
    )
    model.fit(Pool(x, y, feature_names=list(names)))
    model.save_model(str(path), format="cbm")
    return model.predict


def _train_xgboost(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...], path: Path, seed: int
) -> Predict:
    import xgboost as xgb

    params = {**HYPERPARAMETERS["xgboost"], "nthread": 2, "seed": seed}
    rounds = params.pop("num_boost_round")
    booster = xgb.train(params, xgb.DMatrix(x, y, feature_names=list(names)), rounds)
    booster.save_model(str(path))
    return booster.inplace_predict


def _train_lightgbm(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...], path: Path, seed: int
) -> Predict:
    import lightgbm as lgb

    params = {**HYPERPARAMETERS["lightgbm"], "num_threads": 2, "seed": seed, "verbose": -1}
    rounds = params.pop("num_boost_round")
    booster = lgb.train(params, lgb.Dataset(x, y, feature_name=list(names)), rounds)
    booster.save_model(str(path))
    return booster.predict


_TRAINERS = {"catboost": _train_catboost, "xgboost": _train_xgboost, "lightgbm": _train_lightgbm}
