"""Train a model on the feature store and (optionally) register it: `shadowline train`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from shadowline.tasks.core.domains import check_model_id
from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.features.catalog import attach_sources, resolve_feature_set, unscorable
from shadowline.tasks.features.health import profile_rows, read_profiles, write_profile
from shadowline.tasks.features.sets import FeatureSetError
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
from shadowline.tasks.models.lineage import Lineage, fingerprint, from_file, window
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
    names, rows = training_rows(warehouse, feature_version, train_end)
    empty = empty_features(rows, names)
    if empty and require_features:
        raise ModelError(
            f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty in all "
            f"{rows.num_rows:,} training rows of feature_version {feature_version!r}: load the "
            "data behind it (e.g. prop lines for betting_line) and build features, or train "
            "without --require-features"
        )
    trained = train_model(model_type, rows, names, models_dir, model_id, seed)
    if register:
        spec = ModelSpec(
            model_id=model_id,
            model_type=model_type,
            model_path=registry_path(trained.path, model_root),
            feature_version=feature_version,
            feature_names=names,
            model_sha256=trained.sha256,
        )
        _register_trained(warehouse, spec, trained, rows, train_end)
    return trained


def _register_trained(
    warehouse: Warehouse, spec: ModelSpec, trained: TrainedModel, rows: pa.Table, train_end: date
) -> None:
    """The registry row of a model just trained, with its lineage and training profile."""
    first, last = window(rows)
    register_model(
        warehouse,
        spec,
        model_name=f"{spec.model_type} on {spec.feature_version}",
        model_version=spec.feature_version,
        model_format=SUFFIXES[spec.model_type][0].lstrip("."),
        test_mae=trained.test_mae,
        notes=f"trained by shadowline on {trained.train_rows} rows before {train_end}",
        lineage=Lineage(
            first,
            last,
            trained.train_rows,
            trained.library,
            trained.hyperparameters,
            fingerprint(rows, spec.feature_names),
        ),  # fmt: skip
    )
    write_profile(warehouse, profile_rows(spec.model_id, spec.feature_names, rows, "training rows"))


def training_rows(
    warehouse: Warehouse, feature_version: str, train_end: date
) -> tuple[tuple[str, ...], pa.Table]:
    """A feature set's names and its training rows before `train_end` (feature-store rows of
    players who played, with their feature-source columns and `actual_points`)."""
    try:
        names = resolve_feature_set(warehouse, feature_version)
    except FeatureSetError as error:
        raise ModelError(str(error)) from None
    rows = read_training_rows(warehouse, train_end)
    if rows.num_rows == 0:
        raise ModelError(
            f"no training rows before {train_end}: load box scores and build features first "
            "(`shadowline features build`), or run `shadowline demo`"
        )
    first, _ = window(rows)
    assert first is not None
    rows, problems = attach_sources(warehouse, rows, names, first, train_end - timedelta(days=1))
    why = unscorable(names, rows, problems)
    if why:
        raise ModelError(f"cannot train on feature_version {feature_version!r}: {why}")
    return names, rows


def profile_missing(
    warehouse: Warehouse, models: Sequence[tuple[str, str, tuple[str, ...]]], first: date
) -> None:
    """Give each (model_id, feature_version, names) without a stored training profile (added
    from a file or by INSERT) one, from the feature rows before `first`, the earliest date
    measured."""
    have = read_profiles(warehouse, [m for m, _, _ in models])
    for model_id, feature_version, names in models:
        if model_id in have:
            continue
        try:
            _, rows = training_rows(warehouse, feature_version, first)
        except ShadowlineError:
            continue  # nothing to compare with: the run reports why the model cannot run
        write_profile(
            warehouse, profile_rows(model_id, names, rows, f"feature rows before {first}")
        )


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
    try:
        names = resolve_feature_set(warehouse, feature_version)
    except FeatureSetError as error:
        raise ModelError(str(error)) from None
    local = ModelSpec(model_id, model_type, str(path.resolve()), feature_version, None, names)
    # in a process of its own: a library that aborts on a corrupt file cannot take this one down
    check_in_subprocess(local)  # raises ModelError naming what is wrong
    model_path = registry_path(path, model_root)
    if upload_to:
        from shadowline.tasks.models.storage import upload

        model_path = upload(path, upload_to)
    register_model(
        warehouse,
        ModelSpec(model_id, model_type, model_path, feature_version, None, names, sha256_of(path)),
        model_name=model_name,
        model_version=feature_version,
        model_format=path.suffix.lstrip("."),
        test_mae=test_mae,
        notes=notes,
        lineage=from_file(path, model_type),
    )
    return model_path
