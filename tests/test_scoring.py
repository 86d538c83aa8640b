"""Ray fan-out: a few actors (by cores and a memory budget) that load the models they are given
and keep them, one object-store copy per feature set, actors reused for the pool's lifetime and
stopped with it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pytest

from shadowline.tasks.core.settings import Settings
from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.models.files import ModelError, ModelSpec
from shadowline.tasks.resources import lend, scorers_for_run
from shadowline.tasks.scoring.pool import ScorerPool
from tests.samples import training_rows

pytestmark = pytest.mark.usefixtures("ray_session")
T = TypeVar("T")


@pytest.fixture
def slate() -> pa.Table:
    rows = training_rows(n_dates=1, seed=5)
    extra = {n: pa.array(np.zeros(rows.num_rows)) for n in SHIPPED_SETS["v2_context"]
             if n not in rows.column_names}  # fmt: skip
    table = rows.append_column("player_lookup", pa.array([f"p{i}" for i in range(rows.num_rows)]))
    for name, column in extra.items():
        table = table.append_column(name, column)
    return table


def exits(pid: int, timeout: float = 20.0) -> bool:
    """Whether process `pid` (an actor's worker) is gone within `timeout` seconds."""
    import os
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_models_sharing_a_feature_set_share_one_object_store_copy(
    trained_specs: list[ModelSpec], slate: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    puts: list[object] = []
    real_put = ray.put
    monkeypatch.setattr(ray, "put", lambda value: puts.append(value) or real_put(value))
    with ScorerPool() as pool:
        results = pool.score(trained_specs, slate)
    assert [r.model_id for r in results] == ["catboost", "xgboost", "lightgbm"]
    assert all(r.error is None and r.predictions.num_rows == slate.num_rows for r in results)
    # one float64 matrix of the feature set's columns, in order, shared by the three actors
    [matrix] = puts
    assert matrix.shape == (slate.num_rows, len(SHIPPED_SETS["v1_basic"]))
    assert np.array_equal(
        matrix[:, 0], slate["pts_avg_last_5"].to_numpy(zero_copy_only=False), equal_nan=True
    )
    assert len({r.pid for r in results}) == 2  # one actor per core, not one per model


def test_a_large_batch_is_scored_in_chunks_with_the_rows_of_one_call(
    trained_specs: list[ModelSpec], slate: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut into chunks that the actors take two at a time (one per core), the predictions are
    those of scoring the whole batch in this process, row for row, in the batch's order."""
    import shadowline.tasks.scoring.chunks as chunks
    from shadowline.tasks.scoring.scorer import ModelScorer

    big = pa.concat_tables([slate] * 5)
    monkeypatch.setattr(chunks, "MIN_CHUNK_ROWS", big.num_rows // 20 + 1)
    monkeypatch.setattr(chunks, "MAX_CHUNK_ROWS", big.num_rows // 6 + 1)
    assert len(chunks.chunk_bounds(big.num_rows, 2)) >= 7  # chunks of several sizes per model
    with ScorerPool() as pool:
        results = pool.score(trained_specs, big)
    for spec, result in zip(trained_specs, results, strict=True):
        alone = ModelScorer(spec).score(big)
        assert result.error is None and result.predictions is not None
        assert result.predictions.equals(alone.predictions), spec.model_id


@pytest.mark.parametrize("slots", [1, 2, 16])
def test_chunks_tile_the_batch_long_first_and_short_last(slots: int) -> None:
    from shadowline.tasks.scoring.chunks import MAX_CHUNK_ROWS, MIN_CHUNK_ROWS, chunk_bounds

    for rows in [0, 1, MIN_CHUNK_ROWS, MIN_CHUNK_ROWS + 1, 300_001, 1_000_000, 5_000_000]:
        bounds = chunk_bounds(rows, slots)
        assert [start for start, _ in bounds] == [0] + [stop for _, stop in bounds[:-1]]
        assert bounds[-1][1] == rows
        sizes = [stop - start for start, stop in bounds]
        assert sizes == sorted(sizes, reverse=True), (rows, sizes)
        assert all(MIN_CHUNK_ROWS <= n <= MAX_CHUNK_ROWS for n in sizes[:-1]), (rows, sizes)
    assert len(chunk_bounds(1_000_000, 2)) < 1_000_000 / MIN_CHUNK_ROWS / 2  # few calls


def test_models_stay_loaded_for_the_pools_lifetime_and_reload_when_the_file_changes(
    trained_specs: list[ModelSpec], slate: pa.Table, tmp_path: Path
) -> None:
    with ScorerPool() as pool:
        first = pool.score(trained_specs, slate)
        again = pool.score(trained_specs, slate)
        assert all(r.loaded for r in first) and not any(r.loaded for r in again)
        assert [r.pid for r in again] == [r.pid for r in first]
        assert pool.actors_started == 2 and pool.models_loaded == 3
        moved = tmp_path / Path(trained_specs[2].model_path).name
        moved.write_bytes(Path(trained_specs[2].model_path).read_bytes())
        changed = [*trained_specs[:2], ModelSpec("lightgbm", "lightgbm", str(moved), "v1_basic")]
        third = {r.model_id: r.loaded for r in pool.score(changed, slate)}
        assert third == {"catboost": False, "xgboost": False, "lightgbm": True}
        pids = {r.pid for r in first}
    assert all(exits(pid) for pid in pids)  # the actors stop with the pool


def test_many_models_share_the_cores_actors_and_a_tight_budget_fewer(
    trained_specs: list[ModelSpec], slate: pa.Table
) -> None:
    """30 registry entries (the 3 files, 10 ids each) on 2 actors, each model loaded once for
    the pool; a budget with room for one actor scores them all on one."""
    from dataclasses import replace

    many = [replace(s, model_id=f"{s.model_id}_{i:02d}") for s in trained_specs for i in range(10)]
    with ScorerPool() as pool:
        results = pool.score(many, slate)
        assert [r.model_id for r in results] == [s.model_id for s in many]
        assert all(r.predictions is not None and r.loaded for r in results)
        assert len({r.pid for r in results}) == pool.actors_started == 2
        assert not any(r.loaded for r in pool.score(many, slate))  # all kept: they fit
    with ScorerPool(memory_mib=256) as tight:
        results = tight.score(many, slate)
        assert all(r.predictions is not None for r in results)
        assert len({r.pid for r in results}) == tight.actors_started == 1


def test_an_actor_keeps_the_models_that_fit_its_budget_least_recently_used_out_first(
    trained_specs: list[ModelSpec], slate: pa.Table
) -> None:
    from shadowline.tasks.models.files import feature_matrix
    from shadowline.tasks.scoring.host import ScorerHost, loaded_size

    sizes = [loaded_size(s) for s in trained_specs]
    host = ScorerHost(budget_bytes=sizes[0] + sizes[1])  # the first two fit together
    matrix = feature_matrix(slate, SHIPPED_SETS["v1_basic"])
    for spec in trained_specs[:2]:
        assert host.predict(spec.model_id, spec, matrix).loaded
    assert not host.predict("catboost", trained_specs[0], matrix).loaded  # now the newest
    assert host.predict("lightgbm", trained_specs[2], matrix).loaded
    assert host.held() == ["catboost", "lightgbm"][: len(host.held())]  # xgboost went first
    assert "xgboost" not in host.held() and host.loads == 3


def test_a_reservation_bounds_the_actors_and_one_too_big_fails_before_any_starts(
    trained_specs: list[ModelSpec], slate: pa.Table
) -> None:
    with ScorerPool(actor_cpus=1.0) as pool:  # 3 models, 1 CPU each: 2 actors on 2 CPUs
        assert all(r.predictions is not None for r in pool.score(trained_specs, slate))
        assert pool.actors_started == 2
    with ScorerPool(actor_cpus=3.0) as pool:
        with pytest.raises(ModelError, match="lower it"):
            pool.score(trained_specs, slate)
        assert pool.actors_started == 0


def in_a_thread_of_its_own(work: Callable[[], T]) -> T:
    """Run `work` where nothing is lent (a new thread starts with empty context variables)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def test_a_run_owns_its_actors_unless_an_owner_lends_it_theirs(
    trained_specs: list[ModelSpec], slate: pa.Table
) -> None:
    def alone() -> list[int]:
        with scorers_for_run(Settings()) as pool:
            return [r.pid for r in pool.score(trained_specs, slate)]

    pids = in_a_thread_of_its_own(alone)
    assert len(pids) == 3 and all(exits(pid) for pid in pids)  # stopped when the run ended

    def inside_an_owner() -> tuple[list[int], list[int]]:
        with ScorerPool() as owner, lend(scorers=owner):
            with scorers_for_run(Settings()) as borrowed:
                assert borrowed is owner
                first = [r.pid for r in borrowed.score(trained_specs, slate)]
            # the run is over, the owner's actors live on for the next one
            return first, [r.pid for r in owner.score(trained_specs, slate)]

    first, again = in_a_thread_of_its_own(inside_an_owner)
    assert again == first and all(exits(pid) for pid in first)  # until the owner closes


def _crashing_lightgbm(trained: dict[str, Path], tmp_path: Path) -> Path:
    """A LightGBM text file whose first tree's split_feature line is garbage: LightGBM's C++
    loader aborts the process on it (SIGABRT)."""
    import re

    text = trained["lightgbm"].read_text()
    bad = tmp_path / "crashes.txt"
    bad.write_text(re.sub(r"^split_feature=.*$", "split_feature=99999 -5 abc 7", text, count=1,
                          flags=re.MULTILINE))  # fmt: skip
    return bad


def test_a_model_library_that_crashes_is_named_in_the_result_and_ray_stays_quiet(
    trained: dict[str, Path],
    trained_specs: list[ModelSpec],
    slate: pa.Table,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bad = _crashing_lightgbm(trained, tmp_path)
    crashing = ModelSpec("crashes", "lightgbm", str(bad), "v1_basic")
    with ScorerPool() as pool:
        results = pool.score([crashing, *trained_specs], slate)
    by_id = {r.model_id: r for r in results}
    assert by_id["crashes"].predictions is None
    assert by_id["crashes"].error.startswith(
        f"the lightgbm library crashed while loading {bad} (signal 6, SIGABRT)"
    )
    assert all(by_id[s.model_id].predictions is not None for s in trained_specs)  # others land
    out, err = capfd.readouterr()
    assert "(raylet)" not in out + err and "A worker died" not in out + err


def test_registry_add_checks_a_file_in_a_process_of_its_own(
    trained: dict[str, Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from shadowline.flows.cli import main

    bad = _crashing_lightgbm(trained, tmp_path)
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    args = ["--warehouse", url, "registry", "add", "--model-type", "lightgbm",
            "--feature-version", "v1_basic"]  # fmt: skip
    capfd.readouterr()
    assert main([*args, "--model-id", "crashes", "--file", str(bad)]) == 1
    out, err = capfd.readouterr()
    assert out == "" and err.strip() == (
        f"shadowline: error: the lightgbm library crashed while loading {bad} (signal 6, "
        "SIGABRT): the file is corrupt or was written by an incompatible version; retrain or "
        "replace it"
    )
    assert main([*args, "--model-id", "fine", "--file", str(trained["lightgbm"])]) == 0


def test_registry_add_of_a_file_whose_bytes_the_library_prints_is_one_line(
    trained: dict[str, Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Raw bytes where LightGBM's header says a tree starts: its C++ loader prints the line it
    met there, not UTF-8, and aborts. The check reads the child's output as bytes."""
    from shadowline.flows.cli import main

    text = trained["lightgbm"].read_bytes()
    start = text.index(b"\n\nTree=1\n") + 1
    bad = tmp_path / "raw_bytes.txt"
    bad.write_bytes(text[:start] + b"\xff\xfe\xfd\xfc" + text[start:])
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    capfd.readouterr()
    args = ["--warehouse", url, "registry", "add", "--model-type", "lightgbm",
            "--feature-version", "v1_basic", "--model-id", "raw", "--file", str(bad)]  # fmt: skip
    code = main(args)
    out, err = capfd.readouterr()
    assert code == 1 and out == ""
    assert err.startswith("shadowline: error: ") and str(bad) in err
    assert len(err.splitlines()) == 1 and "corrupt" in err
