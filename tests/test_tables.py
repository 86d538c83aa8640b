"""The text tables people read: the default ones fit 100 columns on the demo, --wide shows every
column, --columns chooses, and the machine formats keep every column."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pytest

from shadowline.flows.cli import main
from shadowline.tasks.reporting.tables import WIDTH, format_table

# Every command whose table is compact by default, as a user types it on the demo.
COMMANDS = {
    "leaderboard": ["leaderboard"],
    "head-to-head": ["head-to-head", "catboost_v2", "catboost_v1"],
    "daily": ["daily", "--date", "2025-10-22"],  # the demo's second game day
    "monitor": ["monitor"],
    "registry list": ["registry", "list"],
}


def run(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["--warehouse", url, *args]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def every_column(url: str, capsys: pytest.CaptureFixture[str], args: list[str]) -> list[str]:
    return next(csv.reader(io.StringIO(run(url, capsys, *args, "--format", "csv"))))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_default_table_fits_100_columns_and_wide_shows_every_column(
    demo_url: str, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    args = COMMANDS[name]
    out = run(demo_url, capsys, *args)
    lines = out.splitlines()
    assert len(lines) > 3 and "(no rows)" not in out
    too_wide = [line for line in lines if len(line) > WIDTH]
    assert not too_wide, f"{name}: {too_wide[0]!r} is {len(too_wide[0])} characters"

    columns = every_column(demo_url, capsys, args)
    header = lines[1 if name == "daily" else 0].split()  # daily titles its date first
    assert 3 < len(header) < len(columns)  # some columns, not every one
    assert set(header) <= set(columns)

    wide = run(demo_url, capsys, *args, "--wide").splitlines()[1 if name == "daily" else 0]
    # (head-to-head's csv adds the statistics its text prints under the table)
    extra = ["ci_lower", "ci_upper", "p_value", "sign_test_p", "verdict"]
    assert wide.split() == [c for c in columns if name != "head-to-head" or c not in extra]


def test_columns_chooses_in_the_order_given_and_names_a_column_it_does_not_have(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(demo_url, capsys, "leaderboard", "--columns", "bets,model_id, live_mae")
    assert out.splitlines()[0].split() == ["bets", "model_id", "live_mae"]

    assert main(["--warehouse", demo_url, "leaderboard", "--columns", "model_id,roi_pct"]) == 2
    err = capsys.readouterr().err
    assert "no column roi_pct" in err and "roi_at_odds" in err  # the columns it has
    assert main(["--warehouse", demo_url, "monitor", "--wide", "--columns", "state"]) == 2
    assert "give one" in capsys.readouterr().err


def test_a_long_name_folds_to_fit_and_no_number_is_cut() -> None:
    long_id = "catboost_v2_tuned_on_the_2024_25_season_with_rest_features_and_team_news_a"
    table = pa.table(
        {
            "model_id": [long_id, "x"],
            "note": ["word " * 30, ""],
            "mae": [4.123456, 12345.5],
            "bets": [1_234_567, 3],
        }
    )
    lines = format_table(table, width=60).splitlines()
    assert max(map(len, lines)) <= 60
    text = "\n".join(lines)
    assert "4.123" in text and "12,345.500" in text and "1,234,567" in text
    first = lines[1].index(" ")  # the first column's width, from its header rule
    assert "".join(line[:first].strip() for line in lines[2:]) == long_id + "x"
    # as wide as the cells with no width given, one line per row
    assert len(format_table(table).splitlines()) == 4
