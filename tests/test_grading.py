"""Grading rules (architecture decision 9) on a real DuckDB file."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from shadowline.tasks.grading.grade import grade_predictions, grading_status
from shadowline.tasks.scoring.predictions import prediction_id, recommend
from shadowline.tasks.warehouse import Warehouse

DAY = date(2026, 1, 8)


def add_registry(warehouse: Warehouse, baseline: str = "base") -> None:
    for model_id in ("base", "challenger"):
        warehouse.execute(
            """insert into nba_predictions.ml_model_registry
            (model_id, model_type, model_path, feature_version, enabled, is_production, is_baseline)
            values (@m, 'catboost', 'x.cbm', 'v1_basic', true, false, @b)""",
            {"m": model_id, "b": model_id == baseline},
        )


def add_predictions(warehouse: Warehouse, rows: list[dict]) -> None:
    full = [
        {
            "prediction_id": prediction_id(r["model_id"], r["player_lookup"], DAY),
            "game_date": DAY,
            "game_id": r.get("game_id", "G1"),
            **r,
        }
        for r in rows
    ]
    warehouse.write("nba_predictions.ml_model_predictions", pa.Table.from_pylist(full))


def add_box(warehouse: Warehouse, rows: list[tuple[str, float, int]], game_id: str = "G1") -> None:
    warehouse.write(
        "nba_analytics.player_game_summary",
        pa.Table.from_pylist(
            [
                {
                    "player_lookup": p,
                    "game_id": game_id,
                    "game_date": DAY,
                    "team_abbr": "BOS",
                    "opponent_team_abbr": "NYK",
                    "home": True,
                    "minutes_played": m,
                    "points": pts,
                }
                for p, m, pts in rows
            ]
        ),
    )


def graded(warehouse: Warehouse) -> dict[tuple[str, str], dict]:
    rows = warehouse.query(
        "select * from nba_predictions.ml_model_predictions where game_date = @d", {"d": DAY}
    ).to_pylist()
    return {(r["model_id"], r["player_lookup"]): r for r in rows}


def test_recommendation_follows_the_edge_rule() -> None:
    import numpy as np

    recs, edge = recommend(
        np.array([25.0, 18.0, 20.4, 20.0, 22.0]), np.array([20.5, 20.5, 20.5, 20.0, np.nan]), 0.5
    )
    assert recs == ["OVER", "UNDER", "PASS", "PASS", "NO_LINE"]
    assert edge[0] == pytest.approx(4.5) and np.isnan(edge[4])


def test_win_loss_push_pass_no_line_and_void(warehouse: Warehouse) -> None:
    add_registry(warehouse)
    add_predictions(
        warehouse,
        [
            # over 20.5, scores 25: WIN; under 20.5, scores 25: LOSS
            dict(
                model_id="challenger",
                player_lookup="win",
                predicted_points=24.0,
                betting_line=20.5,
                recommendation="OVER",
            ),
            dict(
                model_id="challenger",
                player_lookup="loss",
                predicted_points=17.0,
                betting_line=20.5,
                recommendation="UNDER",
            ),
            # whole-number line hit exactly: PUSH
            dict(
                model_id="challenger",
                player_lookup="push",
                predicted_points=23.0,
                betting_line=20.0,
                recommendation="OVER",
            ),
            dict(
                model_id="challenger",
                player_lookup="pass",
                predicted_points=20.5,
                betting_line=20.5,
                recommendation="PASS",
            ),
            dict(
                model_id="challenger",
                player_lookup="noline",
                predicted_points=9.0,
                betting_line=None,
                recommendation="NO_LINE",
            ),
            # on the roster with 0 minutes, and with no box-score row at all: both void
            dict(
                model_id="challenger",
                player_lookup="dnp_zero",
                predicted_points=12.0,
                betting_line=11.5,
                recommendation="OVER",
            ),
            dict(
                model_id="challenger",
                player_lookup="dnp_missing",
                predicted_points=12.0,
                betting_line=11.5,
                recommendation="OVER",
            ),
        ],
    )
    add_box(
        warehouse,
        [
            ("win", 30, 25),
            ("loss", 30, 25),
            ("push", 30, 20),
            ("pass", 30, 22),
            ("noline", 20, 7),
            ("dnp_zero", 0, 0),
        ],
    )
    changed = grade_predictions(warehouse, DAY)
    rows = graded(warehouse)

    def row(player: str) -> dict:
        return rows[("challenger", player)]

    assert changed == 7
    assert row("win")["bet_outcome"] == "WIN" and row("win")["prediction_error"] == 1.0
    assert row("loss")["bet_outcome"] == "LOSS" and row("loss")["actual_points"] == 25
    assert row("push")["bet_outcome"] == "PUSH"
    assert row("pass")["bet_outcome"] is None and row("pass")["prediction_error"] == 1.5
    assert row("noline")["bet_outcome"] is None and row("noline")["beat_vegas"] is None
    assert row("noline")["prediction_error"] == 2.0
    for player in ("dnp_zero", "dnp_missing"):
        void = row(player)
        assert void["result_updated_at"] is not None and void["actual_minutes"] == 0
        assert void["actual_points"] is None and void["prediction_error"] is None
        assert void["bet_outcome"] is None and void["beat_vegas"] is None
    status = grading_status(warehouse, DAY)
    assert (status.graded, status.void, status.ungraded) == (5, 2, 0)


def test_beat_vegas_is_strict_and_beat_baseline_skips_the_baseline(warehouse: Warehouse) -> None:
    add_registry(warehouse, baseline="base")
    add_predictions(
        warehouse,
        [
            # line 20.5, actual 22: Vegas off by 1.5; challenger off by 1.5 too: a tie is no beat
            dict(
                model_id="challenger",
                player_lookup="tie",
                predicted_points=20.5,
                betting_line=20.5,
                recommendation="PASS",
            ),
            dict(
                model_id="base",
                player_lookup="tie",
                predicted_points=25.0,
                betting_line=20.5,
                recommendation="OVER",
            ),
            dict(
                model_id="challenger",
                player_lookup="closer",
                predicted_points=21.5,
                betting_line=20.5,
                recommendation="OVER",
            ),
            dict(
                model_id="base",
                player_lookup="closer",
                predicted_points=21.5,
                betting_line=20.5,
                recommendation="OVER",
            ),
            # no baseline prediction for this player: beat_baseline stays NULL
            dict(
                model_id="challenger",
                player_lookup="solo",
                predicted_points=10.0,
                betting_line=9.5,
                recommendation="OVER",
            ),
        ],
    )
    add_box(warehouse, [("tie", 30, 22), ("closer", 30, 22), ("solo", 30, 12)])
    grade_predictions(warehouse, DAY)
    rows = graded(warehouse)
    assert rows[("challenger", "tie")]["beat_vegas"] is False
    assert rows[("challenger", "tie")]["beat_baseline"] is True  # 1.5 < 3.0
    assert rows[("challenger", "closer")]["beat_vegas"] is True  # 0.5 < 1.5
    assert rows[("challenger", "closer")]["beat_baseline"] is False  # equal errors
    assert rows[("challenger", "solo")]["beat_baseline"] is None
    assert all(rows[("base", p)]["beat_baseline"] is None for p in ("tie", "closer"))


def test_grading_twice_changes_nothing(warehouse: Warehouse) -> None:
    add_registry(warehouse)
    add_predictions(
        warehouse,
        [
            dict(
                model_id="challenger",
                player_lookup="a",
                predicted_points=10.0,
                betting_line=9.5,
                recommendation="OVER",
            )
        ],
    )
    add_box(warehouse, [("a", 25, 12)])
    assert grade_predictions(warehouse, DAY) == 1
    first = graded(warehouse)
    assert grade_predictions(warehouse, DAY) == 0
    assert graded(warehouse) == first


def test_games_without_box_scores_stay_ungraded(warehouse: Warehouse) -> None:
    add_registry(warehouse)
    add_predictions(
        warehouse,
        [
            dict(
                model_id="challenger",
                player_lookup="a",
                predicted_points=10.0,
                betting_line=9.5,
                recommendation="OVER",
                game_id="LATE",
            )
        ],
    )
    assert grade_predictions(warehouse, DAY) == 0  # no box scores at all yet
    add_box(warehouse, [("b", 25, 12)], game_id="EARLY")  # another game is final
    assert grade_predictions(warehouse, DAY) == 0
    assert graded(warehouse)[("challenger", "a")]["result_updated_at"] is None


def test_a_regraded_day_changes_its_monitor_row_and_never_duplicates_it(
    warehouse: Warehouse,
) -> None:
    from datetime import UTC, datetime

    from shadowline.tasks.evaluation.monitor import update_monitor

    add_registry(warehouse)
    warehouse.execute(
        "update nba_predictions.ml_model_registry set is_production = (model_id = 'base') "
        "where true"
    )
    add_predictions(
        warehouse,
        [
            dict(model_id=m, player_lookup=p, predicted_points=points)
            for m, p, points in [
                ("base", "a", 10.0),
                ("base", "b", 20.0),
                ("challenger", "a", 12.0),
                ("challenger", "b", 19.0),
            ]
        ],  # fmt: skip
    )
    add_box(warehouse, [("a", 30, 12), ("b", 30, 20)])
    grade_predictions(warehouse, DAY)
    update_monitor(warehouse, datetime.now(UTC))
    monitor = "select * from nba_predictions.ml_model_monitor"
    (first,) = warehouse.query(monitor).to_pylist()
    # base errors 2 and 0, challenger 0 and 1: the challenger is 0.5 points better on average
    assert (first["model_id"], first["against_model_id"], first["game_date"]) == (
        "challenger",
        "base",
        DAY,
    )
    assert (first["game_days"], first["shared_rows"], first["estimate"]) == (1, 2, 0.5)
    assert first["state"] == "undecided" and first["lower_bound"] is None

    # A stat correction: player a scored 10, not 12. Regraded, the day's row changes in place.
    warehouse.execute(
        "update nba_analytics.player_game_summary set points = 10 where player_lookup = 'a'"
    )
    grade_predictions(warehouse, DAY)
    update_monitor(warehouse, datetime.now(UTC))
    (second,) = warehouse.query(monitor).to_pylist()
    assert second["estimate"] == -1.5  # base errors 0 and 0, challenger 2 and 1
    assert second["updated_at"] > first["updated_at"]


def test_a_line_that_is_not_a_number_grades_as_no_line(warehouse: Warehouse) -> None:
    """A NaN or infinite line written by hand (load refuses them) gives no bet and no beat_vegas,
    never a WIN on an infinite line."""
    add_registry(warehouse)
    add_predictions(
        warehouse,
        [
            dict(model_id="challenger", player_lookup=p, predicted_points=20.0,
                 betting_line=line, recommendation=rec)
            for p, line, rec in [("a", float("nan"), "OVER"), ("b", float("inf"), "UNDER"),
                                 ("c", float("-inf"), "OVER"), ("d", 15.5, "OVER")]
        ],
    )  # fmt: skip
    add_box(warehouse, [("a", 30, 25), ("b", 30, 25), ("c", 30, 25), ("d", 30, 25)])
    grade_predictions(warehouse, DAY)
    rows = graded(warehouse)
    for player in "abc":
        row = rows[("challenger", player)]
        assert row["prediction_error"] == 5.0
        assert (row["bet_outcome"], row["beat_vegas"]) == (None, None), player
    assert rows[("challenger", "d")]["bet_outcome"] == "WIN"


@pytest.mark.parametrize("backend", ["duckdb", "bigquery"])
def test_profit_at_the_stored_prices_matches_a_hand_computation(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from shadowline.tasks.warehouse import open_warehouse

    url = request.getfixturevalue("warehouse_url" if backend == "duckdb" else "bigquery_url")
    bets = [  # (player, recommendation, line, price, points scored)
        ("a", "OVER", 20.5, 105, 25),  # WIN at +105: +1.05
        ("b", "UNDER", 20.5, -120, 18),  # WIN at -120: +100/120
        ("c", "OVER", 20.0, -110, 20),  # PUSH: 0
        ("d", "UNDER", 20.5, 150, 30),  # LOSS: -1
        ("e", "OVER", 20.5, None, 25),  # WIN, but no book offered the line: no price
        ("f", "PASS", 20.5, None, 25),  # no bet
    ]
    with open_warehouse(url) as warehouse:
        add_registry(warehouse)
        add_predictions(warehouse, [
            dict(model_id="challenger", player_lookup=p, predicted_points=22.0, betting_line=line,
                 recommendation=rec, bet_odds=odds, bet_book=None if odds is None else "x")
            for p, rec, line, odds, _ in bets
        ])  # fmt: skip
        add_box(warehouse, [(p, 30.0, points) for p, *_, points in bets])
        grade_predictions(warehouse, DAY)
        profit = {p: r["profit_units"] for (_, p), r in graded(warehouse).items()}
        day = warehouse.query(
            "select bets, priced_bets, units, roi_at_odds, break_even_at_odds, roi "
            "from nba_predictions.v_ml_model_daily_performance where model_id = 'challenger'"
        ).to_pylist()[0]
    assert profit == pytest.approx(
        {"a": 1.05, "b": 100 / 120, "c": 0.0, "d": -1.0, "e": None, "f": None}
    )
    units = 1.05 + 100 / 120 + 0.0 - 1.0
    assert day["bets"] == 5 and day["priced_bets"] == 4
    assert day["units"] == pytest.approx(units)
    assert day["roi_at_odds"] == pytest.approx(units / 4)
    # the break-even of the priced WIN/LOSS bets' own prices: 100/205, 120/220, 100/250
    assert day["break_even_at_odds"] == pytest.approx((100 / 205 + 120 / 220 + 100 / 250) / 3)
    assert day["roi"] == pytest.approx((3 * 100 / 110 - 1) / 5)  # the seed's -110 figure stays


@pytest.mark.parametrize("backend", ["duckdb", "bigquery"])
def test_closing_line_value_is_the_move_toward_the_bet_by_tip_off(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from datetime import UTC, datetime

    from shadowline.tasks.warehouse import open_warehouse

    url = request.getfixturevalue("warehouse_url" if backend == "duckdb" else "bigquery_url")
    tipoff = datetime(2026, 1, 9, 0, 30, tzinfo=UTC)  # 7:30 pm ET on DAY

    def offer(player: str, book: str, hour: int, line: float, over: int, under: int) -> dict:
        at = datetime(2026, 1, 8, hour, tzinfo=UTC) if hour < 24 else datetime(
            2026, 1, 9, hour - 24, tzinfo=UTC)  # fmt: skip
        return {"player_lookup": player, "game_date": DAY, "bookmaker": book,
                "points_line": line, "over_odds": over, "under_odds": under,
                "processed_at": at}  # fmt: skip

    offers = [
        offer(p, "a", 15, 22.5, -110, -110) for p in ("over", "under", "pass")  # the noon line
    ] + [
        offer(p, "a", 23, 23.5, -110, -110) for p in ("over", "under", "pass")  # a's close
    ] + [
        offer(p, "b", 22, 23.5, -105, -115) for p in ("over", "under", "pass")  # b's main line
    ] + [
        offer(p, "b", 22, 22.5, -160, 130) for p in ("over", "under", "pass")  # b's alternate
    ] + [
        offer(p, "a", 25, 26.5, -110, -110) for p in ("over", "under", "pass")  # after tip-off
    ]  # fmt: skip
    with open_warehouse(url) as warehouse:
        add_registry(warehouse)
        warehouse.write("nba_raw.schedule", pa.Table.from_pylist([{
            "game_id": "G1", "game_date": DAY, "home_team_abbr": "BOS", "away_team_abbr": "NYK",
            "tipoff_at": tipoff}]))  # fmt: skip
        warehouse.write("nba_raw.player_points_props", pa.Table.from_pylist(offers))
        add_predictions(warehouse, [
            dict(model_id="challenger", player_lookup=p, predicted_points=22.0, betting_line=22.5,
                 recommendation=rec)
            for p, rec in (("over", "OVER"), ("under", "UNDER"), ("pass", "PASS"),
                           ("unlisted", "OVER"))
        ])  # fmt: skip
        add_box(warehouse, [(p, 30.0, 25) for p in ("over", "under", "pass", "unlisted")])
        grade_predictions(warehouse, DAY)
        rows = {p: (r["closing_line"], r["clv_points"]) for (_, p), r in graded(warehouse).items()}
        day = warehouse.query(
            "select avg_clv, clv_positive_rate from nba_predictions.v_ml_model_daily_performance "
            "where model_id = 'challenger'"
        ).to_pylist()[0]
    # closing: a's last snapshot before tip-off (23.5, not 26.5 after it) and b's main line
    # (23.5, not its 22.5 alternate): the line moved a point up from the 22.5 bet on
    assert rows == {
        "over": (23.5, 1.0), "under": (23.5, -1.0), "pass": (23.5, None),
        "unlisted": (None, None),
    }  # fmt: skip
    assert day["avg_clv"] == pytest.approx(0.0) and day["clv_positive_rate"] == pytest.approx(0.5)
