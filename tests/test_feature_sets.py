"""Features without code, on a copy of the demo warehouse: feature sets and team feature tables
registered as data, feature health on every run, each model's lineage. Real DuckDB, Ray and
Prefect."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from shadowline.flows.cli import main
from shadowline.flows.demo import DEMO_MODELS, NEWS_FEATURE
from shadowline.flows.experiment import experiment
from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.warehouse import Warehouse, open_warehouse
from tests.samples import DEMO_MODEL_IDS, DEMO_WINDOW

pytestmark = pytest.mark.usefixtures("scorers", "prefect_server")
DAY = date(2025, 10, 23)  # the game day after the demo fixture's two
TEAM_TABLE = "team_features.injury_context"
V3 = (*SHIPPED_SETS["v2_context"], NEWS_FEATURE)  # the demo's v3_news
V9 = (*SHIPPED_SETS["v2_context"], "days_since_last_game", "injury_load", "minutes_limit")


def make_team_table(warehouse: Warehouse) -> None:
    """The team's own feature pipeline: one row per player-game, known an hour before the
    line cutoff (built here from the store so its values mean something)."""
    warehouse.execute("create schema if not exists team_features")
    warehouse.execute(
        f"""create or replace table {TEAM_TABLE} as
        select player_lookup, game_date,
          coalesce(teammates_out, 0) * 1.5 + coalesce(is_back_to_back, 0) as injury_load,
          if(min_avg_last_5 < 12, 1.0, 0.0) as minutes_limit,
          timestamp_sub(line_cutoff_at, interval 1 hour) as computed_at
        from nba_predictions.ml_feature_store"""
    )


def run_models(warehouse: Warehouse, day: date = DAY) -> dict[str, dict]:
    rows = warehouse.query(
        "select model_id, status, error_message, rows_scored from "
        "nba_predictions.ml_experiment_runs where game_date = @d",
        {"d": day},
    )
    return {r["model_id"]: r for r in rows.to_pylist()}


def test_the_seeds_catboost_v9_flow_needs_no_code(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_warehouse(demo_url) as warehouse:
        make_team_table(warehouse)
    assert main(["--warehouse", demo_url, "features", "source", "add", "team_injuries",
                 "--table", TEAM_TABLE, "--as-of-column", "computed_at"]) == 0  # fmt: skip
    assert "injury_load, minutes_limit" in capsys.readouterr().out
    # the seed's way: one INSERT defines the set, over store and team-table columns
    names = ", ".join(f"'{n}'" for n in V9)
    insert = (
        "INSERT INTO nba_predictions.ml_feature_sets (feature_version, feature_names, "
        f"description, created_at) VALUES ('v9_36features', [{names}], "
        "'V9 adds injury features', CURRENT_TIMESTAMP())"
    )
    assert main(["--warehouse", demo_url, "query", insert]) == 0
    assert main(["--warehouse", demo_url, "train", "--model-type", "catboost",
                 "--feature-version", "v9_36features", "--train-end", str(DEMO_WINDOW[0]),
                 "--model-id", "catboost_v9", "--register"]) == 0  # fmt: skip
    assert "registered catboost_v9" in capsys.readouterr().out

    summary = experiment(game_date=DAY, warehouse=demo_url)
    warehouse = open_warehouse(demo_url)
    log = run_models(warehouse)
    assert log["catboost_v9"]["status"] == "success", log["catboost_v9"]["error_message"]
    assert log["catboost_v9"]["rows_scored"] == log["catboost_v2"]["rows_scored"] > 0
    registry = warehouse.query(
        "select feature_names, feature_count from nba_predictions.ml_model_registry "
        "where model_id = 'catboost_v9'"
    ).to_pylist()
    assert registry == [{"feature_names": list(V9), "feature_count": len(V9)}]
    # the team feature is on the slate the model scored, and its health is recorded
    health = warehouse.query(
        "select feature_name, non_null_share, reference from nba_predictions.v_ml_feature_health "
        "where model_id = 'catboost_v9' and game_date = @d",
        {"d": DAY},
    ).to_pylist()
    by_name = {r["feature_name"]: r for r in health}
    assert set(by_name) == set(V9)
    assert by_name["injury_load"]["non_null_share"] == 1.0
    assert by_name["injury_load"]["reference"] == "training rows"
    assert not summary.failed
    warehouse.close()


def test_a_set_naming_what_no_table_holds_fails_alone(
    demo_url: str, demo_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = demo_warehouse
    # `features define` checks the names before it stores anything
    assert main(["--warehouse", demo_url, "features", "define", "v3_typo",
                 "--from", "v1_basic", "--add", "pts_avg_last_50"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "no feature column(s) pts_avg_last_50" in err and "did you mean pts_avg_last_5" in err
    assert main(["--warehouse", demo_url, "features", "define", "v3_plus",
                 "--from", "v1_basic", "--add", "rest_days,is_home"]) == 0  # fmt: skip
    assert "defined feature set v3_plus: 8 features" in capsys.readouterr().out
    # an INSERT is not checked: the model on it fails at the run, naming the missing column
    warehouse.execute(
        "insert into nba_predictions.ml_feature_sets (feature_version, feature_names) "
        "values ('v9_bad', ['pts_avg_last_5', 'usage_rate_vs_opponent'])"
    )
    path = warehouse.query(
        "select model_path from nba_predictions.ml_model_registry where model_id = 'catboost_v1'"
    )["model_path"][0].as_py()
    warehouse.execute(
        "insert into nba_predictions.ml_model_registry (model_id, model_type, model_path, "
        "feature_version, enabled) values ('catboost_v9', 'catboost', @p, 'v9_bad', true)",
        {"p": path},
    )
    experiment(game_date=DAY, warehouse=demo_url)
    log = run_models(warehouse)
    assert log["catboost_v9"]["status"] == "failed"
    assert "usage_rate_vs_opponent" in log["catboost_v9"]["error_message"]
    assert "pts_avg_last_5" not in log["catboost_v9"]["error_message"]
    assert {m for m, r in log.items() if r["status"] == "success"} == DEMO_MODEL_IDS
    # and an unknown set is refused by train with the defined ones
    assert main(["--warehouse", demo_url, "train", "--model-type", "xgboost",
                 "--feature-version", "v7_nope", "--train-end", str(DEMO_WINDOW[0]),
                 "--model-id", "x"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "unknown feature_version 'v7_nope'" in err and "v1_basic, v2_context" in err


def test_a_source_that_breaks_the_point_in_time_contract_fails_its_models_only(
    demo_url: str, demo_warehouse: Warehouse, tmp_path: Path
) -> None:
    from shadowline.tasks.features.catalog import define_feature_set, register_source
    from shadowline.tasks.registry.training import train

    warehouse = demo_warehouse
    make_team_table(warehouse)
    register_source(warehouse, "team_injuries", TEAM_TABLE, as_of_column="computed_at")
    define_feature_set(warehouse, "v9_36features", V9)
    train(warehouse, model_type="lightgbm", feature_version="v9_36features",
          train_end=DEMO_WINDOW[0], model_id="lightgbm_v9", models_dir=tmp_path,
          register=True)  # fmt: skip

    # a value known after the game's cutoff: what a live run could not have known
    warehouse.execute(
        f"update {TEAM_TABLE} set computed_at = timestamp_add(computed_at, interval 3 hour) "
        "where game_date = @d and player_lookup in (select min(player_lookup) from "
        f"{TEAM_TABLE} where game_date = @d)",
        {"d": DAY},
    )
    experiment(game_date=DAY, warehouse=demo_url)
    log = run_models(warehouse)
    assert log["lightgbm_v9"]["status"] == "failed"
    assert "1 row known after their game's line cutoff" in log["lightgbm_v9"]["error_message"]
    assert log["lightgbm_v1"]["status"] == "success"

    # two rows for one player-game
    warehouse.execute(
        f"update {TEAM_TABLE} set computed_at = timestamp_sub(computed_at, interval 3 hour) "
        "where game_date = @d",
        {"d": DAY},
    )
    warehouse.execute(
        f"insert into {TEAM_TABLE} select * from {TEAM_TABLE} where game_date = @d limit 2",
        {"d": DAY},
    )
    experiment(game_date=DAY, warehouse=demo_url)
    log = run_models(warehouse)
    assert "2 player-games on more than one row" in log["lightgbm_v9"]["error_message"]
    assert "team_injuries" in log["lightgbm_v9"]["error_message"]
    assert sum(r["status"] == "success" for r in log.values()) == len(DEMO_MODEL_IDS)


def test_a_feed_outage_day_warns_and_shows_in_features_health(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from shadowline.flows.demo import WINDOW_START
    from shadowline.tasks.demo.season import OUTAGE_GAME_DAY
    from shadowline.tasks.features.store import game_days

    with open_warehouse(demo_url) as warehouse:
        outage = game_days(warehouse, WINDOW_START, OUTAGE_GAME_DAY)[-1]
    before = experiment(game_date=DAY, warehouse=demo_url)
    assert not any("betting_line" in w for w in before.health)
    summary = experiment(game_date=outage, warehouse=demo_url)
    [warning] = [w for w in summary.health if w.startswith("betting_line")]
    assert "catboost_v2, lightgbm_v3, xgboost_v2" in warning  # the models that use the line
    assert "SHADOWLINE_HEALTH_MIN_COVERAGE=0.6" in warning
    assert any("warning: betting_line" in line for line in summary.lines())

    assert main(["--warehouse", demo_url, "features", "health", "--start", str(outage),
                 "--format", "json"]) == 0  # fmt: skip
    import json

    flagged = json.loads(capsys.readouterr().out)
    assert {(r["model_id"], r["feature_name"], r["state"]) for r in flagged} == {
        ("catboost_v2", "betting_line", "low_coverage"),
        ("lightgbm_v3", "betting_line", "low_coverage"),
        ("xgboost_v2", "betting_line", "low_coverage"),
    }
    assert all(r["non_null_share"] < 0.6 * r["training_share"] for r in flagged)
    # a rerun replaces the day's health rows
    experiment(game_date=outage, warehouse=demo_url)
    with open_warehouse(demo_url) as warehouse:
        counts = warehouse.query(
            "select model_id, feature_name, count(*) as n from "
            "nba_predictions.ml_feature_health where game_date = @d group by 1, 2",
            {"d": outage},
        )
    assert set(counts["n"].to_pylist()) == {1}
    assert counts.num_rows == sum(len(SHIPPED_SETS.get(v, V3)) for _, _, v in DEMO_MODELS)


def test_registry_show_prints_lineage_and_registry_add_reads_the_file(
    demo_url: str, demo_warehouse: Warehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--warehouse", demo_url, "registry", "show", "xgboost_v2"]) == 0
    out = capsys.readouterr().out
    assert "trained on  2024-10-22 .. 2025-04-13" in out
    assert "library     xgboost " in out and "max_depth=5" in out and "eta=0.05" in out
    [fingerprint] = [line.split()[-1] for line in out.splitlines() if "fingerprint" in line]
    assert len(fingerprint) == 64
    assert "register" in out.split("history")[1]

    # the fingerprint is of the rows the model learned from: the same rows give the same one
    from shadowline.tasks.models.lineage import fingerprint as digest
    from shadowline.tasks.registry.training import training_rows

    names, rows = training_rows(demo_warehouse, "v2_context", date(2025, 10, 21))
    assert digest(rows, names) == fingerprint
    assert digest(rows.slice(1), names) != fingerprint

    path = demo_warehouse.query(
        "select model_path from nba_predictions.ml_model_registry where model_id = 'catboost_v1'"
    )["model_path"][0].as_py()
    assert main(["--warehouse", demo_url, "registry", "add", "--model-id", "outside_v1",
                 "--model-type", "catboost", "--feature-version", "v1_basic",
                 "--file", path]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["--warehouse", demo_url, "registry", "show", "outside_v1"]) == 0
    out = capsys.readouterr().out
    assert "library     catboost 1." in out and "iterations=400" in out
    assert "trained on  not recorded" in out


def test_the_shipped_sets_are_the_ones_a_new_warehouse_holds(warehouse: Warehouse) -> None:
    from shadowline.tasks.features.catalog import feature_sets, store_columns

    assert feature_sets(warehouse) == SHIPPED_SETS
    for version, names in SHIPPED_SETS.items():
        assert set(names) <= set(store_columns()), version


def test_query_reaches_a_team_table_once_it_is_registered_as_a_feature_source(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team registers its table to build features from it, then checks what shadowline reads:
    `shadowline query` reaches the registered source's dataset, and no other."""
    grades = "scouting.grades"
    with open_warehouse(demo_url) as warehouse:
        warehouse.execute("create schema if not exists scouting")
        warehouse.execute(
            f"""create table {grades} as select player_lookup, game_date, 1.0 as scout_grade
            from nba_predictions.ml_feature_store"""
        )
    read = f"select count(*) as n from {grades}"
    args = ["--warehouse", demo_url, "query", "--format", "json"]
    capsys.readouterr()
    assert main([*args, read]) == 1
    assert f"{grades} is not in nba_raw" in capsys.readouterr().err
    assert main(["--warehouse", demo_url, "features", "source", "add", "scouting",
                 "--table", grades]) == 0  # fmt: skip
    capsys.readouterr()
    assert main([*args, read]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] > 0
    assert main([*args, "select * from scratch.notes"]) == 1
    assert "not in nba_raw, nba_analytics, nba_predictions, scouting, team_features" in (
        capsys.readouterr().err
    )
