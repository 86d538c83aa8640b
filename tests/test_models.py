"""Model files: training, loading all three frameworks, and refusing bad ones with reasons."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.models.files import ModelError, ModelSpec, feature_matrix, load_model
from shadowline.tasks.scoring.scorer import ModelScorer
from tests.samples import training_rows

V1 = SHIPPED_SETS["v1_basic"]


def spec_for(path: Path | str, kind: str = "catboost", **changes: object) -> ModelSpec:
    fields = dict(model_id="m", model_type=kind, model_path=str(path), feature_version="v1_basic")
    fields.update(changes)
    return ModelSpec(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["catboost", "xgboost", "lightgbm"])
def test_each_framework_loads_its_native_file_and_predicts(
    trained: dict[str, Path], kind: str
) -> None:
    rows = training_rows(n_dates=1, seed=2)
    model = load_model(spec_for(trained[kind], kind))
    assert model.feature_names == V1
    predicted = model.predict(feature_matrix(rows, V1))
    errors = np.abs(predicted - rows["actual_points"].to_numpy())
    assert predicted.shape == (rows.num_rows,) and errors.mean() < 5.0  # it learned the signal


def test_file_uri_and_registry_checksum_are_accepted(trained: dict[str, Path]) -> None:
    from shadowline.tasks.models.files import sha256_of

    path = trained["lightgbm"]
    model = load_model(spec_for(path.as_uri(), "lightgbm", model_sha256=sha256_of(path)))
    assert model.sha256 == sha256_of(path)


@pytest.mark.parametrize(
    ("make_spec", "reason"),
    [
        (lambda t, tmp: spec_for(tmp / "nope.cbm"), "not found (registry model_path"),
        (lambda t, tmp: spec_for(t["catboost"], "sklearn"), "unknown model_type 'sklearn'"),
        (
            lambda t, tmp: spec_for(t["catboost"], feature_version="v9_36features"),
            "unknown feature_version 'v9_36features'",
        ),
        (
            lambda t, tmp: spec_for(t["xgboost"], "xgboost", feature_version="v2_context"),
            "the file has 6 features but feature_version 'v2_context' has 17",
        ),
        (
            lambda t, tmp: spec_for(t["lightgbm"], "lightgbm", feature_names=tuple(reversed(V1))),
            "feature 0 of the file is 'pts_avg_last_5' but",
        ),
        (lambda t, tmp: spec_for(t["catboost"], feature_count=36), "registry feature_count is 36"),
        (lambda t, tmp: spec_for(t["catboost"], model_sha256="0" * 64), "checksum mismatch"),
        (lambda t, tmp: spec_for(t["catboost"], "xgboost"), "could not read"),
    ],
)
def test_bad_models_are_refused_with_an_actionable_reason(
    trained: dict[str, Path], tmp_path: Path, make_spec, reason: str
) -> None:
    with pytest.raises(ModelError, match=None) as error:
        load_model(make_spec(trained, tmp_path))
    assert reason in str(error.value)


@pytest.mark.parametrize("kind", ["catboost", "xgboost", "lightgbm"])
def test_a_corrupt_file_is_refused(trained: dict[str, Path], tmp_path: Path, kind: str) -> None:
    original = trained[kind].read_bytes()
    corrupt = tmp_path / trained[kind].name
    corrupt.write_bytes(original[: len(original) // 3])
    with pytest.raises(ModelError, match="could not read .* corrupt"):
        load_model(spec_for(corrupt, kind))


def test_pickle_files_are_refused_even_when_renamed(tmp_path: Path) -> None:
    payload = pickle.dumps({"not": "a model"})
    for name in ("model.pkl", "model.cbm"):
        (tmp_path / name).write_bytes(payload)
        with pytest.raises(ModelError, match="pickle"):
            load_model(spec_for(tmp_path / name))


def test_scorer_reports_load_errors_and_clamps_predictions(
    trained: dict[str, Path], tmp_path: Path
) -> None:
    rows = training_rows(n_dates=1, seed=3).append_column(
        "player_lookup", pa.array([f"p{i}" for i in range(40)])
    )
    broken = ModelScorer(spec_for(tmp_path / "missing.cbm")).score(rows)
    assert broken.predictions is None and "not found" in (broken.error or "")
    clamped = ModelScorer(spec_for(trained["catboost"]), min_points=0, max_points=5).score(rows)
    values = clamped.predictions["predicted_points"].to_numpy()  # type: ignore[index]
    assert clamped.error is None and values.max() <= 5 and values.min() >= 0
