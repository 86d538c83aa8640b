"""The warehouse interface on a real DuckDB file: BigQuery SQL in, Arrow out, idempotent writes."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from tasks.warehouse import Warehouse, WarehouseError, open_warehouse, transpile

SCHEDULE = "nba_raw.schedule"


def games(*rows: tuple[str, str, str]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"game_id": g, "game_date": date(2026, 1, 8), "home_team_abbr": h, "away_team_abbr": a}
            for g, h, a in rows
        ]
    )


def test_schema_creation_is_idempotent(warehouse_url: str) -> None:
    first = open_warehouse(warehouse_url)
    first._schema_ready = False
    first.ensure_schema()  # a second time over existing tables and views
    for view in (
        "v_ml_model_daily_performance",
        "v_ml_model_leaderboard",
        "v_ml_model_head_to_head",
    ):
        assert first.query(f"select * from nba_predictions.{view}").num_rows == 0


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
    from tasks.warehouse import SQL_DIR

    files = sorted(SQL_DIR.rglob("*.sql"))
    assert len(files) >= 20
    for path in files:
        text = path.read_text()
        assert transpile(text, "duckdb"), path.name
        # the BigQuery emulator counts @names in comments as parameters
        comments = [line for line in text.splitlines() if line.strip().startswith("--")]
        assert not [c for c in comments if "@" in c], path.name
