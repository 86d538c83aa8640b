"""The BigQuery backend over BigQuery's wire protocol (the bqemulator), against DuckDB."""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from shadowline.flows.cli import main
from shadowline.tasks.warehouse import Warehouse, WarehouseError, open_warehouse
from tests.samples import (
    DEMO_MODEL_IDS,
    DEMO_WINDOW,
    SEED_DAILY,
    SEED_HEAD_TO_HEAD,
    SEED_LEADERBOARD,
    SEED_PROMOTE,
    SEED_REGISTER,
    SEED_UNPROMOTE,
)

WINDOW = DEMO_WINDOW  # the demo fixture's two graded game days


def test_the_seeds_sql_runs_verbatim_on_bigquery(
    bigquery_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--warehouse", bigquery_url, "query", SEED_REGISTER]) == 0
    assert "1 rows affected" in capsys.readouterr().out
    for sql in (SEED_DAILY, SEED_LEADERBOARD, SEED_HEAD_TO_HEAD, SEED_UNPROMOTE, SEED_PROMOTE):
        assert main(["--warehouse", bigquery_url, "query", sql]) == 0
    with open_warehouse(bigquery_url) as warehouse:
        registry = warehouse.query(
            "select model_id, is_production, enabled from nba_predictions.ml_model_registry"
        )
    assert registry.to_pylist() == [
        {"model_id": "catboost_v9", "is_production": True, "enabled": True}
    ]


def test_writes_replace_by_key_and_a_failed_write_keeps_the_previous_rows(
    bigquery_url: str,
) -> None:
    with open_warehouse(bigquery_url) as warehouse:
        _replace_and_fail(warehouse)


def _replace_and_fail(warehouse: Warehouse) -> None:
    rows = pa.table(
        {
            "game_id": ["g1", "g2"],
            "game_date": pa.array([date(2026, 1, 8)] * 2, pa.date32()),
            "home_team_abbr": ["BOS", "LAL"],
            "away_team_abbr": ["NYK", "GSW"],
        }
    )
    warehouse.write("nba_raw.schedule", rows, ["game_id"])
    warehouse.write("nba_raw.schedule", rows, ["game_id"])
    # the load job succeeds; the insert after the delete fails: the transaction rolls back
    bad = rows.set_column(2, "home_team_abbr", pa.array(["MIA", None]))
    with pytest.raises(WarehouseError, match="NOT NULL"):
        warehouse.write("nba_raw.schedule", bad, ["game_id"])
    kept = warehouse.query("select game_id, home_team_abbr from nba_raw.schedule order by 1")
    assert kept.to_pylist() == [
        {"game_id": "g1", "home_team_abbr": "BOS"},
        {"game_id": "g2", "home_team_abbr": "LAL"},
    ]


def comparable(warehouse: Warehouse, sql: str, key: list[str]) -> list[dict]:
    table = warehouse.query(sql)
    # run ids and clock times differ by nature; model_name and test_mae are registry text that
    # this test does not copy between the backends (it registers the same model files)
    drop = {"run_id", "prediction_time", "result_updated_at", "built_at", "model_name", "test_mae"}
    table = table.select([c for c in table.column_names if c not in drop])
    return table.sort_by([(k, "ascending") for k in key]).to_pylist()


def assert_same_rows(left: list[dict], right: list[dict], what: str) -> None:
    assert len(left) == len(right) > 0, what
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys(), what
        for column, value in a.items():
            other = b[column]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=0, abs_tol=1e-9), (what, column)
            else:
                assert value == other, (what, column, a)


@pytest.mark.usefixtures("scorers", "prefect_server")
def test_duckdb_and_bigquery_agree_row_for_row(
    demo_warehouse: Warehouse, bigquery_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same season, the same model files and the same two game days on both backends."""
    duck = demo_warehouse
    bq = open_warehouse(bigquery_url)
    try:
        _agree(duck, bq, bigquery_url, monkeypatch)
    finally:
        bq.close()


def _agree(
    duck: Warehouse, bq: Warehouse, bigquery_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shadowline.flows.demo import DEMO_MIN_EDGE, NEWS_FEATURE, NEWS_SET, load_news_feed
    from shadowline.flows.experiment import experiment
    from shadowline.flows.grading import grading
    from shadowline.tasks.demo import generate_seasons
    from shadowline.tasks.features.catalog import define_feature_set
    from shadowline.tasks.features.store import build_features
    from shadowline.tasks.ingest.loading import load_rows
    from shadowline.tasks.ingest.players import FEEDS
    from shadowline.tasks.registry.entries import read_models, register_model, set_baseline
    from shadowline.tasks.registry.promotion import promote

    # what the window's features read: box scores up to its end (last season's too), and the
    # feeds (lines, injury reports) of its days
    season = generate_seasons()
    for table, rows in season.tables().items():
        if "game_date" in rows.column_names:
            days = rows["game_date"]
            keep = pc.less_equal(days, WINDOW[-1])
            if table in FEEDS:
                keep = pc.and_(keep, pc.greater_equal(days, WINDOW[0]))
            rows = rows.filter(keep)
        load_rows(bq, table, rows)
    build_features(bq, WINDOW[0], WINDOW[-1])
    # the team's news feed as the demo loads it, and the set its news model was trained on
    load_news_feed(
        bq, season.news_feed.filter(pc.less_equal(season.news_feed["game_date"], WINDOW[-1]))
    )
    define_feature_set(bq, NEWS_SET, base="v2_context", add=[NEWS_FEATURE])
    for model in read_models(duck):
        register_model(bq, model.spec)
    set_baseline(bq, "catboost_v1")
    promote(bq, "catboost_v2")
    for game_day in WINDOW:
        experiment(game_date=game_day, warehouse=bigquery_url, min_edge=DEMO_MIN_EDGE)
        grading(game_date=game_day, warehouse=bigquery_url)

    window = f"game_date between '{WINDOW[0]}' and '{WINDOW[-1]}'"
    checks = {
        "features": (f"select * from nba_predictions.ml_feature_store where {window}",
                     ["game_date", "player_lookup"]),
        "predictions": (f"select * from nba_predictions.ml_model_predictions where {window}",
                        ["prediction_id"]),
        "daily": ("select * from nba_predictions.v_ml_model_daily_performance",
                  ["game_date", "model_id"]),
        "leaderboard": ("select * from nba_predictions.v_ml_model_leaderboard", ["model_id"]),
        "head_to_head": ("select * from nba_predictions.v_ml_model_head_to_head",
                         ["model_a", "model_b"]),
        "edge_tiers": ("select * from nba_predictions.v_ml_model_edge_tiers",
                       ["model_id", "edge_tier", "direction"]),
        "monitor": ("select model_id, against_model_id, game_date, game_days, shared_rows, "
                    "estimate, lower_bound, upper_bound, state "
                    "from nba_predictions.ml_model_monitor",
                    ["model_id", "against_model_id", "game_date"]),
    }  # fmt: skip
    for what, (sql, key) in checks.items():
        assert_same_rows(comparable(duck, sql, key), comparable(bq, sql, key), what)

    # The statistics come from paired rows each backend reads: the same numbers on both.
    from shadowline.tasks.evaluation.comparisons import best_set, compare_models

    on_duck = asdict(compare_models(duck, "catboost_v2", "catboost_v1"))
    on_bq = asdict(compare_models(bq, "catboost_v2", "catboost_v1"))
    numbers = {k for k, v in on_duck.items() if isinstance(v, float)}
    assert {k: on_duck[k] for k in numbers} == pytest.approx({k: on_bq[k] for k in numbers})
    assert {k: v for k, v in on_duck.items() if k not in numbers} == {
        k: v for k, v in on_bq.items() if k not in numbers
    }
    assert on_duck["game_days"] == len(WINDOW)
    from shadowline.tasks.evaluation.tiers import read_tiers

    tiers_duck, tiers_bq = read_tiers(duck).to_pylist(), read_tiers(bq).to_pylist()
    assert len(tiers_duck) == len(tiers_bq) > 0
    for row_duck, row_bq in zip(tiers_duck, tiers_bq, strict=True):
        assert row_duck == pytest.approx(row_bq)
    models = sorted(DEMO_MODEL_IDS)
    assert best_set(duck, models) == best_set(bq, models)

    # Over probabilities, stored by a MERGE of staged rows: two days hold too few graded rows
    # for the real minimum, so a lower one gives day 2 values to compare.
    from shadowline.tasks.evaluation import probabilities

    monkeypatch.setattr(probabilities, "MIN_ROWS", 20)
    stored = (f"select prediction_id, over_probability from nba_predictions.ml_model_predictions "
              f"where game_date = '{WINDOW[-1]}' and over_probability is not null")  # fmt: skip
    changed = [probabilities.update_probabilities(w, WINDOW[-1]) for w in (duck, bq)]
    assert changed[0] == changed[1] > 0
    on_duck, on_bq = (comparable(w, stored, ["prediction_id"]) for w in (duck, bq))
    assert len(on_duck) == changed[0]
    assert_same_rows(on_duck, on_bq, "over probabilities")

    # The promotion gate reads the same evidence on both; a forced promotion and a rollback
    # flip the flag in one transaction each, audited.
    from shadowline.tasks.registry.promotion import evaluate, rollback

    assert evaluate(duck, "xgboost_v2").line() == evaluate(bq, "xgboost_v2").line()
    promote(bq, "xgboost_v2", force=True, reason="on the emulator")
    production = "select model_id from nba_predictions.ml_model_registry where is_production"
    assert bq.query(production)["model_id"].to_pylist() == ["xgboost_v2"]
    assert rollback(bq) == ("xgboost_v2", "catboost_v2")
    assert bq.query(production)["model_id"].to_pylist() == ["catboost_v2"]
    audit = bq.query(
        "select action, model_id, previous_model_id, verdict, reason "
        "from nba_predictions.ml_model_registry_audit where action in ('promote', 'rollback') "
        "order by changed_at"
    ).to_pylist()
    assert [(r["action"], r["model_id"], r["previous_model_id"]) for r in audit] == [
        ("promote", "catboost_v2", None), ("promote", "xgboost_v2", "catboost_v2"),
        ("rollback", "catboost_v2", "xgboost_v2"),
    ]  # fmt: skip
    assert audit[1]["reason"] == "on the emulator" and audit[0]["verdict"] == "NO-GATE"

    # A rerun leaves the same rows; a failure after the load and the delete, before the insert,
    # rolls the whole replacement back: the date keeps its previous rows.
    from shadowline.tasks.warehouse.bigquery_warehouse import BigQueryWarehouse

    def day_rows() -> list[dict]:
        return bq.query(
            "select prediction_id, predicted_points from nba_predictions.ml_model_predictions "
            "where game_date = @d order by prediction_id",
            {"d": WINDOW[0]},
        ).to_pylist()

    before = day_rows()
    experiment(game_date=WINDOW[0], warehouse=bigquery_url)
    assert day_rows() == before
    real_job = BigQueryWarehouse._job

    def crash_before_insert(self: BigQueryWarehouse, sql: str, config: object) -> object:
        if "insert into nba_predictions.ml_model_predictions" in sql:
            raise WarehouseError("injected failure between the load and the insert")
        return real_job(self, sql, config)

    monkeypatch.setattr(BigQueryWarehouse, "_job", crash_before_insert)
    with pytest.raises(WarehouseError, match="injected failure"):
        experiment(game_date=WINDOW[0], warehouse=bigquery_url)
    monkeypatch.setattr(BigQueryWarehouse, "_job", real_job)
    assert day_rows() == before

    _a_team_table_feeds_a_model(duck, bq, bigquery_url)


def _a_team_table_feeds_a_model(duck: Warehouse, bq: Warehouse, bigquery_url: str) -> None:
    """A team's own table, registered as a feature source on each backend, feeds a model
    trained on a set naming its column: the same predictions on both."""
    import tempfile
    from pathlib import Path

    from shadowline.flows.experiment import experiment
    from shadowline.tasks.features.catalog import define_feature_set, register_source
    from shadowline.tasks.features.sets import SHIPPED_SETS
    from shadowline.tasks.registry.entries import read_models, register_model
    from shadowline.tasks.registry.training import train

    team = "team_features.injury_context"
    rows = duck.query(
        "select player_lookup, game_date, coalesce(teammates_out, 0) * 1.5 as injury_load, "
        "timestamp_sub(line_cutoff_at, interval 1 hour) as computed_at "
        "from nba_predictions.ml_feature_store"
    )
    in_window = pc.greater_equal(rows["game_date"], pa.scalar(WINDOW[0], pa.date32()))
    for warehouse in (duck, bq):
        warehouse.execute("create schema if not exists team_features")
        warehouse.execute(
            f"create table if not exists {team} (player_lookup string not null, "
            "game_date date not null, injury_load float64, computed_at timestamp)"
        )
        warehouse.write(team, rows if warehouse is duck else rows.filter(in_window))
        register_source(warehouse, "team_injuries", team, as_of_column="computed_at")
        define_feature_set(warehouse, "v9_36features", (*SHIPPED_SETS["v1_basic"], "injury_load"))
    with tempfile.TemporaryDirectory() as models:
        train(duck, model_type="xgboost", feature_version="v9_36features",
              train_end=WINDOW[0], model_id="xgboost_v9", models_dir=Path(models),
              register=True)  # fmt: skip
        [model] = read_models(duck, ["xgboost_v9"])
        register_model(bq, model.spec)
        for url in (duck.url, bigquery_url):
            experiment(game_date=WINDOW[-1], models=["xgboost_v9"], warehouse=url)
    sql = (
        "select player_lookup, predicted_points, recommendation "
        "from nba_predictions.ml_model_predictions where model_id = 'xgboost_v9'"
    )
    on_duck, on_bq = (comparable(w, sql, ["player_lookup"]) for w in (duck, bq))
    assert len(on_duck) > 100
    assert_same_rows(on_duck, on_bq, "a model fed by a feature source")
    health = (
        "select feature_name, non_null_share from nba_predictions.v_ml_feature_health "
        "where model_id = 'xgboost_v9'"
    )
    assert {r["feature_name"]: r["non_null_share"] for r in bq.query(health).to_pylist()}[
        "injury_load"
    ] == 1.0


def test_each_tables_arrow_schema_is_the_table_bigquery_creates(bigquery_url: str) -> None:
    from shadowline.tasks.warehouse.schemas import arrow_schema, table_names

    with open_warehouse(bigquery_url) as warehouse:
        for table in table_names():
            assert arrow_schema(table) == warehouse.table_schema(table), table
