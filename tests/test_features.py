"""The feature store is point in time: nothing dated D knows D's box scores."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.features.store import build_features
from shadowline.tasks.ingest.loading import load_rows
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
    # the top scorer of D scores 30 more points, plays 5 more minutes and shoots 20 more times
    # (within the box score's domains: at most 100 points and 70 minutes)
    top = warehouse.query(
        "select * from nba_analytics.player_game_summary where game_date = @d "
        "order by points desc limit 1",
        {"d": D},
    )
    player = top["player_lookup"][0].as_py()
    changed = top.to_pylist()[0]
    changed.update(
        points=changed["points"] + 30,
        minutes_played=changed["minutes_played"] + 5,
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


def test_a_date_built_alone_gets_the_rows_it_gets_inside_a_range(demo_url: str) -> None:
    """What a daily run builds for D is what a backfill that spans D builds, to the last bit
    (a model's split can sit on it): players back from a long absence (last season's stats)
    included. Before minutes were summed as whole numbers, a season's minutes average differed
    in the last digit on about one row in five, as the warehouse added them in another order."""
    warehouse = open_warehouse(demo_url)
    season = (date(2025, 10, 21), date(2026, 1, 31))
    build_features(warehouse, *season)
    in_range = feature_rows(warehouse, *season)
    returners = 0
    for day in (date(2025, 11, 28), date(2025, 11, 30), date(2026, 1, 30)):
        build_features(warehouse, day, day)
        alone = feature_rows(warehouse, day, day)
        assert alone.keys() == {k for k in in_range if k[0] == day}
        for key, row in alone.items():
            assert row == in_range[key], key
            returners += row["games_played_season"] == 0 and row["pts_avg_season"] is not None
    assert returners  # the rows that a history measured from the range's start got wrong


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


def props_snapshot(
    book: str, line: float, hour: int, over: int | None = None, under: int | None = None
) -> dict:
    return {
        "player_lookup": "p",
        "game_date": D,
        "bookmaker": book,
        "points_line": line,
        "over_odds": over,
        "under_odds": under,
        "processed_at": datetime(2026, 3, 4, hour, tzinfo=UTC),
    }


def one_player_one_game(warehouse: Warehouse) -> None:
    """A schedule with one game on D and one earlier box score for player p."""
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


def test_the_consensus_line_is_the_median_of_each_books_latest_line(warehouse: Warehouse) -> None:
    load_rows(
        warehouse,
        "nba_raw.player_points_props",
        pa.Table.from_pylist(
            [
                props_snapshot("a", 30.5, 13),
                props_snapshot("a", 20.5, 16),  # a's latest before noon ET (17:00 UTC): 20.5
                props_snapshot("b", 21.5, 14),
                props_snapshot("c", 22.5, 15),
                props_snapshot("c", 19.5, 12),
            ]
        ),
    )
    one_player_one_game(warehouse)
    build_features(warehouse, D, D)
    row = feature_rows(warehouse, D, D)[(D, "p")]
    assert row["betting_line"] == 21.5 and row["line_books"] == 3
    assert row["pts_avg_last_5"] == 20.0 and row["rest_days"] == 10.0  # no earlier team game


def test_each_book_counts_once_with_its_main_line_the_one_priced_closest_to_even(
    warehouse: Warehouse,
) -> None:
    """A snapshot with alternate lines loads whole; the consensus takes one line per book."""
    snapshot = [
        props_snapshot("a", 18.5, 16, -150, 120),
        props_snapshot("a", 19.5, 16, -110, -110),  # a's main line
        props_snapshot("a", 20.5, 16, 115, -140),
        # b: 21.5 and 22.5 are priced as close to even, and as near b's median (22.0): the
        # lower one is b's main line
        props_snapshot("b", 20.5, 16, 130, -160),
        props_snapshot("b", 21.5, 16, -115, -105),
        props_snapshot("b", 22.5, 16, -105, -115),
        props_snapshot("b", 23.5, 16, 140, -170),
        props_snapshot("c", 25.5, 16),  # no prices at all: c's only line is its main line
    ]
    one_player_one_game(warehouse)
    book_a = pa.Table.from_pylist(snapshot[:3])
    assert load_rows(warehouse, "nba_raw.player_points_props", book_a).rows == 3
    build_features(warehouse, D, D)
    row = feature_rows(warehouse, D, D)[(D, "p")]
    assert row["betting_line"] == 19.5 and row["line_books"] == 1  # -110/-110, not 18.5 or 20.5

    loaded = load_rows(warehouse, "nba_raw.player_points_props", pa.Table.from_pylist(snapshot))
    again = load_rows(warehouse, "nba_raw.player_points_props", pa.Table.from_pylist(snapshot))
    assert loaded.rows == again.rows == 8
    stored = warehouse.query("select count(*) as n from nba_raw.player_points_props")
    assert stored["n"].to_pylist() == [8]
    build_features(warehouse, D, D)
    row = feature_rows(warehouse, D, D)[(D, "p")]
    # main lines 19.5 (a), 21.5 (b), 25.5 (c): the median is b's
    assert row["betting_line"] == 21.5 and row["line_books"] == 3


def test_a_repeated_row_loads_once_and_conflicting_offers_are_refused_in_plain_words(
    warehouse: Warehouse,
) -> None:
    from shadowline.tasks.ingest.loading import LoadError

    offer = props_snapshot("a", 19.5, 20, -110, -110)
    twice = pa.Table.from_pylist([offer] * 2)
    assert load_rows(warehouse, "nba_raw.player_points_props", twice).rows == 1
    clash = pa.Table.from_pylist([offer, {**offer, "over_odds": -120, "under_odds": 100}])
    with pytest.raises(LoadError) as refused:
        load_rows(warehouse, "nba_raw.player_points_props", clash)
    message = str(refused.value)
    assert "rows 1 and 2 (" in message and "over_odds -110 vs -120" in message
    assert "bookmaker a" in message and "{" not in message and "datetime" not in message


def test_every_feature_set_is_a_list_of_feature_store_columns(warehouse: Warehouse) -> None:
    columns = set(warehouse.table_schema("nba_predictions.ml_feature_store").names)
    for version, names in SHIPPED_SETS.items():
        assert set(names) <= columns, version
        assert len(set(names)) == len(names), version


def test_training_rows_stop_before_the_cutoff(demo_url: str) -> None:
    from shadowline.tasks.features.store import read_training_rows

    rows = read_training_rows(open_warehouse(demo_url), D)
    assert rows.num_rows > 10_000
    assert pc.max(rows["game_date"]).as_py() < D


def test_the_price_at_the_consensus_line_is_each_sides_best_among_the_books_offering_it(
    warehouse: Warehouse,
) -> None:
    one_player_one_game(warehouse)
    snapshot = [
        props_snapshot("a", 22.5, 15, -110, -110),  # a's main line
        props_snapshot("b", 22.5, 15, 105, -125),  # b's main line (closest to even of b's)
        props_snapshot("b", 21.5, 15, -140, 115),
        props_snapshot("c", 23.5, 15, -110, -110),  # c's main line: not the consensus
        props_snapshot("c", 22.5, 15, -130, 110),  # c's alternate at the consensus line
        props_snapshot("d", 22.5, 13, 150, 150),  # d's older snapshot: not its latest offer
        props_snapshot("d", 24.5, 15, -105, -115),
    ]
    load_rows(warehouse, "nba_raw.player_points_props", pa.Table.from_pylist(snapshot))
    build_features(warehouse, D, D)
    row = feature_rows(warehouse, D, D)[(D, "p")]
    # main lines 22.5 (a), 22.5 (b), 23.5 (c), 24.5 (d): median 23.0, offered by nobody ...
    assert row["betting_line"] == 23.0 and row["best_over_odds"] is None
    load_rows(  # ... until d moves its main line to 22.5: median 22.5
        warehouse, "nba_raw.player_points_props",
        pa.Table.from_pylist([props_snapshot("d", 22.5, 16, -115, -105)]),
    )  # fmt: skip
    build_features(warehouse, D, D)
    row = feature_rows(warehouse, D, D)[(D, "p")]
    assert row["betting_line"] == 22.5
    # over: a -110, b +105, c -130, d -115 -> b; under: a -110, b -125, c +110, d -105 -> c
    assert (row["best_over_odds"], row["best_over_book"]) == (105, "b")
    assert (row["best_under_odds"], row["best_under_book"]) == (110, "c")


def test_lines_are_read_as_of_the_cutoff_on_the_game_day(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D is in standard time: noon Eastern is 17:00 UTC. A line posted after it is the
    afternoon's, not what the noon run saw; SHADOWLINE_LINE_CUTOFF moves the cutoff."""
    one_player_one_game(warehouse)
    snapshots = [
        props_snapshot("a", 20.5, 16, -110, -110),
        props_snapshot("a", 23.5, 18, -110, -110),
    ]
    load_rows(warehouse, "nba_raw.player_points_props", pa.Table.from_pylist(snapshots))
    build_features(warehouse, D, D)
    assert feature_rows(warehouse, D, D)[(D, "p")]["betting_line"] == 20.5
    monkeypatch.setenv("SHADOWLINE_LINE_CUTOFF", "13:30")  # 18:30 UTC
    build_features(warehouse, D, D)
    assert feature_rows(warehouse, D, D)[(D, "p")]["betting_line"] == 23.5


def test_a_tipoff_relative_cutoff_reads_each_games_lines_by_its_own_tipoff(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two games on D: p's tips at 19:00 ET (00:00 UTC), q's at 22:00 ET (03:00 UTC). With
    tipoff-60m, p's lines are read as of 18:00 ET and q's as of 21:00 ET: q's 20:00 ET move
    counts for him, p's 18:30 ET move does not. A noon cutoff reads neither evening line."""
    next_utc = datetime(2026, 3, 5, tzinfo=UTC)
    load_rows(
        warehouse, "nba_raw.schedule",
        pa.Table.from_pylist([
            {"game_id": "g1", "game_date": D, "home_team_abbr": "BOS", "away_team_abbr": "NYK",
             "tipoff_at": next_utc},
            {"game_id": "g2", "game_date": D, "home_team_abbr": "LAL", "away_team_abbr": "GSW",
             "tipoff_at": next_utc.replace(hour=3)},
        ]),
    )  # fmt: skip
    box = {"game_date": date(2026, 3, 2), "home": True, "minutes_played": 30.0, "points": 20}
    load_rows(
        warehouse, "nba_analytics.player_game_summary",
        pa.Table.from_pylist([
            {**box, "player_lookup": "p", "game_id": "g0", "team_abbr": "BOS",
             "opponent_team_abbr": "MIA"},
            {**box, "player_lookup": "q", "game_id": "g00", "team_abbr": "LAL",
             "opponent_team_abbr": "PHX"},
        ]),
    )  # fmt: skip

    def line(player: str, points: float, at: datetime) -> dict:
        return {**props_snapshot("a", points, 0), "player_lookup": player, "processed_at": at}

    load_rows(
        warehouse, "nba_raw.player_points_props",
        pa.Table.from_pylist([
            line("p", 20.5, datetime(2026, 3, 4, 16, tzinfo=UTC)),  # 11:00 ET
            line("p", 21.5, datetime(2026, 3, 4, 23, 30, tzinfo=UTC)),  # 18:30 ET: after 18:00
            line("q", 25.5, datetime(2026, 3, 4, 16, tzinfo=UTC)),
            line("q", 26.5, next_utc.replace(hour=1)),  # 20:00 ET: before q's 21:00 cutoff
            line("q", 27.5, next_utc.replace(hour=2, minute=30)),  # 21:30 ET: after it
        ]),
    )  # fmt: skip
    monkeypatch.setenv("SHADOWLINE_LINE_CUTOFF", "tipoff-60m")
    build_features(warehouse, D, D)
    rows = feature_rows(warehouse, D, D)
    assert (rows[(D, "p")]["betting_line"], rows[(D, "q")]["betting_line"]) == (20.5, 26.5)
    assert rows[(D, "p")]["line_cutoff_at"] == datetime(2026, 3, 4, 23, tzinfo=UTC)
    assert rows[(D, "q")]["line_cutoff_at"] == next_utc.replace(hour=2)
    monkeypatch.setenv("SHADOWLINE_LINE_CUTOFF", "12:00")
    build_features(warehouse, D, D)
    rows = feature_rows(warehouse, D, D)
    assert (rows[(D, "p")]["betting_line"], rows[(D, "q")]["betting_line"]) == (20.5, 25.5)


@pytest.mark.parametrize("value", ["noon", "25:00", "tipoff+60m", "tipoff-13h"])
def test_a_line_cutoff_of_neither_form_is_refused_naming_both(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shadowline.tasks.core.settings import SettingsError, read_settings

    monkeypatch.setenv("SHADOWLINE_LINE_CUTOFF", value)
    with pytest.raises(SettingsError, match=r"SHADOWLINE_LINE_CUTOFF=.*\(12:00\).*\(tipoff-60m\)"):
        read_settings()
