from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest

from shadowline.tasks.demo import (
    DEFAULT_SEASON_END,
    DEFAULT_SEASON_START,
    DEMO_SEASONS,
    Season,
    generate_season,
    generate_seasons,
)
from shadowline.tasks.ingest.loading import load_rows
from shadowline.tasks.ingest.players import normalize_name
from shadowline.tasks.warehouse import Warehouse
from shadowline.tasks.warehouse.schemas import arrow_schema, table_names


def col(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False)


def ipc_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


@pytest.fixture(scope="module")
def season() -> Season:
    return generate_season()


@pytest.fixture(scope="module")
def latest_status(season: Season) -> dict[tuple[str, object], str]:
    """(player_lookup, game_date) -> status in the latest report snapshot."""
    report = season.injury_report
    latest: dict[tuple[str, object], tuple[object, str]] = {}
    for player, day, status, at in zip(
        col(report, "player_lookup"),
        col(report, "game_date"),
        col(report, "injury_status"),
        col(report, "report_time"),
        strict=True,
    ):
        key = (player, day)
        if key not in latest or at > latest[key][0]:
            latest[key] = (at, status)
    return {key: status for key, (_, status) in latest.items()}


@pytest.fixture(scope="module")
def players(season: Season) -> dict[str, str]:
    """How the props name players -> the box scores' player_lookup (own names, then aliases);
    a name missing here matches no one."""
    own = {lookup: lookup for lookup in col(season.player_game_summary, "player_lookup")}
    aliases = {
        normalize_name(alias): lookup
        for alias, lookup in zip(
            col(season.player_aliases, "alias"),
            col(season.player_aliases, "player_lookup"),
            strict=True,
        )
    }
    names = {normalize_name(name) for name in col(season.player_points_props, "player_lookup")}
    return {
        name: own.get(name) or aliases[name] for name in names if name in own or name in aliases
    }


def implied(odds: np.ndarray) -> np.ndarray:
    return np.where(odds < 0, -odds, 100.0) / (np.abs(odds) + 100.0)


@pytest.fixture(scope="module")
def snapshots(season: Season) -> dict[tuple[str, object, str, object], list[tuple]]:
    """(book's name, game_date, book, processed_at) -> [(line, over, under)]: every snapshot."""
    props = season.player_points_props
    found: dict[tuple[str, object, str, object], list[tuple]] = defaultdict(list)
    for name, day, book, at, line, over, under in zip(
        *(col(props, c) for c in ("player_lookup", "game_date", "bookmaker", "processed_at")),
        *(col(props, c) for c in ("points_line", "over_odds", "under_odds")),
        strict=True,
    ):
        found[(name, day, book, at)].append((line, over, under))
    return found


def main_line(lines: list[tuple]) -> float:
    """The README's rule: the line whose prices are closest to even."""
    line, over, under = min(lines, key=lambda o: abs(implied(np.array(o[1:])) @ [1, -1]))
    return line


@pytest.fixture(scope="module")
def closing(
    snapshots: dict[tuple[str, object, str, object], list[tuple]], players: dict[str, str]
) -> dict[tuple[str, object], list[float]]:
    """(player_lookup, game_date) -> each book's main line in its latest snapshot."""
    latest: dict[tuple[str, object, str], object] = {}
    for name, day, book, at in snapshots:
        key = (name, day, book)
        latest[key] = max(latest.get(key, at), at)
    books: dict[tuple[str, object], list[float]] = defaultdict(list)
    for (name, day, book), at in latest.items():
        player = players.get(normalize_name(name))
        if player is not None:
            books[(player, day)].append(main_line(snapshots[(name, day, book, at)]))
    return books


@pytest.fixture(scope="module")
def graded(
    season: Season, closing: dict[tuple[str, object], list[float]]
) -> tuple[np.ndarray, np.ndarray]:
    """(consensus line, actual points) for every posted player who played."""
    box = season.player_game_summary
    played = {
        (player, day): points
        for player, day, points, minutes in zip(
            col(box, "player_lookup"),
            col(box, "game_date"),
            col(box, "points"),
            col(box, "minutes_played"),
            strict=True,
        )
        if minutes > 0
    }
    pairs = [(np.median(lines), played[key]) for key, lines in closing.items() if key in played]
    lines, actual = np.array(pairs, dtype=float).T
    return lines, actual


# ----------------------------------------------------------------------------- contracts


def test_a_short_season_loads_into_the_warehouse_tables(warehouse: Warehouse) -> None:
    season = generate_season(3, start=date(2025, 11, 1), end=date(2025, 11, 20), teams=8)
    for name, table in season.tables().items():
        assert load_rows(warehouse, name, table).rows == table.num_rows > 0, name
        assert table.schema == arrow_schema(name), name  # typed by the DDL, nothing else


def test_tables_are_the_raw_contracts_aliases_before_the_feeds(season: Season) -> None:
    tables = season.tables()
    assert list(tables) == [
        "nba_raw.schedule",
        "nba_analytics.player_game_summary",
        "nba_raw.player_aliases",
        "nba_raw.player_points_props",
        "nba_raw.injury_report",
    ]
    assert set(tables) <= set(table_names())
    assert tables["nba_raw.schedule"] is season.schedule
    assert tables["nba_raw.injury_report"] is season.injury_report


def test_required_columns_have_no_nulls(season: Season) -> None:
    for name, table in season.tables().items():
        required = [f.name for f in arrow_schema(name) if not f.nullable]
        assert required
        for column in required:
            assert table.column(column).null_count == 0, (name, column)
    assert season.player_game_summary.column("starter").null_count == 0
    assert season.injury_report.column("reason").null_count == 0


# ----------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_tables() -> None:
    kwargs = dict(start=date(2025, 11, 1), end=date(2025, 12, 15), teams=8)
    first, again = generate_season(3, **kwargs), generate_season(3, **kwargs)
    for name, table in first.tables().items():
        assert table.equals(again.tables()[name]), name
        assert ipc_bytes(table) == ipc_bytes(again.tables()[name]), name


def test_different_seed_gives_different_tables() -> None:
    kwargs = dict(start=date(2025, 11, 1), end=date(2025, 12, 15), teams=8)
    first, other = generate_season(3, **kwargs), generate_season(4, **kwargs)
    for name, table in first.tables().items():
        assert not table.equals(other.tables()[name]), name


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        generate_season(teams=1)
    with pytest.raises(ValueError):
        generate_season(teams=31)
    with pytest.raises(ValueError):
        generate_season(start=date(2026, 1, 2), end=date(2026, 1, 1))


# ----------------------------------------------------------------------------- schedule


def team_days(schedule: pa.Table) -> dict[str, list[object]]:
    days: dict[str, list[object]] = defaultdict(list)
    for day, home, away in zip(
        col(schedule, "game_date"),
        col(schedule, "home_team_abbr"),
        col(schedule, "away_team_abbr"),
        strict=True,
    ):
        days[home].append(day)
        days[away].append(day)
    return days


def test_full_season_schedule(season: Season) -> None:
    schedule = season.schedule
    assert schedule.num_rows == 1230
    assert len(set(col(schedule, "game_id"))) == 1230
    assert set(col(schedule, "season")) == {"2025-26"}
    dates = col(schedule, "game_date").astype("datetime64[D]").astype(object)
    assert min(dates) >= DEFAULT_SEASON_START and max(dates) <= DEFAULT_SEASON_END
    assert max(dates) - min(dates) > timedelta(days=150)  # spread over the whole season

    days = team_days(schedule)
    assert len(days) == 30
    assert all(re.fullmatch(r"[A-Z]{3}", team) for team in days)
    assert {"BOS", "LAL", "GSW", "NYK", "OKC"} <= set(days)
    b2b = []
    for team, played in days.items():
        assert 80 <= len(played) <= 84, team
        assert len(set(played)) == len(played), f"{team} plays twice on one day"
        gaps = np.diff(np.sort(np.array(played, dtype="datetime64[D]")).astype(int))
        b2b.append(int((gaps == 1).sum()))
        assert np.median(gaps) <= 3, team  # mostly 1-2 rest days
    assert min(b2b) >= 6 and max(b2b) <= 24
    assert 11 <= np.mean(b2b) <= 17

    homes = defaultdict(int)
    for home in col(schedule, "home_team_abbr"):
        homes[home] += 1
    assert all(40 <= homes[team] <= 42 for team in days)


def test_game_ids_name_the_teams(season: Season) -> None:
    columns = ("game_id", "game_date", "home_team_abbr", "away_team_abbr")
    for gid, day, home, away in zip(*(col(season.schedule, c) for c in columns), strict=True):
        assert gid == f"{str(day).replace('-', '')}_{away}_{home}"


def test_short_range_and_fewer_teams_scale_down() -> None:
    start = date(2025, 11, 3)
    small = generate_season(seed=5, start=start, end=start + timedelta(days=27), teams=10)
    days = team_days(small.schedule)
    assert len(days) == 10
    counts = [len(d) for d in days.values()]
    assert 10 <= min(counts) and max(counts) <= 17  # ~82 * 28/166 games each
    for played in days.values():
        assert len(set(played)) == len(played)
    assert small.player_game_summary.num_rows > 0
    assert small.player_points_props.num_rows > 0


# ----------------------------------------------------------------------------- box scores


def test_box_scores_add_up(season: Season) -> None:
    box = season.player_game_summary
    points = col(box, "points")
    fgm, fga = col(box, "fg_made"), col(box, "fg_attempted")
    tpm, tpa = col(box, "three_pt_made"), col(box, "three_pt_attempted")
    ftm, fta = col(box, "ft_made"), col(box, "ft_attempted")
    assert np.array_equal(2 * fgm + tpm + ftm, points)
    assert (fgm <= fga).all() and (tpm <= tpa).all() and (ftm <= fta).all()
    assert (tpm <= fgm).all() and (tpa <= fga).all()
    for name in box.column_names[8:]:
        assert (col(box, name) >= 0).all(), name

    minutes = col(box, "minutes_played")
    dnp = minutes == 0
    assert 0.05 < dnp.mean() < 0.35  # coach's decisions are rows too
    for name in box.column_names[9:]:
        assert (col(box, name)[dnp] == 0).all(), name
    assert not col(box, "starter")[dnp].any()
    assert minutes.max() <= 53

    # Shooting and team totals in NBA ranges.
    assert 0.44 < fgm.sum() / fga.sum() < 0.52
    assert 0.32 < tpm.sum() / tpa.sum() < 0.40
    assert 0.72 < ftm.sum() / fta.sum() < 0.84
    games = col(box, "game_id")
    teams = col(box, "team_abbr")
    _, team_game = np.unique(np.char.add(games.astype(str), teams.astype(str)), return_inverse=True)
    team_points = np.bincount(team_game, weights=points)
    assert team_points.size == 2 * season.schedule.num_rows
    assert 108 < team_points.mean() < 122
    assert 10 < team_points.std() < 20
    team_minutes = np.bincount(team_game, weights=minutes)
    assert np.all(team_minutes >= 239) and np.all(team_minutes <= 292)
    assert np.all(np.bincount(team_game, weights=col(box, "starter")) == 5)
    assert np.all(np.bincount(team_game) <= 15)


def test_rows_match_the_schedule(season: Season) -> None:
    box = season.player_game_summary
    columns = ("game_id", "game_date", "home_team_abbr", "away_team_abbr")
    games = {
        gid: (day, home, away)
        for gid, day, home, away in zip(*(col(season.schedule, c) for c in columns), strict=True)
    }
    for gid, day, team, opp, home in zip(
        col(box, "game_id"),
        col(box, "game_date"),
        col(box, "team_abbr"),
        col(box, "opponent_team_abbr"),
        col(box, "home"),
        strict=True,
    ):
        g_day, g_home, g_away = games[gid]
        assert day == g_day
        assert (team, opp) == ((g_home, g_away) if home else (g_away, g_home))


def test_players(season: Season) -> None:
    box = season.player_game_summary
    names: dict[str, str] = {}
    for lookup, name in zip(col(box, "player_lookup"), col(box, "player_name"), strict=True):
        assert names.setdefault(lookup, name) == name
    assert all(re.fullmatch(r"[a-z]+", lookup) for lookup in names)
    assert all(re.sub(r"[^a-z]", "", name.lower()) == lookup for lookup, name in names.items())
    assert 420 <= len(names) <= 450  # ~15 per team; a few deep-bench players may never appear
    # Roles are stable: a season's scoring spreads from stars to the bench.
    points = defaultdict(list)
    for lookup, pts, minutes in zip(
        col(box, "player_lookup"), col(box, "points"), col(box, "minutes_played"), strict=True
    ):
        if minutes > 0:
            points[lookup].append(pts)
    ppg = np.array([np.mean(v) for v in points.values() if len(v) >= 20])
    assert 20 <= ppg.max() <= 40
    assert 8 <= (ppg >= 20).sum() <= 60
    assert (ppg < 8).sum() >= 60


def test_mid_season_trades(season: Season) -> None:
    box = season.player_game_summary
    teams = defaultdict(set)
    for lookup, team in zip(col(box, "player_lookup"), col(box, "team_abbr"), strict=True):
        teams[lookup].add(team)
    moved = [lookup for lookup, t in teams.items() if len(t) > 1]
    assert 2 <= len(moved) <= 8
    assert all(len(teams[lookup]) == 2 for lookup in moved)


# ----------------------------------------------------------------------------- realism


def test_scoring_and_minutes_are_nba_like(season: Season) -> None:
    box = season.player_game_summary
    minutes = col(box, "minutes_played")
    played = minutes > 0
    assert 10.0 <= col(box, "points")[played].mean() <= 13.0
    assert 21.0 <= minutes[played].mean() <= 26.0
    assert 8.5 <= played.sum() / (2 * season.schedule.num_rows) <= 12.5  # players used per game


def test_market_is_sharp(graded: tuple[np.ndarray, np.ndarray]) -> None:
    lines, actual = graded
    assert lines.size > 15_000
    assert 4.2 <= np.abs(lines - actual).mean() <= 6.0
    assert 0.46 <= (actual > lines).mean() <= 0.54
    assert (actual == lines).mean() < 0.01
    assert abs(np.mean(actual - lines)) < 1.0
    # The line tracks the player: big lines go with big scorers.
    assert np.corrcoef(lines, actual)[0, 1] > 0.5


def test_prop_lines_look_like_a_sportsbook(
    season: Season,
    snapshots: dict[tuple[str, object, str, object], list[tuple]],
    closing: dict[tuple[str, object], list[float]],
) -> None:
    props = season.player_points_props
    lines = col(props, "points_line")
    assert (lines % 1 == 0.5).mean() > 0.95
    assert (lines % 1 == 0.0).mean() > 0  # the odd whole number, so pushes can happen
    assert lines.min() >= 0.5
    assert set(col(props, "bookmaker")) == {"draftkings", "fanduel", "betmgm", "caesars"}
    mains = np.array(
        [next(o for o in offered if o[0] == main_line(offered)) for offered in snapshots.values()]
    )
    for odds in (mains[:, 1], mains[:, 2]):
        assert np.all((odds <= -100) | (odds >= 100))
        assert np.median(odds) == -110
        assert ((odds >= -125) & (odds <= -105)).mean() > 0.6
        assert odds.min() >= -200 and odds.max() <= 200
    # Several snapshots per book on game day: one to three.
    snaps = defaultdict(int)
    for name, day, book, _ in snapshots:
        snaps[(name, day, book)] += 1
    assert set(snaps.values()) == {1, 2, 3}
    # Books differ by at most a point at close.
    widths = np.array([max(v) - min(v) for v in closing.values()])
    assert (widths <= 1.0).mean() > 0.95 and (widths == 0).mean() > 0.4


def test_big_books_offer_alternate_lines_priced_further_from_even(
    snapshots: dict[tuple[str, object, str, object], list[tuple]],
) -> None:
    with_alternates = {key: offered for key, offered in snapshots.items() if len(offered) > 1}
    assert 0.2 < len(with_alternates) / len(snapshots) < 0.6
    assert {book for _, _, book, _ in with_alternates} == {
        "draftkings", "fanduel", "betmgm", "caesars"
    }  # fmt: skip
    for offered in with_alternates.values():
        main = main_line(offered)
        gaps = sorted(
            abs(implied(np.array(o[1:])) @ [1, -1]) for o in offered
        )  # the main line is strictly the closest to even: no tie for the rule to break
        assert gaps[0] < gaps[1]
        assert {line - main for line, _, _ in offered} - {0.0} <= {-2.0, -1.0, 1.0, 2.0}
        assert len({line for line, _, _ in offered}) == len(offered)


def test_books_spell_some_names_their_own_way_and_aliases_map_all_but_a_few(
    season: Season, players: dict[str, str]
) -> None:
    box = set(col(season.player_game_summary, "player_lookup"))
    written = set(col(season.player_points_props, "player_lookup"))
    assert any(not name.isascii() for name in written)  # accents: normalization copes
    variants = {name for name in written if normalize_name(name) not in box}
    assert 20 <= len(variants) <= 60
    unmatched = {name for name in variants if normalize_name(name) not in players}
    assert 1 <= len(unmatched) <= 8  # the few a new feed leaves for `players unmatched`
    assert set(players.values()) <= box
    aliases = season.player_aliases
    assert set(col(aliases, "source")) <= {"draftkings", "fanduel", "betmgm", "caesars"}
    assert {normalize_name(a) for a in col(aliases, "alias")}.isdisjoint(box)


def test_late_tip_offs_are_the_next_day_in_utc_and_the_closing_lines_follow(
    season: Season,
) -> None:
    schedule = season.schedule
    tip = col(schedule, "tipoff_at").astype("datetime64[s]")
    eastern = [
        datetime.fromtimestamp(int(t.astype(int)), UTC).astimezone(ZoneInfo("America/New_York"))
        for t in tip
    ]
    assert [t.date() for t in eastern] == list(col(schedule, "game_date").astype(object))
    assert {(t.hour, t.minute) for t in eastern} >= {(19, 0), (22, 30)}
    next_utc_day = tip.astype("datetime64[D]") > col(schedule, "game_date")
    assert all(next_utc_day[[t.hour >= 20 for t in eastern]])  # 8 pm ET and later, all year

    # every snapshot before its game's tip-off; a late game's closing lines on the next UTC day
    props = season.player_points_props
    tip_of = {}
    for day, home, away, at in zip(
        *(col(schedule, c) for c in ("game_date", "home_team_abbr", "away_team_abbr")), tip,
        strict=True,
    ):  # fmt: skip
        tip_of[(day, home)] = tip_of[(day, away)] = at
    box = season.player_game_summary
    team_of = {
        (lookup, day): team
        for lookup, day, team in zip(
            *(col(box, c) for c in ("player_lookup", "game_date", "team_abbr")), strict=True
        )
    }
    at = col(props, "processed_at").astype("datetime64[s]")
    days = col(props, "game_date")
    before = [
        stamp < tip_of[(day, team_of[(normalize_name(name), day)])]
        for name, day, stamp in zip(col(props, "player_lookup"), days, at, strict=True)
        if (normalize_name(name), day) in team_of
    ]
    assert len(before) > 100_000 and all(before)
    assert 0.05 < (at.astype("datetime64[D]") > days).mean() < 0.5


def test_two_seasons_one_league() -> None:
    both = generate_seasons(
        2, tuple((start, start + timedelta(days=20)) for start, _ in DEMO_SEASONS), teams=6
    )
    schedule = both.schedule
    seasons = col(schedule, "season")
    assert list(dict.fromkeys(seasons)) == ["2024-25", "2025-26"]
    box = both.player_game_summary
    by_season = defaultdict(set)
    game_season = dict(zip(col(schedule, "game_id"), seasons, strict=True))
    for game, lookup in zip(col(box, "game_id"), col(box, "player_lookup"), strict=True):
        by_season[game_season[game]].add(lookup)
    # the same players, who come back after the summer
    assert len(by_season["2024-25"] & by_season["2025-26"]) > 0.8 * len(by_season["2025-26"])
    days = col(both.player_points_props, "game_date").astype(object)
    assert min(days) < DEMO_SEASONS[1][0] <= max(days)  # last season has lines to train on
    with pytest.raises(ValueError, match="overlaps"):
        generate_seasons(
            2, ((date(2025, 1, 1), date(2025, 3, 1)), (date(2025, 2, 1), date(2025, 4, 1)))
        )


# ----------------------------------------------------------------------------- injuries


def test_injury_report(season: Season, latest_status: dict[tuple[str, object], str]) -> None:
    report = season.injury_report
    statuses = col(report, "injury_status")
    assert set(statuses) <= {"OUT", "DOUBTFUL", "QUESTIONABLE", "PROBABLE", "AVAILABLE"}
    assert (statuses == "OUT").mean() > 0.5
    assert {"DOUBTFUL", "QUESTIONABLE", "PROBABLE"} <= set(statuses)
    times = col(report, "report_time").astype("datetime64[us]")
    assert np.array_equal(times.astype("datetime64[D]"), col(report, "game_date"))
    clock = set((times - times.astype("datetime64[D]")).astype("timedelta64[m]").astype(int))
    assert clock == {
        15 * 60,
        21 * 60 + 30,
    }  # the morning report (before a noon ET cutoff), the evening one
    reasons = set(col(report, "reason"))
    assert "Left ankle sprain" in reasons and len(reasons) > 10
    # About 1-3 players are OUT per team-game.
    out = sum(1 for status in latest_status.values() if status == "OUT")
    assert 1.0 <= out / (2 * season.schedule.num_rows) <= 3.0


def test_out_players_do_not_play(
    season: Season, latest_status: dict[tuple[str, object], str]
) -> None:
    box = season.player_game_summary
    rows = set(zip(col(box, "player_lookup"), col(box, "game_date"), strict=True))
    out = {key for key, status in latest_status.items() if status == "OUT"}
    assert out and not (out & rows)


def test_game_time_decisions_play_at_the_right_rates(
    season: Season, latest_status: dict[tuple[str, object], str]
) -> None:
    box = season.player_game_summary
    played = {
        (p, d)
        for p, d, m in zip(
            col(box, "player_lookup"),
            col(box, "game_date"),
            col(box, "minutes_played"),
            strict=True,
        )
        if m > 0
    }
    suited = set(zip(col(box, "player_lookup"), col(box, "game_date"), strict=True))
    rate = {}
    for status in ("DOUBTFUL", "QUESTIONABLE", "PROBABLE"):
        keys = [k for k, s in latest_status.items() if s == status]
        assert len(keys) > 50, status
        rate[status] = np.mean([k in suited for k in keys])
        assert np.mean([k in played for k in keys]) <= rate[status]
    assert 0.08 <= rate["DOUBTFUL"] <= 0.35
    assert 0.38 <= rate["QUESTIONABLE"] <= 0.62
    assert 0.8 <= rate["PROBABLE"] <= 0.98


def test_props_and_reports_only_for_teams_playing_that_day(
    season: Season, latest_status: dict[tuple[str, object], str], players: dict[str, str]
) -> None:
    playing = {
        (team, day)
        for day, home, away in zip(
            col(season.schedule, "game_date"),
            col(season.schedule, "home_team_abbr"),
            col(season.schedule, "away_team_abbr"),
            strict=True,
        )
        for team in (home, away)
    }
    report = season.injury_report
    for team, day in zip(col(report, "team_abbr"), col(report, "game_date"), strict=True):
        assert (team, day) in playing

    box = season.player_game_summary
    suited = set(zip(col(box, "player_lookup"), col(box, "game_date"), strict=True))
    props = season.player_points_props
    posted = {
        (players[normalize_name(name)], day)
        for name, day in zip(col(props, "player_lookup"), col(props, "game_date"), strict=True)
        if normalize_name(name) in players
    }
    # Every posted player is on a team playing that day: in the box score or on the report.
    assert posted <= suited | set(latest_status)
    assert all(latest_status.get(key) not in ("OUT", "DOUBTFUL") for key in posted)
    # Books post for the rotation, not for the deep bench.
    per_game = len(posted) / season.schedule.num_rows
    assert 12 <= per_game <= 22


# ----------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("nba_raw.schedule", ("game_id",)),
        ("nba_analytics.player_game_summary", ("game_id", "player_lookup")),
        (
            "nba_raw.player_points_props",
            ("player_lookup", "game_date", "bookmaker", "processed_at", "points_line"),
        ),
        ("nba_raw.injury_report", ("player_lookup", "game_date", "report_time")),
        ("nba_raw.player_aliases", ("alias",)),
    ],
)
def test_unique_keys(season: Season, table: str, key: tuple[str, ...]) -> None:
    rows = season.tables()[table]
    keys = list(zip(*(col(rows, k) for k in key), strict=True))
    assert len(keys) == len(set(keys)) == rows.num_rows > 0


def test_one_game_per_player_per_day(season: Season) -> None:
    box = season.player_game_summary
    keys = list(zip(col(box, "player_lookup"), col(box, "game_date"), strict=True))
    assert len(keys) == len(set(keys))
