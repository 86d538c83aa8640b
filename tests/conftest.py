"""Shared fixtures: the session's real services (Prefect, Ray, emulators), the demo warehouse and
the three test models, each built once per session."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Keep every Ray address on loopback (Ray would otherwise swap 127.0.0.1 for this machine's
# interface address); read when Ray is first imported, so set before anything imports it.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

from shadowline.tasks.models import ModelSpec, train_model  # noqa: E402
from shadowline.tasks.resources import lend  # noqa: E402
from shadowline.tasks.scoring import ScorerPool  # noqa: E402
from shadowline.tasks.settings import apply_runtime_defaults  # noqa: E402
from shadowline.tasks.warehouse import Warehouse, open_warehouse  # noqa: E402
from tests.samples import FRAMEWORKS, training_rows  # noqa: E402

apply_runtime_defaults()


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's SHADOWLINE_* settings."""
    for key in list(os.environ):
        if key.startswith("SHADOWLINE_"):
            monkeypatch.delenv(key)


@pytest.fixture
def warehouse_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    """A real DuckDB file with every dataset, table and view."""
    with open_warehouse(warehouse_url) as opened:
        opened.ensure_schema()
        yield opened


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A real (temporary) Prefect API for every flow run in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _start_local_ray() -> None:
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)


@pytest.fixture(scope="session")
def start_local_ray() -> Callable[[], None]:
    """How the session starts its Ray (for a test that must stop it for a while)."""
    return _start_local_ray


@pytest.fixture(scope="session")
def ray_session(start_local_ray: Callable[[], None]) -> Iterator[None]:
    """One local Ray with 2 CPUs for the whole session."""
    import ray

    if not ray.is_initialized():
        start_local_ray()
    yield
    if ray.is_initialized():
        ray.shutdown()


@pytest.fixture(scope="module")
def scorers(ray_session: None) -> Iterator[ScorerPool]:
    """One set of scoring actors per test module, lent to every flow run in it (as a backfill
    lends its own to each date): each model file is loaded once per module."""
    with ScorerPool() as pool, lend(scorers=pool):
        yield pool


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small v1_basic model file per framework, trained once for the session."""
    out = tmp_path_factory.mktemp("models")
    rows = training_rows()
    return {
        kind: train_model(kind, rows, "v1_basic", out, f"{kind}_test").path for kind in FRAMEWORKS
    }


@pytest.fixture(scope="session")
def trained_specs(trained: dict[str, Path]) -> list[ModelSpec]:
    return [ModelSpec(kind, kind, str(trained[kind]), "v1_basic") for kind in FRAMEWORKS]


@pytest.fixture(scope="session")
def demo_file(
    tmp_path_factory: pytest.TempPathFactory, prefect_server: None, ray_session: None
) -> Path:
    """A DuckDB file after `shadowline demo --days 2`: a season, features, four registered
    models (baseline catboost_v1, production catboost_v2), two graded game days. Built once;
    tests work on copies."""
    from shadowline.flows.demo import run_demo
    from shadowline.tasks.settings import Settings

    root = tmp_path_factory.mktemp("demo")
    path = root / "demo.duckdb"
    run_demo(f"duckdb:///{path}", Settings(models_dir=root / "models"), days=2, say=lambda _: None)
    return path


@pytest.fixture
def demo_url(demo_file: Path, tmp_path: Path) -> str:
    """A private copy of the demo warehouse."""
    import shutil

    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, copy)
    return f"duckdb:///{copy}"


@pytest.fixture
def demo_warehouse(demo_url: str) -> Iterator[Warehouse]:
    """The private copy, open (flow runs open their own connections beside it)."""
    with open_warehouse(demo_url) as opened:
        yield opened


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
    """The BigQuery emulator on a free loopback port."""
    yield from _serve("bigquery_emulator", tmp_path_factory.mktemp("bqemulator"))


@pytest.fixture
def bigquery_url(bigquery_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh project on the emulator; shadowline creates its datasets on first use."""
    import uuid

    monkeypatch.setenv("SHADOWLINE_BIGQUERY_ENDPOINT", bigquery_endpoint)
    return f"bigquery://test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Cloud Storage emulator on a free loopback port."""
    yield from _serve("storage_emulator", tmp_path_factory.mktemp("gcs"))


@pytest.fixture
def gcs_bucket(gcs_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fresh bucket on the emulator; shadowline's clients point there, its cache in tmp."""
    import uuid

    from shadowline.tasks.storage import storage_client

    monkeypatch.setenv("SHADOWLINE_GCS_ENDPOINT", gcs_endpoint)
    monkeypatch.setenv("SHADOWLINE_MODEL_CACHE_DIR", str(tmp_path / "model-cache"))
    name = f"models-{uuid.uuid4().hex[:10]}"
    storage_client().create_bucket(name)
    return name


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The code runs as installed, `shadowline.*`: a test that imported the checkout's folders as
    top-level `tasks` or `flows` would load a second copy of every module it touches."""
    import sys

    stray = sorted(name for name in ("tasks", "flows") if name in sys.modules)
    if stray:
        print(f"\nimported as top-level packages (use shadowline.*): {', '.join(stray)}")
        session.exitstatus = 1
