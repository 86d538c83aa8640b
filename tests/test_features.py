"""The feature store is point in time: nothing dated D knows D's box scores."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.features import FEATURE_SETS, build_features
from shadowline.tasks.loading import load_rows
from shadowline.tasks.warehouse import Warehouse, open_warehouse

D = date(2026, 3, 4)
START, END = date(2026, 2, 20), date(2026, 3, 12)


def feature_rows(warehouse: Warehouse, start: date, end: date) -> dict[tuple, dict]:
    rows = warehouse.query(
        "select * except (built_at) from nba_predictions.ml_feature_store "
        "where game_date between @s and @e",
        {"s": start, "e": end},
    ).to_pylist()
    return {(r["game_date"], r["player_lookup"]): r for r in rows}


def test_changing_a_box_score_on_d_changes_no_feature_dated_d_or_before(demo_url: str) -> None:
    warehouse = open_warehouse(demo_url)
    build_features(warehouse, START, END)
    before = feature_rows(warehouse, START, END)
    # the top scorer of D scores 60 more points, plays 10 more minutes and shoots 20 more times
    top = warehouse.query(
        "select * from nba_analytics.player_game_summary where game_date = @d "
        "order by points desc limit 1",
        {"d": D},
    )
    player = top["player_lookup"][0].as_py()
    changed = top.to_pylist()[0]
    changed.update(
        points=changed["points"] + 60,
        minutes_played=changed["minutes_played"] + 10,
        fg_attempted=changed["fg_attempted"] + 20,
    )
    load_rows(warehouse, "nba_analytics.player_game_summary", pa.Table.from_pylist([changed]))
    build_features(warehouse, START, END)
    after = feature_rows(warehouse, START, END)

    assert after.keys() == before.keys()
    for key, row in after.items():
        if key[0] <= D:
            assert row == before[key], f"feature row {key} changed: leakage"
    later = [k for k in after if k[1] == player and k[0] > D]
    assert later and after[later[0]]["pts_avg_last_5"] > before[later[0]]["pts_avg_last_5"]


def test_the_slate_keeps_players_who_end_up_not_playing(demo_url: str) -> None:
    warehouse = open_warehouse(demo_url)
    build_features(warehouse, D, D)
    slate = set(feature_rows(warehouse, D, D))
    dnp = warehouse.query(
        "select player_lookup from nba_analytics.player_game_summary "
        "where game_date = @d and minutes_played = 0",
        {"d": D},
    )["player_lookup"].to_pylist()
    assert dnp and all((D, p) in slate for p in dnp)
    # and the OUT players, who have no box-score row at all
    out = warehouse.query(
        "select player_lookup from nba_predictions.ml_feature_store "
        "where game_date = @d and injury_status = 'OUT'",
        {"d": D},
    )["player_lookup"].to_pylist()
    box = set(
        warehouse.query(
            "select player_lookup from nba_analytics.player_game_summary where game_date = @d",
            {"d": D},
        )["player_lookup"].to_pylist()
    )
    assert out and not set(out) & box


def test_the_consensus_line_is_the_median_of_each_books_latest_line(warehouse: Warehouse) -> None:
    def snapshot(book: str, line: float, hour: int) -> dict:
        return {
            "player_lookup": "p",
            "game_date": D,
            "bookmaker": book,
            "points_line": line,
            "processed_at": datetime(2026, 3, 4, hour, tzinfo=UTC),
        }

    load_rows(
        warehouse,
        "nba_raw.player_points_props",
        pa.Table.from_pylist(
            [
                snapshot("a", 30.5, 13),
                snapshot("a", 20.5, 20),  # a's latest: 20.5
                snapshot("b", 21.5, 14),
                snapshot("c", 22.5, 15),
                snapshot("c", 19.5, 12),
            ]
        ),
    )
    load_rows(
        warehouse,
        "nba_raw.schedule",
        pa.Table.from_pylist(
            [{"game_id": "g", "game_date": D, "home_team_abbr": "BOS", "away_team_abbr": "NYK"}]
        ),
    )
    load_rows(
        warehouse,
        "nba_analytics.player_game_summary",
        pa.Table.from_pylist(
            [
                {
                    "player_lookup": "p",
                    "game_id": "g0",
                    "game_date": date(2026, 3, 2),
                    "team_abbr": "BOS",
                    "opponent_team_abbr": "MIA",
                    "home": True,
                    "minutes_played": 30.0,
                    "points": 20,
                }
            ]
        ),
    )
    build_features(warehouse, D, D)
    row = feature_rows(warehouse, D, D)[(D, "p")]
    assert row["betting_line"] == 21.5 and row["line_books"] == 3
    assert row["pts_avg_last_5"] == 20.0 and row["rest_days"] == 10.0  # no earlier team game


def test_every_feature_set_is_a_list_of_feature_store_columns(warehouse: Warehouse) -> None:
    columns = set(warehouse.table_schema("nba_predictions.ml_feature_store").names)
    for version, names in FEATURE_SETS.items():
        assert set(names) <= columns, version
        assert len(set(names)) == len(names), version


def test_training_rows_stop_before_the_cutoff(demo_url: str) -> None:
    from shadowline.tasks.features import read_training_rows

    rows = read_training_rows(open_warehouse(demo_url), D)
    assert rows.num_rows > 10_000
    assert pc.max(rows["game_date"]).as_py() < D
