"""Train a model on the feature store and (optionally) register it: `shadowline train`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from shadowline.tasks.core.domains import check_model_id
from shadowline.tasks.features.sets import feature_names
from shadowline.tasks.features.store import read_training_rows
from shadowline.tasks.models.check import check_in_subprocess
from shadowline.tasks.models.files import (
    SUFFIXES,
    ModelError,
    ModelSpec,
    registry_path,
    sha256_of,
)
from shadowline.tasks.models.fitting import TrainedModel, empty_features, train_model
from shadowline.tasks.registry.entries import register_model
from shadowline.tasks.warehouse import Warehouse


def train(
    warehouse: Warehouse,
    *,
    model_type: str,
    feature_version: str,
    train_end: date,
    model_id: str,
    models_dir: Path,
    model_root: Path | None = None,
    register: bool = False,
    require_features: bool = False,
    seed: int = 0,
) -> TrainedModel:
    """Train `model_type` on feature-store rows before `train_end`; register it if asked.

    A feature with no value on any training row teaches the model nothing: the result lists
    it (`empty_features`), and `require_features` refuses to train instead."""
    rows = read_training_rows(warehouse, train_end)
    if rows.num_rows == 0:
        raise ModelError(
            f"no training rows before {train_end}: load box scores and build features first "
            "(`shadowline features build`), or run `shadowline demo`"
        )
    empty = empty_features(rows, feature_names(feature_version))
    if empty and require_features:
        raise ModelError(
            f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty in all "
            f"{rows.num_rows:,} training rows of feature_version {feature_version!r}: load the "
            "data behind it (e.g. prop lines for betting_line) and build features, or train "
            "without --require-features"
        )
    trained = train_model(model_type, rows, feature_version, models_dir, model_id, seed)
    if register:
        register_model(
            warehouse,
            ModelSpec(
                model_id=model_id,
                model_type=model_type,
                model_path=registry_path(trained.path, model_root),
                feature_version=feature_version,
                model_sha256=trained.sha256,
            ),
            model_name=f"{model_type} on {feature_version}",
            model_version=feature_version,
            model_format=SUFFIXES[model_type][0].lstrip("."),
            test_mae=trained.test_mae,
            notes=f"trained by shadowline on {trained.train_rows} rows before {train_end}",
        )
    return trained


def register_file(
    warehouse: Warehouse,
    path: Path,
    *,
    model_id: str,
    model_type: str,
    feature_version: str,
    upload_to: str | None = None,
    model_root: Path | None = None,
    model_name: str | None = None,
    test_mae: float | None = None,
    notes: str | None = None,
) -> str:
    """Check that a model file loads and fits its feature set, upload it if asked, and register
    it with its sha256; the registered model_path. Nothing is uploaded or written for a bad file."""
    check_model_id(model_id)
    local = ModelSpec(model_id, model_type, str(path.resolve()), feature_version)
    # in a process of its own: a library that aborts on a corrupt file cannot take this one down
    check_in_subprocess(local)  # raises ModelError naming what is wrong
    model_path = registry_path(path, model_root)
    if upload_to:
        from shadowline.tasks.models.storage import upload

        model_path = upload(path, upload_to)
    register_model(
        warehouse,
        ModelSpec(model_id, model_type, model_path, feature_version, model_sha256=sha256_of(path)),
        model_name=model_name,
        model_version=feature_version,
        model_format=path.suffix.lstrip("."),
        test_mae=test_mae,
        notes=notes,
    )
    return model_path
