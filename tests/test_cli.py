"""The `shadowline` command line, as a user types it, against real warehouses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from shadowline.flows.cli import main
from shadowline.tasks.warehouse import open_warehouse
from tests.samples import (
    DEMO_MODEL_IDS,
    SEED_DAILY,
    SEED_HEAD_TO_HEAD,
    SEED_LEADERBOARD,
    SEED_PROMOTE,
    SEED_REGISTER,
    SEED_UNPROMOTE,
)

DAY = "2026-03-04"


def cli(url: str, *args: str) -> int:
    return main(["--warehouse", url, *args])


def query(url: str, sql: str, params: dict | None = None) -> list[dict]:
    with open_warehouse(url) as warehouse:
        return warehouse.query(sql, params).to_pylist()


def flags(url: str) -> dict[str, tuple[bool, bool]]:
    rows = query(
        url, "select model_id, is_production, is_baseline from nba_predictions.ml_model_registry"
    )
    return {r["model_id"]: (r["is_production"], r["is_baseline"]) for r in rows}


def test_help_lists_every_command() -> None:
    script = Path(sys.executable).with_name("shadowline")
    shown = subprocess.run([script, "--help"], capture_output=True, text=True, check=True).stdout
    for command in (
        "init",
        "demo",
        "load",
        "features",
        "train",
        "run",
        "backfill",
        "grade",
        "query",
        "registry",
        "leaderboard",
        "head-to-head",
        "daily",
        "monitor",
        "report",
        "players",
        "server",
    ):
        assert f"│ {command} " in shown, command


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["run", "--date", "2026-13-01"], "bad date '2026-13-01': use YYYY-MM-DD"),
        (["grade", "--date", "yesterday"], "bad date 'yesterday'"),
        (["run", "--min-edge", "-1"], 'Invalid value "-1.0" for --min-edge. use a number of '
                                      "points from 0 to 20"),
        (["run", "--min-edge", "nan"], 'Invalid value "nan" for --min-edge. use a number'),
        (["run", "--min-edge", "inf"], 'Invalid value "inf" for --min-edge. use a number'),
        (["run", "--min-edge", "1e400"], 'Invalid value "inf" for --min-edge. use a number'),
        (["run", "--min-edge", "25"], 'Invalid value "25.0" for --min-edge. use a number'),
        (["run", "--model", "xgb_v1", "--model", ""], 'Invalid value "" for --model. use 1-128'),
        (["registry", "promote", ""], 'Invalid value "" for MODEL_ID. use 1-128 letters'),
        (["registry", "enable", "   "], 'Invalid value " " for MODEL_ID. use 1-128 letters'),
        (["registry", "add", "--model-id", "   ", "--model-type", "catboost", "--feature-version",
          "v1_basic", "--file", "x.cbm"], 'Invalid value " " for --model-id. use 1-128 letters'),
        (["train", "--model-type", "catboost", "--feature-version", "v1_basic", "--train-end",
          "2025-10-21", "--model-id", "../../x"], 'Invalid value "../../x" for --model-id.'),
        (["train", "--model-type", "catboost", "--feature-version", "v1_basic", "--train-end",
          "2025-10-21", "--model-id", "/tmp/x"], 'Invalid value "/tmp/x" for --model-id.'),
        (["head-to-head", "a", "a"], "head-to-head needs two different models (got a twice)"),
        (["registry", "promote"], "parameter MODEL_ID requires an argument"),
        (["train", "--model-type", "sklearn"], 'Invalid value "sklearn" for --model-type'),
        (["load", "nba_raw.nope", "x.csv"], 'Invalid value "nba_raw.nope" for TABLE'),
        (["demo", "--days", "0"], 'Invalid value "0" for --days. Must be >= 1'),
        (["demo", "--days", "41"], 'Invalid value "41" for --days. Must be <= 40'),
        (["frobnicate"], 'Unknown command "frobnicate"'),
        (["backfill", "--end", "2026-03-02"], "parameter --start requires an argument"),
        (["server", "restart"], 'Unknown command "restart"'),
        (["run", "--model", "a", "b"], "Unused Tokens: ['b']"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_with_a_one_line_reason(
    args: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("shadowline: error: ") and len(err.splitlines()) == 1
    assert reason in err


@pytest.mark.usefixtures("scorers", "prefect_server")
def test_the_seeds_sql_runs_verbatim_and_the_next_run_picks_up_the_model(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_url, "query", SEED_REGISTER) == 0
    assert "1 rows affected" in capsys.readouterr().out
    shown = {}
    for name, select in (
        ("daily", SEED_DAILY),
        ("leaderboard", SEED_LEADERBOARD),
        ("h2h", SEED_HEAD_TO_HEAD),
    ):
        assert cli(demo_url, "query", select) == 0
        shown[name] = capsys.readouterr().out
    assert shown["daily"].split()[:2] == ["game_date", "model_id"]  # no games "yesterday"
    assert shown["leaderboard"].split()[:4] == [
        "model_id",
        "mae",
        "bet_accuracy",
        "graded_predictions",
    ]
    assert shown["h2h"].startswith("model_a") and "(no rows)" in shown["h2h"]
    assert cli(demo_url, "query", "--format", "json", SEED_LEADERBOARD) == 0
    board = json.loads(capsys.readouterr().out)
    assert {r["model_id"] for r in board} == DEMO_MODEL_IDS
    assert [r["mae"] for r in board] == sorted(r["mae"] for r in board)

    # the next run picks the new model up; its file and feature set do not exist here
    assert cli(demo_url, "run", "--date", DAY) == 0
    out = capsys.readouterr().out
    assert "catboost_v9" in out and "unknown feature_version 'v9_36features'" in out
    log = query(
        demo_url,
        "select status from nba_predictions.ml_experiment_runs where model_id = 'catboost_v9'",
    )
    assert [r["status"] for r in log] == ["failed"]

    assert cli(demo_url, "query", SEED_UNPROMOTE) == 0
    assert cli(demo_url, "query", SEED_PROMOTE) == 0
    production = [m for m, (prod, _) in flags(demo_url).items() if prod]
    assert production == ["catboost_v9"]


def test_promote_and_set_baseline_leave_exactly_one(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # two graded game days are too few for the gate (tests/test_promotion.py): forced
    promote = ["registry", "promote", "xgboost_v2", "--force", "--reason", "test"]
    assert cli(demo_url, *promote) == 0
    assert cli(demo_url, "registry", "set-baseline", "lightgbm_v1") == 0
    assert cli(demo_url, *promote) == 1  # again: already production, still one
    current = flags(demo_url)
    assert [m for m, (prod, _) in current.items() if prod] == ["xgboost_v2"]
    assert [m for m, (_, base) in current.items() if base] == ["lightgbm_v1"]
    assert cli(demo_url, "registry", "disable", "catboost_v1") == 0
    audit = query(
        demo_url,
        "select action, model_id from nba_predictions.ml_model_registry_audit "
        "where action in ('promote', 'set-baseline', 'disable') order by changed_at",
    )
    assert audit[-3:] == [
        {"action": "promote", "model_id": "xgboost_v2"},
        {"action": "set-baseline", "model_id": "lightgbm_v1"},
        {"action": "disable", "model_id": "catboost_v1"},
    ]
    capsys.readouterr()
    assert cli(demo_url, "registry", "promote", "nope") == 1
    assert "no model 'nope'" in capsys.readouterr().err
    assert [m for m, (prod, _) in flags(demo_url).items() if prod] == ["xgboost_v2"]


@pytest.mark.usefixtures("scorers", "prefect_server")
def test_run_twice_and_grade_twice_change_nothing(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def count() -> int:
        sql = "select count(*) as n from nba_predictions.ml_model_predictions where game_date = @d"
        return query(demo_url, sql, {"d": date.fromisoformat(DAY)})[0]["n"]

    assert cli(demo_url, "run", "--date", DAY) == 0
    first = count()
    assert cli(demo_url, "run", "--date", DAY) == 0
    assert count() == first > 0
    assert cli(demo_url, "grade", "--date", DAY) == 0
    assert f"{first:,} rows changed" in capsys.readouterr().out
    assert cli(demo_url, "grade", "--date", DAY) == 0
    assert "grading 2026-03-04: 0 rows changed" in capsys.readouterr().out
    assert cli(demo_url, "daily", "--date", DAY, "--format", "csv") == 0
    assert capsys.readouterr().out.count("\n") == 1 + len(DEMO_MODEL_IDS)  # header + models


def test_load_checks_columns_and_loading_twice_changes_nothing(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "schedule.csv"
    good.write_text(  # a feed that sends a row twice: loaded once
        "game_id,game_date,home_team_abbr,away_team_abbr\n"
        "g1,2026-01-08,BOS,NYK\ng2,2026-01-08,LAL,GSW\ng2,2026-01-08,LAL,GSW\n"
    )
    assert cli(warehouse_url, "load", "nba_raw.schedule", str(good)) == 0
    assert cli(warehouse_url, "load", "nba_raw.schedule", str(good)) == 0
    rows = query(warehouse_url, "select * from nba_raw.schedule")
    assert len(rows) == 2 and all(r["season"] is None for r in rows)  # optional column empty

    missing = tmp_path / "missing.csv"
    missing.write_text("game_id,game_date\ng3,2026-01-09\n")
    mistyped = tmp_path / "mistyped.csv"
    mistyped.write_text(
        "game_id,game_date,home_team_abbr,away_team_abbr\ng4,next tuesday,BOS,NYK\n"
    )
    duplicated = tmp_path / "duplicated.csv"
    duplicated.write_text(
        "game_id,game_date,home_team_abbr,away_team_abbr\n"
        "g5,2026-01-08,BOS,NYK\ng5,2026-01-08,BOS,MIA\n"
    )
    capsys.readouterr()
    expected = {
        missing: "missing required column(s) home_team_abbr, away_team_abbr",
        mistyped: "game_date should be written like 2026-03-04, found 'next tuesday' in row 1",
        duplicated: "rows 1 and 2 (game_id g5) differ in away_team_abbr NYK vs MIA",
    }
    for path, reason in expected.items():
        assert cli(warehouse_url, "load", "nba_raw.schedule", str(path)) == 1
        assert reason in capsys.readouterr().err
    assert len(query(warehouse_url, "select * from nba_raw.schedule")) == 2


def test_a_late_tip_off_stamped_in_utc_lands_on_its_eastern_game_day(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """22:30 ET on March 4 is 03:30 UTC on March 5: still the game of March 4."""
    feed = tmp_path / "props.csv"
    feed.write_text(
        "player_lookup,game_date,bookmaker,points_line,over_odds,under_odds,processed_at\n"
        "p,2026-03-05T03:30:00Z,a,20.5,-110,-110,2026-03-04T21:00:00Z\n"  # UTC, with a zone
        "q,2026-03-05 03:30:00,a,10.5,-110,-110,2026-03-04T21:00:00Z\n"  # no zone: UTC
        "r,2026-03-04T22:30:00-05:00,a,15.5,-110,-110,2026-03-04T21:00:00Z\n"  # Eastern offset
        "s,2026-03-04,a,5.5,-110,-110,2026-03-04T21:00:00Z\n"  # a plain date stays itself
    )
    assert cli(warehouse_url, "load", "nba_raw.player_points_props", str(feed)) == 0
    days = query(warehouse_url, "select distinct game_date from nba_raw.player_points_props")
    assert [r["game_date"] for r in days] == [date(2026, 3, 4)]
    schedule = tmp_path / "schedule.csv"
    schedule.write_text(
        "game_id,game_date,home_team_abbr,away_team_abbr\ng1,2026-03-05T03:30:00Z,LAL,GSW\n"
    )
    assert cli(warehouse_url, "load", "nba_raw.schedule", str(schedule)) == 0
    [game] = query(warehouse_url, "select game_date from nba_raw.schedule")
    assert game["game_date"] == date(2026, 3, 4)


def test_training_on_a_feature_with_no_values_warns_or_with_require_features_refuses(
    demo_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHADOWLINE_MODELS_DIR", str(tmp_path / "models"))
    with open_warehouse(demo_url) as warehouse:  # seasons without prop lines
        warehouse.execute("delete from nba_raw.player_points_props where true")
    assert cli(demo_url, "features", "build") == 0
    args = ["train", "--model-type", "xgboost", "--feature-version", "v2_context",
            "--train-end", "2026-03-02"]  # fmt: skip
    capsys.readouterr()
    assert cli(demo_url, *args, "--model-id", "xgb_strict", "--require-features") == 1
    err = capsys.readouterr().err
    assert "betting_line is empty in all" in err and "training rows" in err
    assert not (tmp_path / "models").exists()  # refused before training
    assert cli(demo_url, *args, "--model-id", "xgb_anyway") == 0
    warned = capsys.readouterr().err.strip().splitlines()
    assert len(warned) == 1 and warned[0].startswith("warning: betting_line is empty in all ")
    basic = ["train", "--model-type", "xgboost", "--feature-version", "v1_basic",
             "--train-end", "2026-03-02", "--model-id", "xgb_v1"]  # fmt: skip
    assert cli(demo_url, *basic, "--require-features") == 0
    assert capsys.readouterr().err == ""  # v1_basic has no line: nothing to warn about


def test_a_name_a_book_spells_its_own_way_is_reported_then_joins_through_an_alias(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = date.fromisoformat(DAY)
    [player] = query(
        demo_url,
        "select n.player_lookup, max(p.points_line) as line from nba_raw.player_points_props "
        "as p join nba_predictions.v_player_names as n on n.name = p.player_lookup "
        "where p.game_date = @d and n.name = n.player_lookup "
        "group by n.player_lookup order by n.player_lookup limit 1",
        {"d": day},
    )
    lookup = player["player_lookup"]
    variant = f"{lookup[:3].title()} {lookup[3:].title()} Jr."  # how one book writes him
    feed = tmp_path / "props.csv"
    feed.write_text(
        "player_lookup,game_date,bookmaker,points_line,over_odds,under_odds,processed_at\n"
        f"{variant},{DAY},newbook,{player['line'] + 40},-110,-110,{DAY}T16:00:00Z\n"
    )
    assert cli(demo_url, "load", "nba_raw.player_points_props", str(feed)) == 0
    said = capsys.readouterr().out
    spelled = "".join(c for c in variant.lower() if c.isalnum())
    assert f'1 prop rows match no player: "{spelled}" (did you mean {lookup}?)' in said
    assert cli(demo_url, "players", "unmatched", "--date", DAY, "--format", "json") == 0
    [listed] = [r for r in json.loads(capsys.readouterr().out) if r["name"] == spelled]
    assert (listed["feed_rows"], listed["nearest_player"]) == (1, lookup)

    def line_books() -> int:
        assert cli(demo_url, "features", "build", "--start", DAY, "--end", DAY) == 0
        [row] = query(
            demo_url,
            "select line_books from nba_predictions.ml_feature_store "
            "where game_date = @d and player_lookup = @p",
            {"d": day, "p": lookup},
        )
        return row["line_books"]

    before = line_books()  # newbook's line is not his yet
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(f"alias,player_lookup,source\n{variant},{lookup},newbook\n")
    assert cli(demo_url, "load", "nba_raw.player_aliases", str(aliases)) == 0
    assert line_books() == before + 1  # joined through the alias
    capsys.readouterr()
    assert cli(demo_url, "players", "unmatched", "--date", DAY, "--format", "json") == 0
    assert spelled not in {r["name"] for r in json.loads(capsys.readouterr().out)}


def test_players_unmatched_says_so_when_every_name_matches(
    warehouse_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(warehouse_url, "players", "unmatched") == 0
    assert "every name in the props and the injury report matches a player" in (
        capsys.readouterr().out
    )


def test_the_comparisons_put_the_line_on_the_same_rows_and_carry_their_uncertainty(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_url, "leaderboard", "--wide") == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header.index("line_mae") == header.index("mae_on_lined") + 1
    assert header.index("best_set") == header.index("mae") + 1
    words = " ".join(out.split())
    assert "minus the consensus line's (line_mae)" in words
    (h2h,) = query(
        demo_url,
        "select * from nba_predictions.v_ml_model_head_to_head "
        "where model_a = 'catboost_v1' and model_b = 'catboost_v2'",
    )
    days, rows = h2h["game_days"], h2h["shared_predictions"]
    assert (
        f"on the {rows:,} rows over {days} game days that every model on the board graded" in words
    )

    # the line's MAE, computed by hand on each model's graded rows with a line
    assert cli(demo_url, "leaderboard", "--format", "json") == 0
    board = {r["model_id"]: r for r in json.loads(capsys.readouterr().out)}
    by_hand = query(
        demo_url,
        "select model_id, count(*) as n, avg(prediction_error) as mae, "
        "avg(abs(actual_points - betting_line)) as line_mae "
        "from nba_predictions.ml_model_predictions "
        "where prediction_error is not null and betting_line is not null group by model_id",
    )
    for r in by_hand:
        shown = board[r["model_id"]]
        assert shown["lined_predictions"] == r["n"]
        assert shown["mae_on_lined"] == pytest.approx(r["mae"])
        assert shown["line_mae"] == pytest.approx(r["line_mae"])
        assert shown["mae_vs_line"] == pytest.approx(r["mae"] - r["line_mae"])
    assert any(r["best_set"] for r in board.values())
    best = min(board.values(), key=lambda r: r["mae"])
    assert best["best_set"] is True

    # the pair in the order given: catboost_v2 first, whatever the view's order
    assert cli(demo_url, "head-to-head", "catboost_v2", "catboost_v1") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].split()[:2] == ["catboost_v2", "catboost_v1"]
    words = " ".join(out.split())
    assert "mae_difference (catboost_v2 - catboost_v1)" in words and "95% CI" in words
    assert "sign test: catboost_v2 closer on" in words
    assert cli(demo_url, "head-to-head", "catboost_v2", "catboost_v1", "--format", "json") == 0
    (shown,) = json.loads(capsys.readouterr().out)
    assert shown["model_a"] == "catboost_v2"
    assert shown["mae_difference"] == pytest.approx(-h2h["mae_difference"])
    assert shown["model_a_wins"] == h2h["model_b_wins"]
    assert shown["ci_lower"] <= shown["mae_difference"] <= shown["ci_upper"]
    verdict = shown["verdict"]
    # detected or not (two game days may not), the verdict says what it rests on
    assert words.endswith(verdict)
    assert f"{days} game days, {rows:,} shared rows)" in verdict
    assert "catboost_v2" in verdict and " p " in verdict.replace("p =", " p ").replace("p <", " p ")
    assert 0 <= shown["p_value"] <= 1
    assert cli(demo_url, "head-to-head", "catboost_v2", "catboost_v2") == 2
    assert "two different models" in capsys.readouterr().err


def test_monitor_shows_each_enabled_challenger_against_production(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(demo_url, "monitor", "--format", "json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert {r["model_id"] for r in shown} == DEMO_MODEL_IDS - {"catboost_v2"}
    assert {r["against_model_id"] for r in shown} == {"catboost_v2"}
    days = query(
        demo_url,
        "select count(distinct game_date) as n from "
        "nba_predictions.ml_model_predictions where prediction_error is not null",
    )
    assert all(r["game_days"] == days[0]["n"] for r in shown)
    # two game days cannot bound the sequence yet: undecided, whatever the estimates say
    assert all(r["state"] == "undecided" and r["lower_bound"] is None for r in shown)
    # reading it again changes nothing and adds no row
    count = "select count(*) as n from nba_predictions.ml_model_monitor"
    before = query(demo_url, count)
    assert cli(demo_url, "monitor") == 0
    assert "valid however often it is read" in " ".join(capsys.readouterr().out.split())
    assert query(demo_url, count) == before


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("SHADOWLINE_MIN_EDGE", "abc", "SHADOWLINE_MIN_EDGE='abc': Input should be a valid number"),
        ("SHADOWLINE_MIN_EDGE", "nan", "SHADOWLINE_MIN_EDGE nan is not valid: use a number"),
        ("SHADOWLINE_MIN_EDGE", "25", "SHADOWLINE_MIN_EDGE 25.0 is not valid: use a number"),
        ("SHADOWLINE_PREFECT_PORT", "x", "SHADOWLINE_PREFECT_PORT='x': Input should be a valid"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    variable: str,
    value: str,
    reason: str,
    warehouse_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, value)
    assert cli(warehouse_url, "leaderboard") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("shadowline: error: ") and len(err.splitlines()) == 1
    assert reason in err


def test_model_ids_are_checked_everywhere_and_training_never_overwrites_a_registered_file(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shadowline.tasks.core.domains import InvalidValue
    from shadowline.tasks.models.files import sha256_of
    from shadowline.tasks.registry.entries import read_models
    from shadowline.tasks.registry.promotion import promote

    with open_warehouse(demo_url) as warehouse:
        for bad in ("", "   ", "../x", "/abs/x", ".hidden"):
            with pytest.raises(InvalidValue, match="is not valid"):
                promote(warehouse, bad)
            with pytest.raises(InvalidValue, match="is not valid"):
                read_models(warehouse, [bad])  # "" would otherwise mean every enabled model
        (production,) = [m for m in read_models(warehouse) if m.is_production]
        # the production model's file, in a models folder of this test's own
        models = tmp_path / "models"
        models.mkdir()
        registered = models / Path(production.spec.model_path).name
        shutil.copy(production.spec.model_path, registered)
        warehouse.execute(
            "update nba_predictions.ml_model_registry set model_path = @p where is_production",
            {"p": str(registered)},
        )
    spec = production.spec
    before = sha256_of(registered)
    assert before == spec.model_sha256

    monkeypatch.setenv("SHADOWLINE_MODELS_DIR", str(models))
    args = ["train", "--model-type", spec.model_type, "--feature-version", spec.feature_version,
            "--train-end", "2025-10-15", "--model-id", spec.model_id]  # fmt: skip
    assert cli(demo_url, *args) == 0  # not registered: a new file beside the registered one
    (new,) = set(models.iterdir()) - {registered}
    assert new.name.startswith(f"{spec.model_id}-") and new.suffix == registered.suffix
    assert sha256_of(new).startswith(new.stem.rsplit("-", 1)[1])
    assert sha256_of(registered) == before
    assert cli(demo_url, *args, "--register") == 0
    with open_warehouse(demo_url) as warehouse:
        (again,) = read_models(warehouse, [spec.model_id])
    assert again.is_production and sha256_of(registered) == before
    assert Path(again.spec.model_path).parent == models
    assert again.spec.model_sha256 == sha256_of(Path(again.spec.model_path))


@pytest.mark.usefixtures("scorers", "prefect_server")
def test_a_model_trained_in_a_checkout_runs_from_any_directory(
    demo_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A team trains in its checkout with an absolute SHADOWLINE_MODELS_DIR; cron runs from /.
    A relative model_path (the seed's INSERT) is relative to SHADOWLINE_MODEL_ROOT."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("SHADOWLINE_MODELS_DIR", str(checkout / "models"))
    args = ["train", "--model-type", "lightgbm", "--feature-version", "v1_basic",
            "--train-end", "2025-10-15", "--model-id", "lgb_here", "--register"]  # fmt: skip
    assert cli(demo_url, *args) == 0
    select = "select model_path from nba_predictions.ml_model_registry where model_id = 'lgb_here'"
    [registered] = query(demo_url, select)
    path = Path(registered["model_path"])
    assert path.is_absolute() and path.parent == checkout / "models"

    def run_from_the_root() -> dict:
        monkeypatch.chdir("/")
        capsys.readouterr()
        cli(demo_url, "run", "--date", "2025-10-22", "--model", "lgb_here")
        [last] = query(
            demo_url,
            "select status, error_message from nba_predictions.ml_experiment_runs "
            "where model_id = 'lgb_here' order by started_at desc limit 1",
        )
        return last

    assert run_from_the_root() == {"status": "success", "error_message": None}

    relative = str(path.relative_to(checkout))  # models/lgb_here-....txt, as the seed writes it
    with open_warehouse(demo_url) as warehouse:
        warehouse.execute(
            "update nba_predictions.ml_model_registry set model_path = @p "
            "where model_id = 'lgb_here'",
            {"p": relative},
        )
    failed = run_from_the_root()
    assert failed["status"] == "failed" and "SHADOWLINE_MODEL_ROOT" in failed["error_message"]
    monkeypatch.setenv("SHADOWLINE_MODEL_ROOT", str(checkout))
    assert run_from_the_root()["status"] == "success"
    # registering under the declared root keeps the path relative to it
    monkeypatch.chdir(checkout)
    add = ["registry", "add", "--model-id", "lgb_again", "--model-type", "lightgbm",
           "--feature-version", "v1_basic", "--file", relative]  # fmt: skip
    assert cli(demo_url, *add) == 0
    select = "select model_path from nba_predictions.ml_model_registry where model_id = 'lgb_again'"
    assert query(demo_url, select) == [{"model_path": relative}]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("DROP SCHEMA nba_raw CASCADE",
         "removes dataset nba_raw and every table and view in it; add --allow-ddl"),
        ("TRUNCATE TABLE nba_raw.schedule", "removes every row of nba_raw.schedule"),
        ("select 1; drop table nba_raw.schedule", "removes table nba_raw.schedule and its rows"),
        ("select * from read_csv('/etc/passwd')", "reads outside the warehouse"),
        ("COPY nba_raw.schedule TO '/tmp/shadowline-copy.csv'", "not run: \"COPY"),
        ("select * from schedule", "schedule names no dataset"),
    ],
)  # fmt: skip
def test_query_runs_no_statement_that_removes_data_or_reaches_outside_unless_told(
    sql: str, reason: str, warehouse_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(warehouse_url, "query", SEED_REGISTER) == 0  # the seed's INSERT runs as it is
    count = "select count(*) as n from nba_predictions.ml_model_registry"
    assert query(warehouse_url, count) == [{"n": 1}]
    capsys.readouterr()
    assert cli(warehouse_url, "query", sql) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("shadowline: error: not run: ") and len(err.splitlines()) == 1
    assert reason in err
    assert query(warehouse_url, count) == [{"n": 1}]
    assert not Path("/tmp/shadowline-copy.csv").exists()


def test_query_with_allow_ddl_says_what_it_removes_and_never_touches_other_files(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shadowline.tasks.warehouse import WarehouseError

    ddl = "create table nba_raw.scratch as select 1 as a; drop table nba_raw.scratch"
    assert cli(warehouse_url, "query", "--allow-ddl", ddl) == 0
    err = capsys.readouterr().err
    assert "--allow-ddl: this creates table nba_raw.scratch" in err
    assert "--allow-ddl: this removes table nba_raw.scratch and its rows" in err
    # past the checks, the connection itself reads and writes no file but the warehouse
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with open_warehouse(warehouse_url, external_access=False) as warehouse:
        for sql in (f"select * from read_csv('{secret}')",
                    f"copy (select 1) to '{tmp_path / 'out.csv'}'"):  # fmt: skip
            with pytest.raises(WarehouseError, match="disabled by configuration"):
                warehouse.execute(sql) if sql.startswith("copy") else warehouse.query(sql)
    assert not (tmp_path / "out.csv").exists()


def test_commands_that_score_nothing_never_load_ray_or_a_model_library(demo_url: str) -> None:
    """grade, daily, leaderboard, query and registry pay for no start-up they do not use: one
    process runs them all and has imported neither Ray nor any model framework at the end."""
    script = f"""
import sys
from shadowline.flows.cli import main
url = {demo_url!r}
for args in (["grade", "--date", "2025-10-22"], ["daily", "--date", "2025-10-22"],
             ["leaderboard"], ["query", "select 1 as one"], ["registry", "list"]):
    assert main(["--warehouse", url, *args]) == 0, args
heavy = {{"ray", "catboost", "xgboost", "lightgbm"}} & set(sys.modules)
assert not heavy, heavy
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
