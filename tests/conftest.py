"""Shared fixtures: the session's real services (Prefect, Ray, emulators), the demo warehouse and
the three test models, each built once per session."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Keep every Ray address on loopback (Ray would otherwise swap 127.0.0.1 for this machine's
# interface address); read when Ray is first imported, so set before anything imports it.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

from shadowline.tasks.core.settings import apply_runtime_defaults  # noqa: E402
from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.models.files import ModelSpec
from shadowline.tasks.models.fitting import train_model
from shadowline.tasks.resources import lend  # noqa: E402
from shadowline.tasks.scoring.pool import ScorerPool
from shadowline.tasks.warehouse import Warehouse, open_warehouse  # noqa: E402
from tests.samples import FRAMEWORKS, training_rows  # noqa: E402

apply_runtime_defaults()


@pytest.fixture(autouse=True)
def _clean_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's SHADOWLINE_* settings."""
    for key in list(os.environ):
        if key.startswith("SHADOWLINE_") and key != "SHADOWLINE_REPORTS_DIR":  # the run's own
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


# --- what the run starts at once --------------------------------------------------------------
# A real `prefect server start` (no UI, no scheduler), started as soon as pytest starts so that
# its boot (~9 s of database migrations) overlaps collection and the first modules. With `-n 2`
# the controller starts it and both test processes use it; each points PREFECT_API_URL at it
# before Prefect is imported. On a new clone, the emulators' venv is installed meanwhile too.

_UNUSED_SERVICES = (
    "TRIGGERS",
    "EVENT_PERSISTER",
    "EVENT_LOGGER",
    "FOREMAN",
    "CANCELLATION_CLEANUP",
    "PAUSE_EXPIRATIONS",
    "REPOSSESSOR",
    "CLEANUP_RECONCILER",
    "DB_VACUUM",
)


def pytest_configure(config: pytest.Config) -> None:
    worker = getattr(config, "workerinput", None)
    if worker is not None:  # a pytest-xdist worker: the controller's server
        os.environ["PREFECT_API_URL"] = worker["prefect_api_url"]
        os.environ["SHADOWLINE_REPORTS_DIR"] = worker["reports_dir"]
        return
    from tests import emulators

    home = Path(tempfile.mkdtemp(prefix="shadowline-prefect-"))
    port = emulators.free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": ""}
    # Only the services the tests read from: the task-run recorder (task runs and their retries)
    # stays on. The others (automations, the event store, ...) write to the same SQLite file as
    # every API call, and make each flow run about twice as slow. The deployment tests' server
    # runs with Prefect's defaults.
    for service in _UNUSED_SERVICES:
        env[f"PREFECT_SERVER_SERVICES_{service}_ENABLED"] = "false"
    config._prefect_server = emulators.start(  # type: ignore[attr-defined]
        [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1",
         "--port", str(port), "--no-ui", "--no-scheduler", "--no-late-runs"],
        home / "server.log", env,
    )  # fmt: skip
    config._prefect_home = home  # type: ignore[attr-defined]
    # every grading run writes a report: into this run's temporary folder, not the checkout's
    os.environ["SHADOWLINE_REPORTS_DIR"] = str(home / "reports")
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    config._emulators_install = emulators.install_in_background()  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """(pytest-xdist, in the controller) each test process gets the run's Prefect API and
    reports folder."""
    node.workerinput["prefect_api_url"] = os.environ["PREFECT_API_URL"]  # type: ignore[attr-defined]
    node.workerinput["reports_dir"] = os.environ["SHADOWLINE_REPORTS_DIR"]  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    from tests import emulators

    process = getattr(config, "_prefect_server", None)
    if process is not None:
        emulators.stop(process)
        shutil.rmtree(config._prefect_home, ignore_errors=True)  # type: ignore[attr-defined]
    install = getattr(config, "_emulators_install", None)
    if install is not None:  # still installing after a short run: the next run starts again
        emulators.stop(install)


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def prefect_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """The run's real Prefect API, once it answers, for every flow run in this process.

    Flow-run heartbeats are off here: Prefect joins its heartbeat thread, which sleeps in
    one-second steps, when a run ends, so each of the suite's ~60 runs would wait up to a second
    for nothing. The deployment tests run with Prefect's default."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    api_url = os.environ["PREFECT_API_URL"]
    process = getattr(request.config, "_prefect_server", None)  # None in a pytest-xdist worker
    deadline = time.monotonic() + 120
    while not _answers(f"{api_url}/health"):
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            pytest.fail(f"the Prefect API at {api_url} did not start", pytrace=False)
        time.sleep(0.2)
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _start_local_ray() -> None:
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)


@pytest.fixture(scope="session")
def start_local_ray() -> Iterator[Callable[[], None]]:
    """How the session starts its Ray; the one it started is stopped at the end."""
    import ray

    yield _start_local_ray
    if ray.is_initialized():
        ray.shutdown()


@pytest.fixture(scope="module")
def ray_session(start_local_ray: Callable[[], None]) -> None:
    """One local Ray with 2 CPUs for the whole session, started by the first module that needs
    it. It is also the Ray cluster that deployment runs join (RAY_ADDRESS)."""
    import ray

    if not ray.is_initialized():
        start_local_ray()


@pytest.fixture(scope="session")
def scorers(start_local_ray: Callable[[], None]) -> Iterator[ScorerPool]:
    """One set of scoring actors for the session, lent to every flow run of the tests that ask
    for it (as a backfill lends its own to each date): each model file is loaded once. A test
    that needs a flow run to own its actors runs it in a thread of its own (no lent pool)."""
    import ray

    if not ray.is_initialized():
        start_local_ray()
    with ScorerPool() as pool, lend(scorers=pool):
        yield pool


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small v1_basic model file per framework, trained once for the session."""
    out = tmp_path_factory.mktemp("models")
    rows = training_rows()
    return {
        kind: train_model(kind, rows, SHIPPED_SETS["v1_basic"], out, f"{kind}_test").path
        for kind in FRAMEWORKS
    }


@pytest.fixture(scope="session")
def trained_specs(trained: dict[str, Path]) -> list[ModelSpec]:
    return [ModelSpec(kind, kind, str(trained[kind]), "v1_basic") for kind in FRAMEWORKS]


@pytest.fixture(scope="session")
def demo_file(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    prefect_server: None,
    start_local_ray: Callable[[], None],
) -> Path:
    """A DuckDB file after `shadowline demo --days 2`: a season, features, five registered
    models (baseline catboost_v1, production catboost_v2), two graded game days. Built once
    per run (the first process to need it builds it, under a lock, for the others); tests work
    on copies."""
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # pytest-xdist: the workers' folders share one
        root = root.parent
    path = root / "demo" / "demo.duckdb"
    with FileLock(root / "demo.lock"):
        if not path.exists():
            import ray

            from shadowline.flows.demo import run_demo
            from shadowline.tasks.core.settings import Settings

            if not ray.is_initialized():
                start_local_ray()
            building = path.with_suffix(".building")
            building.parent.mkdir(exist_ok=True)
            settings = Settings(models_dir=path.parent / "models")
            run_demo(f"duckdb:///{building}", settings, days=2, say=lambda _: None)
            building.rename(path)
    return path


@pytest.fixture
def demo_url(demo_file: Path, tmp_path: Path) -> str:
    """A private copy of the demo warehouse."""
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

    from shadowline.tasks.models.storage import storage_client

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


# The order modules start in. With `-n 2` each process takes whole modules from the front of
# this list as it frees up (--no-loadscope-reorder keeps it): the long end-to-end module first,
# then the modules that need neither the demo warehouse nor Prefect nor Ray (they run while the
# other process builds the demo and the Prefect APIs boot), then the rest, longest first.
MODULE_ORDER = (
    "test_deployments",
    "test_demo_data",
    "test_models",
    "test_warehouse",
    "test_grading",
    "test_packaging",
    "test_storage",
    "test_scoring",
    "test_bigquery",
    "test_cli",
    "test_backfill",
    "test_experiment",
    "test_features",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.path.stem
        return MODULE_ORDER.index(module) if module in MODULE_ORDER else len(MODULE_ORDER)

    items.sort(key=rank)  # stable: a module's tests keep their order
