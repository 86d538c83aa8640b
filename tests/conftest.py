from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Keep every Ray address on loopback (Ray would otherwise swap 127.0.0.1 for this machine's
# interface address); read when Ray is first imported, so set before anything imports it.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

import tasks  # noqa: E402, F401  (quiet runtime defaults)
from tasks.warehouse import Warehouse, close_all, open_warehouse  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's SHADOWLINE_* settings."""
    for key in list(os.environ):
        if key.startswith("SHADOWLINE_"):
            monkeypatch.delenv(key)


@pytest.fixture
def warehouse_url(tmp_path: Path) -> Iterator[str]:
    yield f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    close_all()


@pytest.fixture
def warehouse(warehouse_url: str) -> Warehouse:
    """A real DuckDB file with every dataset, table and view."""
    return open_warehouse(warehouse_url)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A real (temporary) Prefect API for every flow run in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    """One local Ray with 2 CPUs per test module."""
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> Path:
    """A DuckDB file after `shadowline demo --days 2`: a season, features, four registered
    models (baseline catboost_v1, production catboost_v2), two graded game days. Built once;
    tests work on copies."""
    import ray

    from flows.demo import run_demo
    from tasks.scoring import release_actors
    from tasks.settings import Settings

    root = tmp_path_factory.mktemp("demo")
    path = root / "demo.duckdb"
    settings = Settings(models_dir=root / "models")
    run_demo(f"duckdb:///{path}", settings, days=2, say=lambda _: None)
    release_actors()
    ray.shutdown()
    close_all()
    return path


@pytest.fixture
def demo_url(demo_file: Path, tmp_path: Path) -> Iterator[str]:
    """A private copy of the demo warehouse."""
    import shutil

    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, copy)
    yield f"duckdb:///{copy}"
    close_all()


def _serve(emulator: str, workdir: Path) -> Iterator[str]:
    """Run one of tests/emulators.py's emulators for the session. If it cannot start, the
    tests that need it fail with the reason: they are never skipped."""
    from tests import emulators

    try:
        with getattr(emulators, emulator)(workdir) as endpoint:
            yield endpoint
    except emulators.EmulatorError as error:
        pytest.fail(f"{emulator} could not start: {error}", pytrace=False)


@pytest.fixture(scope="session")
def bigquery_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The BigQuery emulator on a free loopback port (installed on first use)."""
    yield from _serve("bigquery_emulator", tmp_path_factory.mktemp("bqemulator"))


@pytest.fixture
def bigquery_url(bigquery_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh project on the emulator; shadowline creates its datasets on first use."""
    import uuid

    monkeypatch.setenv("SHADOWLINE_BIGQUERY_ENDPOINT", bigquery_endpoint)
    yield f"bigquery://test-{uuid.uuid4().hex[:10]}"
    close_all()


@pytest.fixture(scope="session")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Cloud Storage emulator on a free loopback port (installed on first use)."""
    yield from _serve("storage_emulator", tmp_path_factory.mktemp("gcs"))


@pytest.fixture
def gcs_bucket(gcs_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fresh bucket on the emulator; shadowline's clients point there, its cache in tmp."""
    import uuid

    from tasks.storage import storage_client

    monkeypatch.setenv("SHADOWLINE_GCS_ENDPOINT", gcs_endpoint)
    monkeypatch.setenv("SHADOWLINE_MODEL_CACHE_DIR", str(tmp_path / "model-cache"))
    name = f"models-{uuid.uuid4().hex[:10]}"
    storage_client().create_bucket(name)
    return name
