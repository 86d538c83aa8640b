"""What `pip install .` puts into an environment: one `shadowline` package, and everything it
reads at run time (the SQL files, the demo's names) inside it."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip install .` builds, from a copy of the sources (the build leaves files
    behind, which must not land in the checkout)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("flows", "tasks", "sql"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    [built] = out.glob("shadowline-*.whl")
    return built


def test_the_wheel_installs_one_shadowline_package_and_no_generic_names(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"shadowline", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    sql_files = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("sql/**/*.sql")}
    assert {f"shadowline/{f}" for f in sql_files} <= set(names)  # every SQL file ships
    # every module ships: a new sub-package left out of pyproject.toml's list would not
    modules = {
        p.relative_to(ROOT).as_posix()
        for d in ("flows", "tasks")
        for p in ROOT.glob(f"{d}/**/*.py")
    }
    assert {f"shadowline/{f}" for f in modules} - set(names) == set()
    data = {p.name for p in ROOT.glob("tasks/demo/data/*")}
    assert {f"shadowline/tasks/demo/data/{f}" for f in data} <= set(names)


def test_the_installed_package_runs_from_its_own_files(wheel: Path, tmp_path: Path) -> None:
    """Installed (not editable), the warehouse finds its SQL and the demo its names in the
    installed package, not in a checkout."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert sorted(p.name for p in target.iterdir() if not p.name.endswith(".dist-info")) == [
        "bin",
        "shadowline",
    ]
    probe = """
import sys
import shadowline.tasks.warehouse.sql as sql
from shadowline.tasks.demo.names import TEAMS
from shadowline.tasks.warehouse import open_warehouse
from shadowline.tasks.warehouse.schemas import arrow_schema
with open_warehouse("duckdb:///" + sys.argv[1]) as warehouse:
    warehouse.ensure_schema()
    assert warehouse.table_schema("nba_raw.schedule") == arrow_schema("nba_raw.schedule")
print(sql.SQL_DIR, len(TEAMS))
"""
    # -S: no .pth files, so the editable install of this checkout cannot answer the imports
    paths = [str(target), *site.getsitepackages()]
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe, str(tmp_path / "probe.duckdb")],
        env={"PYTHONPATH": ":".join(paths)},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sql_dir, teams = done.stdout.split()
    assert Path(sql_dir) == target / "shadowline" / "sql" and teams == "30"
