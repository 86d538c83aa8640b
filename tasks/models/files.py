"""The one place a model file is opened: dynamic loading by model_type, and its checks.

Native formats only (CatBoost .cbm, XGBoost .json/.ubj, LightGBM .txt): pickle and joblib files
are refused because loading them runs arbitrary code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError, first_line
from shadowline.tasks.features.sets import SHIPPED_SETS, FeatureSetError, undefined

SUFFIXES = {"catboost": (".cbm",), "xgboost": (".json", ".ubj"), "lightgbm": (".txt",)}
MODEL_TYPES = tuple(SUFFIXES)
_REFUSED_SUFFIXES = (".pkl", ".pickle", ".joblib", ".sav", ".dill")
# Names a framework invents when a model was trained without names: nothing to compare.
_GENERATED_NAME = re.compile(r"^(Column_|f)?\d+$")


Predict = Callable[[np.ndarray], np.ndarray]


class ModelError(ShadowlineError):
    """A model that cannot be used, with a reason a person can act on."""


@dataclass(frozen=True)
class ModelSpec:
    """What the registry says about one model: enough to load and check it anywhere."""

    model_id: str
    model_type: str
    model_path: str
    feature_version: str
    feature_count: int | None = None
    feature_names: tuple[str, ...] = ()
    model_sha256: str | None = None
    # the folder a relative model_path is relative to, resolved where the registry is read (an
    # actor's or a worker's working directory is not the reader's); None: the working directory
    model_root: str | None = None

    def expected_features(self) -> tuple[str, ...]:
        """The feature names the registry reader resolved (the registry row's, else its
        feature_version's in nba_predictions.ml_feature_sets), else a shipped set's."""
        names = self.feature_names or SHIPPED_SETS.get(self.feature_version)
        if not names:
            raise undefined(self.feature_version)
        return names


@dataclass(frozen=True)
class LoadedModel:
    model_id: str
    feature_names: tuple[str, ...]
    sha256: str
    _predict: Predict

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(self._predict(features), dtype=np.float64).reshape(-1)


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def model_root(configured: Path | None) -> Path:
    """The folder relative registry model_paths are relative to: SHADOWLINE_MODEL_ROOT
    (`configured`), else this process's working directory."""
    return (configured or Path.cwd()).expanduser().resolve()


def registry_path(path: Path, configured_root: Path | None) -> str:
    """How shadowline records a local model file in the registry: relative to
    SHADOWLINE_MODEL_ROOT when it is set and holds the file, else absolute; either resolves to
    the same file from any working directory."""
    path = path.expanduser().resolve()
    if configured_root is not None:
        try:
            return str(path.relative_to(model_root(configured_root)))
        except ValueError:
            pass
    return str(path)


def local_model_file(spec: ModelSpec) -> Path:
    """The model file on this machine: a local path (a relative one is relative to the spec's
    model root), a file:// URI, or a gs:// object downloaded once per generation into the model
    cache."""
    where = spec.model_path
    parsed = urlparse(where)
    if parsed.scheme == "file":
        path = Path(parsed.path)
    elif parsed.scheme == "gs":
        from shadowline.tasks.models.storage import StorageError, fetch

        try:
            path = fetch(where)
        except StorageError as error:
            raise ModelError(str(error)) from None
    elif parsed.scheme and len(parsed.scheme) > 1:  # one letter is a Windows drive
        raise ModelError(f"model_path {where}: unknown scheme {parsed.scheme}:// (use a path)")
    else:
        path = Path(where).expanduser()
    relative = not path.is_absolute()
    if relative:
        path = Path(spec.model_root or Path.cwd()) / path
    path = path.resolve()
    if not path.is_file():
        root = (
            "a relative model_path is relative to SHADOWLINE_MODEL_ROOT, else the working "
            "directory: set it to the folder the path is relative to, or register the file by "
            "absolute path; "
            if relative
            else ""
        )
        raise ModelError(
            f"file {where} not found (registry model_path, resolved to {path}); {root}"
            "train it with `shadowline train` or fix model_path"
        )
    return path


def _refuse_unsafe(path: Path, spec: ModelSpec) -> None:
    native = "/".join(SUFFIXES[spec.model_type])
    with path.open("rb") as handle:
        looks_pickled = handle.read(1) == b"\x80"  # pickle protocol 2+, whatever the suffix
    if path.suffix.lower() in _REFUSED_SUFFIXES or looks_pickled:
        raise ModelError(
            f"{path.name} is a pickle/joblib file, which can run arbitrary code when loaded; "
            f"save the model in {spec.model_type}'s native format ({native})"
        )


def _open_catboost(path: Path) -> tuple[Predict, list[str]]:
    from catboost import CatBoostRegressor

    model = CatBoostRegressor()
    model.load_model(str(path), format="cbm")
    return (lambda x: model.predict(x, thread_count=1)), list(model.feature_names_ or [])


def _open_xgboost(path: Path) -> tuple[Predict, list[str]]:
    import xgboost as xgb

    booster = xgb.Booster(model_file=str(path))
    booster.set_param({"nthread": 1})
    names = list(booster.feature_names or [str(i) for i in range(booster.num_features())])
    return (lambda x: booster.inplace_predict(x)), names


def _check_lightgbm_text(text: str) -> None:
    """LightGBM's parser aborts the whole process on some truncated files, so check the text
    model's structure first: header, one size per tree, and the end marker."""
    sizes = re.search(r"^tree_sizes=(.*)$", text, re.MULTILINE)
    trees = len(re.findall(r"^Tree=\d+$", text, re.MULTILINE))
    if (
        not text.startswith("tree\n")
        or sizes is None
        or len(sizes.group(1).split()) != trees
        or "\nend of trees" not in text
        or not re.search(r"\nend of parameters\n+pandas_categorical:(null|\[.*\])\s*$", text)
    ):
        raise ValueError("not a complete LightGBM text model")


def _open_lightgbm(path: Path) -> tuple[Predict, list[str]]:
    import lightgbm as lgb

    text = path.read_text(errors="replace")
    _check_lightgbm_text(text)
    booster = lgb.Booster(model_str=text)
    return (lambda x: booster.predict(x, num_threads=1)), list(booster.feature_name())


_OPENERS = {"catboost": _open_catboost, "xgboost": _open_xgboost, "lightgbm": _open_lightgbm}


def load_model(spec: ModelSpec) -> LoadedModel:
    """Open, verify and check one registry model; ModelError says what is wrong and the fix."""
    if spec.model_type not in _OPENERS:
        raise ModelError(
            f"unknown model_type {spec.model_type!r} (registry model_type); "
            f"use one of {', '.join(MODEL_TYPES)}"
        )
    try:
        expected = spec.expected_features()
    except FeatureSetError as error:
        raise ModelError(str(error)) from None
    if spec.feature_count is not None and spec.feature_count != len(expected):
        raise ModelError(
            f"registry feature_count is {spec.feature_count} but feature_version "
            f"{spec.feature_version!r} has {len(expected)} features; fix feature_count "
            "or feature_version"
        )
    path = local_model_file(spec)
    _refuse_unsafe(path, spec)
    digest = sha256_of(path)
    if spec.model_sha256 and spec.model_sha256.lower() != digest:
        raise ModelError(
            f"checksum mismatch for {spec.model_path}: registry model_sha256 is "
            f"{spec.model_sha256[:12]}..., the file's is {digest[:12]}...; "
            "the file changed since it was registered: re-register it or restore the file"
        )
    # Each scoring actor opens its model once and keeps it: no cache of opened files is needed.
    try:
        predict, names = _OPENERS[spec.model_type](path)
    except Exception as error:  # each framework raises its own error type on a bad file
        raise ModelError(
            f"could not read {spec.model_path} as a {spec.model_type} model "
            f"({first_line(error, 200)}); the file is corrupt, incomplete or of another "
            "framework: retrain or replace it"
        ) from None
    _check_names(names, expected, spec)
    return LoadedModel(spec.model_id, expected, digest, predict)


def _check_names(found: list[str], expected: tuple[str, ...], spec: ModelSpec) -> None:
    if len(found) != len(expected):
        raise ModelError(
            f"the file has {len(found)} features but feature_version {spec.feature_version!r} "
            f"has {len(expected)}; register it with the feature_version it was trained on"
        )
    if all(_GENERATED_NAME.match(n) for n in found):
        return  # trained without names: the count is all there is to check
    for position, (have, want) in enumerate(zip(found, expected, strict=True)):
        if have != want:
            raise ModelError(
                f"feature {position} of the file is {have!r} but feature_version "
                f"{spec.feature_version!r} expects {want!r}; register it with the "
                "feature_version it was trained on"
            )


def feature_matrix(batch: pa.Table, names: tuple[str, ...]) -> np.ndarray:
    """A float64 matrix of `names` from an Arrow table; nulls become NaN (all three frameworks
    treat NaN as missing)."""
    if batch.num_rows == 0:
        return np.empty((0, len(names)))
    columns = pa.table([batch[n].cast(pa.float64()) for n in names], names=list(names))
    [rows] = columns.combine_chunks().to_batches()  # row-major in one pass, in Arrow's C++
    return np.asarray(rows.to_tensor(null_to_nan=True, row_major=True))
