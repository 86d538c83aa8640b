"""The warehouse interface on a real DuckDB file: BigQuery SQL in, Arrow out, idempotent writes."""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from shadowline.tasks.warehouse import Warehouse, WarehouseError, open_warehouse, transpile

SCHEDULE = "nba_raw.schedule"


def games(*rows: tuple[str, str, str]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"game_id": g, "game_date": date(2026, 1, 8), "home_team_abbr": h, "away_team_abbr": a}
            for g, h, a in rows
        ]
    )


def test_schema_creation_is_idempotent_and_an_outdated_warehouse_is_updated(
    warehouse_url: str,
) -> None:
    views = ("v_ml_model_daily_performance", "v_ml_model_leaderboard", "v_ml_model_head_to_head")
    with open_warehouse(warehouse_url) as first:
        first.ensure_schema()
        first.ensure_schema(force=True)  # a second time over existing tables and views
        for view in views:
            assert first.query(f"select * from nba_predictions.{view}").num_rows == 0
        [current] = first.query("select fingerprint from nba_predictions.shadowline_schema")
        # as a warehouse of an older shadowline: a view missing, another fingerprint
        first.execute("drop view nba_predictions.v_ml_model_head_to_head")
        first.execute("update nba_predictions.shadowline_schema set fingerprint = 'old' where true")
    with open_warehouse(warehouse_url) as second:
        assert second.query("select * from nba_predictions.v_ml_model_head_to_head").num_rows == 0
        [updated] = second.query("select fingerprint from nba_predictions.shadowline_schema")
        assert updated == current
        # up to date, it runs no DDL: a view dropped by hand stays dropped until `init`
        second.execute("drop view nba_predictions.v_ml_model_head_to_head")
    with open_warehouse(warehouse_url) as third:
        with pytest.raises(WarehouseError, match="v_ml_model_head_to_head"):
            third.query("select * from nba_predictions.v_ml_model_head_to_head")
        third.ensure_schema(force=True)
        assert third.query("select * from nba_predictions.v_ml_model_head_to_head").num_rows == 0


def test_parameters_bind_by_name_and_only_where_used(warehouse: Warehouse) -> None:
    warehouse.write(SCHEDULE, games(("g1", "BOS", "NYK"), ("g2", "LAL", "GSW")))
    result = warehouse.query(
        "select game_id from nba_raw.schedule where home_team_abbr in unnest(@teams) "
        "and game_date = @day order by game_id",
        {"teams": ["LAL", "MIA"], "day": date(2026, 1, 8), "unused": 1},
    )
    assert result["game_id"].to_pylist() == ["g2"]
    with pytest.raises(WarehouseError, match="not given: day"):
        warehouse.query("select * from nba_raw.schedule where game_date = @day")


def test_countif_keeps_bigquery_semantics_over_no_rows(warehouse: Warehouse) -> None:
    result = warehouse.query("select countif(home_team_abbr = 'BOS') as n from nba_raw.schedule")
    assert result.schema.field("n").type == pa.int64() and result["n"].to_pylist() == [0]


def test_write_replaces_rows_with_the_same_key(warehouse: Warehouse) -> None:
    warehouse.write(SCHEDULE, games(("g1", "BOS", "NYK"), ("g2", "LAL", "GSW")), ["game_id"])
    warehouse.write(SCHEDULE, games(("g2", "LAC", "GSW"), ("g3", "MIA", "ORL")), ["game_id"])
    warehouse.write(SCHEDULE, games(("g2", "LAC", "GSW"), ("g3", "MIA", "ORL")), ["game_id"])
    rows = warehouse.query("select game_id, home_team_abbr from nba_raw.schedule order by 1")
    assert rows.to_pylist() == [
        {"game_id": "g1", "home_team_abbr": "BOS"},
        {"game_id": "g2", "home_team_abbr": "LAC"},
        {"game_id": "g3", "home_team_abbr": "MIA"},
    ]


def test_a_failed_write_leaves_the_previous_rows(warehouse: Warehouse) -> None:
    warehouse.write(SCHEDULE, games(("g1", "BOS", "NYK")), ["game_id"])
    bad = games(("g1", "BOS", "NYK"), ("g2", "LAL", "GSW")).set_column(
        2,
        "home_team_abbr",
        pa.array(["BOS", None]),  # NOT NULL column: the insert fails
    )
    with pytest.raises(WarehouseError):
        warehouse.write(SCHEDULE, bad, ["game_id"])
    rows = warehouse.query("select game_id from nba_raw.schedule")
    assert rows["game_id"].to_pylist() == ["g1"]  # the delete was rolled back with the insert


def test_unknown_warehouse_urls_say_what_to_use() -> None:
    with pytest.raises(WarehouseError, match="duckdb:///path.duckdb or bigquery://PROJECT"):
        open_warehouse("postgres://x")


def test_transpile_reports_bad_sql_in_one_line() -> None:
    with pytest.raises(WarehouseError, match="could not parse the SQL"):
        transpile("select (", "duckdb")


def test_every_sql_file_is_bigquery_sql_without_parameters_in_comments() -> None:
    import re

    from shadowline.tasks.warehouse.sql import SQL_DIR, sql_text

    files = sorted(SQL_DIR.rglob("*.sql"))
    assert len(files) >= 30
    # a template is checked as it runs, its placeholders (and its includes') filled with a name
    placeholder = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
    names = {p: "x" for path in files for p in placeholder.findall(path.read_text())}
    names.pop("key_match", None)
    for path in files:
        name = path.relative_to(SQL_DIR).with_suffix("").as_posix()
        text = sql_text(name, conditions={"key_match": "s.x = t.x"}, **names)
        assert transpile(text, "duckdb"), name
        # the BigQuery emulator counts @names in comments as parameters
        comments = [line for line in text.splitlines() if line.strip().startswith("--")]
        assert not [c for c in comments if "@" in c], name


def test_no_sql_statement_is_written_in_python() -> None:
    """Every statement shadowline runs is a file under sql/: no Python string holds one."""
    import ast

    import sqlglot
    from sqlglot import exp

    root = Path(__file__).resolve().parents[1]
    keyword = re.compile(
        r"^\s*(select|insert|update|delete|merge|create|drop|alter|with|begin|commit|rollback"
        r"|set)\s", re.IGNORECASE
    )  # fmt: skip
    kinds = (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Set,
             exp.Transaction, exp.Commit, exp.Rollback, exp.Drop, exp.Alter)  # fmt: skip

    def is_statement(text: str) -> bool:
        try:
            return isinstance(sqlglot.parse_one(text, read="bigquery"), kinds)
        except sqlglot.errors.SqlglotError:
            return False

    def text_of(node: ast.AST) -> str | None:
        """A string constant, or an f-string with each {value} read as a name."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
        return None

    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)  # docstrings are not SQL
    modules = [*root.joinpath("flows").rglob("*.py"), *root.joinpath("tasks").rglob("*.py")]
    found = []
    for path in sorted(modules):
        for node in ast.walk(ast.parse(path.read_text())):
            text = text_of(node)
            if text is not None and keyword.match(text) and is_statement(text):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {text[:40]!r}")
    assert found == []


def test_each_tables_arrow_schema_is_the_table_the_warehouse_creates(warehouse: Warehouse) -> None:
    """The Arrow schemas read from sql/tables/ (by sqlglot) match what DuckDB built from the
    same DDL: names, order, types and NOT NULL."""
    from shadowline.tasks.warehouse.schemas import arrow_schema, table_names

    assert len(table_names()) == 17
    for table in table_names():
        assert arrow_schema(table) == warehouse.table_schema(table), table


def _unwritable(path: Path) -> bool:
    """Make `path` a file this process cannot write: chmod for a user, the immutable flag for
    root (root writes through file modes). False when neither is possible here."""
    import os
    import subprocess

    if os.geteuid() != 0:
        path.chmod(0o444)
        return True
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    return done.returncode == 0


@pytest.mark.parametrize("kind", ["empty", "not a database", "damaged", "read-only"])
def test_a_warehouse_file_that_cannot_be_used_says_why_at_once_and_is_not_retried(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    from shadowline.flows.cli import main

    path = tmp_path / "warehouse.duckdb"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "not a database":
        path.write_text("game_id,game_date\n")
    else:
        with open_warehouse(f"duckdb:///{path}") as warehouse:
            warehouse.write(SCHEDULE, games(*[(f"g{i}", "BOS", "NYK") for i in range(5000)]))
        if kind == "damaged":  # every block after the header zeroed: checksums do not match
            data = path.read_bytes()
            path.write_bytes(data[:8192] + bytes(len(data) - 8192))
        elif not _unwritable(path):
            pytest.skip("no way to make a file unwritable here (root without chattr)")
    try:
        with pytest.raises(WarehouseError) as raised, open_warehouse(f"duckdb:///{path}") as w:
            w.query(f"select count(*) from {SCHEDULE}")
        expected = {
            "empty": "is an empty file: move it away",
            "not a database": "is not a DuckDB database (18 bytes): move it away",
            "damaged": "is damaged (",
            "read-only": "cannot be written (",
        }[kind]
        assert expected in str(raised.value) and not raised.value.transient
        assert main(["--warehouse", f"duckdb:///{path}", "leaderboard"]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("shadowline: error: the warehouse file ") and expected in err
        assert len(err.splitlines()) == 1
    finally:
        if kind == "read-only":
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)


@pytest.mark.parametrize("url", ["duckdb:///", "duckdb:///:memory:", "duckdb:///some/dir/"])
def test_a_duckdb_url_without_a_file_is_refused(url: str) -> None:
    with pytest.raises(WarehouseError, match="names no file, so nothing would be kept"):
        open_warehouse(url)
