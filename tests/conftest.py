from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import tasks  # noqa: F401  (quiet runtime defaults)
from tasks.warehouse import Warehouse, close_all, open_warehouse


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

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()
