"""Ray fan-out: one actor per model, one object-store copy per feature set, actors reused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tasks import scoring
from tasks.features import FEATURE_SETS
from tasks.models import ModelSpec, train_model
from tests.test_models import training_rows

pytestmark = pytest.mark.usefixtures("ray_session")


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> list[ModelSpec]:
    out = tmp_path_factory.mktemp("models")
    rows = training_rows()
    return [
        ModelSpec(kind, kind, str(train_model(kind, rows, "v1_basic", out, kind).path), "v1_basic")
        for kind in ("catboost", "xgboost", "lightgbm")
    ]


@pytest.fixture
def slate() -> pa.Table:
    rows = training_rows(n_dates=1, seed=5)
    extra = {n: pa.array(np.zeros(rows.num_rows)) for n in FEATURE_SETS["v2_context"]
             if n not in rows.column_names}  # fmt: skip
    table = rows.append_column("player_lookup", pa.array([f"p{i}" for i in range(rows.num_rows)]))
    for name, column in extra.items():
        table = table.append_column(name, column)
    return table


def test_models_sharing_a_feature_set_share_one_object_store_copy(
    specs: list[ModelSpec], slate: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    puts: list[object] = []
    real_put = ray.put
    monkeypatch.setattr(ray, "put", lambda value: puts.append(value) or real_put(value))
    results = scoring.score_models(specs, slate)
    assert [r.model_id for r in results] == ["catboost", "xgboost", "lightgbm"]
    assert all(r.error is None and r.predictions.num_rows == slate.num_rows for r in results)
    assert len(puts) == 1 and puts[0].column_names[1:] == list(FEATURE_SETS["v1_basic"])
    assert len({r.pid for r in results}) == 3  # each model scored in its own actor process


def test_actors_are_reused_across_dates_and_replaced_when_the_file_changes(
    specs: list[ModelSpec], slate: pa.Table, tmp_path: Path
) -> None:
    first = {r.model_id: r.pid for r in scoring.score_models(specs, slate)}
    again = {r.model_id: r.pid for r in scoring.score_models(specs, slate)}
    assert again == first
    moved = tmp_path / Path(specs[2].model_path).name
    moved.write_bytes(Path(specs[2].model_path).read_bytes())
    changed = [*specs[:2], ModelSpec("lightgbm", "lightgbm", str(moved), "v1_basic")]
    third = {r.model_id: r.pid for r in scoring.score_models(changed, slate)}
    assert third["catboost"] == first["catboost"] and third["lightgbm"] != first["lightgbm"]
    scoring.release_actors()


def test_a_reservation_that_cannot_fit_fails_before_any_actor_starts(
    specs: list[ModelSpec], slate: pa.Table
) -> None:
    from tasks.models import ModelError

    with pytest.raises(ModelError, match="lower SHADOWLINE_ACTOR_CPUS"):
        scoring.score_models(specs, slate, actor_cpus=1.0)  # 3 models x 1 CPU > 2 CPUs
