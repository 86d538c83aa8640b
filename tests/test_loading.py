"""`shadowline load` refuses values that parse but are not real, from CSV and Parquet alike: one
line naming the column, the row and the value, and the table unchanged."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shadowline.flows.cli import main
from shadowline.tasks.warehouse import open_warehouse

PROPS = "nba_raw.player_points_props"
BOX = "nba_analytics.player_game_summary"
INJURY = "nba_raw.injury_report"
PROPS_HEADER = "player_lookup,game_date,bookmaker,points_line,over_odds,under_odds,processed_at"
BOX_HEADER = (
    "player_lookup,game_id,game_date,team_abbr,opponent_team_abbr,home,minutes_played,points"
)
INJURY_HEADER = "player_lookup,game_date,team_abbr,injury_status,reason,report_time"
GOOD_PROP = "jaysontatum,2026-03-04,dk,26.5,-110,-110,2026-03-04T21:00:00Z"
GOOD_BOX = "jaysontatum,g1,2026-03-04,BOS,NYK,true,36.5,27"


def _prop(**values: str) -> str:
    fields = dict(zip(PROPS_HEADER.split(","), GOOD_PROP.split(","), strict=True))
    return ",".join({**fields, **values}.values())


def _box(**values: str) -> str:
    fields = dict(zip(BOX_HEADER.split(","), GOOD_BOX.split(","), strict=True))
    return ",".join({**fields, **values}.values())


def _count(url: str, table: str) -> int:
    with open_warehouse(url) as warehouse:
        return warehouse.query(f"select count(*) as n from {table}")["n"][0].as_py()


def _refused(url: str, table: str, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = _count(url, table)
    assert main(["--warehouse", url, "load", table, str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("shadowline: error: ") and len(err.splitlines()) == 1, err
    assert _count(url, table) == before
    return err


@pytest.mark.parametrize(
    ("table", "lines", "expected"),
    [
        # a good row first: the refusal names the bad one, row 2
        (PROPS, [GOOD_PROP, _prop(points_line="inf")], "points_line inf in row 2"),
        # CSV reads nan as no value
        (PROPS, [GOOD_PROP, _prop(points_line="nan")], "points_line is required but empty"),
        (PROPS, [GOOD_PROP, _prop(points_line="1e308")], "points_line 1e+308 in row 2"),
        (PROPS, [GOOD_PROP, _prop(points_line="-13")], "points_line -13.0 in row 2"),
        (PROPS, [GOOD_PROP, _prop(points_line="26.3")], "in steps of 0.5"),
        (PROPS, [GOOD_PROP, _prop(over_odds="-50")], "over_odds -50 in row 2"),
        (PROPS, [GOOD_PROP, _prop(under_odds="99")], "under_odds 99 in row 2"),
        (PROPS, [GOOD_PROP, _prop(processed_at="1773673200")],
         "processed_at should be written like 2026-03-04T19:00:00Z, found a number (1773673200) "
         "in row 2"),
        (PROPS, [_prop(processed_at="1773673200")], "found a number (1773673200) in row 1"),
        (PROPS, [GOOD_PROP, _prop(bookmaker="  ")], "bookmaker is required but empty in row 2"),
        (PROPS, [PROPS_HEADER + ",points_line", GOOD_PROP + ",26.5"],
         "column(s) points_line appear more than once in the header"),
        (BOX, [GOOD_BOX, _box(minutes_played="9999")], "minutes_played 9999.0 in row 2"),
        (BOX, [GOOD_BOX, _box(minutes_played="-5")], "minutes_played -5.0 in row 2"),
        (BOX, [GOOD_BOX, _box(points="-1")], "points -1 in row 2"),
        (BOX, [GOOD_BOX, _box(points="inf")], "points should be int64, found inf in row 2"),
        (INJURY, ["jaysontatum,2026-03-04,BOS,maybe,knee,2026-03-04T17:00:00Z"],
         "injury_status maybe in row 1"),
        # found by the property tests (tests/test_load_properties.py):
        (PROPS, [GOOD_PROP, _prop(player_lookup="!!!")],
         "player_lookup !!! in row 2 has no letters or digits"),
        (INJURY, ['jaysontatum,2026-03-04,BOS,maybe,"left\nknee",2026-03-04T17:00:00Z',
                  'jaysontatum,2026-03-04,BOS,OUT,"left\nknee",2026-03-04T17:00:00Z'],
         "injury_status maybe in row 1"),  # a quoted line break is a value, not a new row
        (BOX, ["player_lookup,game_id,player_lookup", "a,g1,a"],
         "column(s) player_lookup appear more than once"),
    ],
)  # fmt: skip
def test_a_csv_value_outside_its_domain_is_refused_by_column_row_and_value(
    table: str,
    lines: list[str],
    expected: str,
    warehouse_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    header = {PROPS: PROPS_HEADER, BOX: BOX_HEADER, INJURY: INJURY_HEADER}[table]
    if lines[0].startswith("player_lookup,"):  # the case brings its own header
        header, lines = lines[0], lines[1:]
    path = tmp_path / "feed.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    assert expected in _refused(warehouse_url, table, path, capsys)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("points_line", float("nan"), "points_line nan in row 1"),
        ("points_line", float("inf"), "points_line inf in row 1"),
        ("points_line", -0.5, "points_line -0.5 in row 1"),
        ("bookmaker", "", "bookmaker is required but empty in row 1"),
    ],
)
def test_a_parquet_value_outside_its_domain_is_refused_like_a_csv_one(
    column: str,
    value: object,
    expected: str,
    warehouse_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import UTC, date, datetime

    row = {
        "player_lookup": "jaysontatum",
        "game_date": date(2026, 3, 4),
        "bookmaker": "dk",
        "points_line": 26.5,
        "over_odds": -110,
        "under_odds": -110,
        "processed_at": datetime(2026, 3, 4, 21, tzinfo=UTC),
        column: value,
    }
    path = tmp_path / "feed.parquet"
    pq.write_table(pa.Table.from_pylist([row]), path)
    assert expected in _refused(warehouse_url, PROPS, path, capsys)


def test_box_scores_with_nan_minutes_in_parquet_are_refused(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date

    path = tmp_path / "box.parquet"
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "player_lookup": "a",
                    "game_id": "g1",
                    "game_date": date(2026, 3, 4),
                    "team_abbr": "BOS",
                    "opponent_team_abbr": "NYK",
                    "home": True,
                    "minutes_played": float("nan"),
                    "points": 10,
                }
            ]  # fmt: skip
        ),
        path,
    )
    assert "minutes_played nan in row 1" in _refused(warehouse_url, BOX, path, capsys)


def test_good_values_load_trimmed_with_statuses_upper_case(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "injury.csv"
    path.write_text(
        f"{INJURY_HEADER}\n"
        " jaysontatum ,2026-03-04, BOS ,questionable,knee,2026-03-04T17:00:00Z\n"
        "jaylenbrown,2026-03-04,BOS,Out,,2026-03-04T17:00:00Z\n"
    )
    assert main(["--warehouse", warehouse_url, "load", INJURY, str(path)]) == 0
    with open_warehouse(warehouse_url) as warehouse:
        rows = warehouse.query(
            f"select player_lookup, team_abbr, injury_status, reason from {INJURY} "
            "order by player_lookup"
        ).to_pylist()
    assert rows == [
        {"player_lookup": "jaylenbrown", "team_abbr": "BOS", "injury_status": "OUT",
         "reason": None},
        {"player_lookup": "jaysontatum", "team_abbr": "BOS", "injury_status": "QUESTIONABLE",
         "reason": "knee"},
    ]  # fmt: skip


def test_a_csv_keeps_text_as_written_and_line_breaks_inside_quotes(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "schedule.csv"
    path.write_text(
        "game_id,game_date,home_team_abbr,away_team_abbr,season\n"
        "0022500001,2026-03-04,BOS,NYK,1e5\n"  # not the number 22500001, nor 100000.0
    )
    assert main(["--warehouse", warehouse_url, "load", "nba_raw.schedule", str(path)]) == 0
    with open_warehouse(warehouse_url) as warehouse:
        row = warehouse.query("select game_id, season from nba_raw.schedule").to_pylist()
    assert row == [{"game_id": "0022500001", "season": "1e5"}]
    path.write_text(
        f'{INJURY_HEADER}\njaysontatum,2026-03-04,BOS,OUT,"sore\nleft knee",2026-03-04T17:00:00Z\n'
    )
    assert main(["--warehouse", warehouse_url, "load", INJURY, str(path)]) == 0
    with open_warehouse(warehouse_url) as warehouse:
        reason = warehouse.query(f"select reason from {INJURY}")["reason"].to_pylist()
    assert reason == ["sore\nleft knee"]


def test_an_empty_csv_and_a_repeated_parquet_column_are_one_line(
    warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    refusal = _refused(warehouse_url, "nba_raw.player_aliases", empty, capsys)
    assert "is empty: start it with a header row naming its columns (at least alias, " \
        "player_lookup)" in refusal  # fmt: skip
    twice = tmp_path / "twice.parquet"
    pq.write_table(
        pa.Table.from_arrays([pa.array(["Nic Claxton"]), pa.array(["nicclaxton"]),
                              pa.array(["x"])], names=["alias", "player_lookup", "alias"]),
        twice,
    )  # fmt: skip
    assert "column(s) alias appear more than once in the header" in _refused(
        warehouse_url, "nba_raw.player_aliases", twice, capsys
    )
    tipoffs = tmp_path / "schedule.csv"  # game days from tip-offs, but two tip-off columns
    tipoffs.write_text(
        "game_id,home_team_abbr,away_team_abbr,tipoff_at,tipoff_at\n"
        "g1,BOS,NYK,2026-03-05T00:30:00Z,2026-03-05T00:30:00Z\n"
    )
    assert "column(s) tipoff_at appear more than once" in _refused(
        warehouse_url, "nba_raw.schedule", tipoffs, capsys
    )
