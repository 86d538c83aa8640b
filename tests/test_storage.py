"""Model files in Cloud Storage (the gcp-storage-emulator): load, cache, refuse with reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shadowline.flows.cli import main
from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.models.files import (
    ModelError,
    ModelSpec,
    feature_matrix,
    load_model,
    sha256_of,
)
from shadowline.tasks.models.storage import fetch, storage_client, upload
from tests.samples import training_rows

V1 = SHIPPED_SETS["v1_basic"]


@pytest.mark.parametrize("kind", ["catboost", "xgboost", "lightgbm"])
def test_each_framework_loads_from_gcs_like_from_disk(
    trained: dict[str, Path],
    gcs_bucket: str,
    kind: str,
) -> None:
    local = trained[kind]
    uri = upload(local, f"gs://{gcs_bucket}/{kind}/{local.name}")
    spec = ModelSpec("m", kind, uri, "v1_basic", model_sha256=sha256_of(local))
    rows = feature_matrix(training_rows(n_dates=1, seed=4), V1)
    remote = load_model(spec).predict(rows)
    on_disk = load_model(ModelSpec("m", kind, str(local), "v1_basic")).predict(rows)
    assert np.array_equal(remote, on_disk)


def test_a_download_is_reused_until_the_object_changes(
    trained: dict[str, Path],
    gcs_bucket: str,
) -> None:
    uri = upload(trained["lightgbm"], f"gs://{gcs_bucket}/m.txt")
    first = fetch(uri)
    stamp = first.stat().st_mtime_ns
    assert fetch(uri) == first and first.stat().st_mtime_ns == stamp  # not downloaded again
    upload(trained["lightgbm"], uri)  # a new generation of the same object
    assert fetch(uri) != first


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("gs://{bucket}/missing.cbm", "object gs://{bucket}/missing.cbm not found"),
        ("gs://no-such-bucket-x/m.cbm", "bucket no-such-bucket-x not found"),
    ],
)
def test_missing_objects_and_buckets_are_refused_like_missing_files(
    gcs_bucket: str, uri: str, reason: str
) -> None:
    with pytest.raises(ModelError) as error:
        load_model(ModelSpec("m", "catboost", uri.format(bucket=gcs_bucket), "v1_basic"))
    assert reason.format(bucket=gcs_bucket) in str(error.value)


def test_a_checksum_mismatch_is_refused(
    trained: dict[str, Path],
    gcs_bucket: str,
) -> None:
    uri = upload(trained["catboost"], f"gs://{gcs_bucket}/m.cbm")
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_model(ModelSpec("m", "catboost", uri, "v1_basic", model_sha256="0" * 64))


def test_registry_add_uploads_checks_and_registers(
    trained: dict[str, Path],
    gcs_bucket: str,
    warehouse_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from shadowline.tasks.registry.entries import read_models
    from shadowline.tasks.warehouse import open_warehouse

    uri = f"gs://{gcs_bucket}/prod/xgb.json"
    args = ["--warehouse", warehouse_url, "registry", "add", "--model-id", "xgb_v1",
            "--model-type", "xgboost", "--feature-version", "v1_basic",
            "--file", str(trained["xgboost"]), "--upload", uri]  # fmt: skip
    assert main(args) == 0
    with open_warehouse(warehouse_url) as warehouse:
        [model] = read_models(warehouse, "xgb_v1")
    assert model.spec.model_path == uri and model.spec.model_sha256 == sha256_of(trained["xgboost"])
    assert load_model(model.spec).feature_names == V1
    # a file that does not match its feature set is neither uploaded nor registered
    bad = [*args[:9], "v2_context", *args[10:-1], f"gs://{gcs_bucket}/bad.json"]
    capsys.readouterr()
    assert main(bad) == 1
    assert "has 6 features but feature_version 'v2_context' has 17" in capsys.readouterr().err
    with open_warehouse(warehouse_url) as warehouse:
        registered = warehouse.query(
            "select model_id from nba_predictions.ml_model_registry where model_path = @p",
            {"p": f"gs://{gcs_bucket}/bad.json"},
        )
    assert registered.num_rows == 0
    assert storage_client().bucket(gcs_bucket).get_blob("bad.json") is None
