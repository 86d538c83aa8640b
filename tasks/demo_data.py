"""Deterministic synthetic NBA season matching the raw table contracts in ``sql/tables``.

``generate_season()`` returns the four raw tables (schedule, box scores, prop lines, injury
report) for a league of 15-man rosters with stable roles. The model, in order:

- schedule: balanced home/away pairings, laid out day by day (~82 games, ~14 back-to-backs);
- injuries: multi-day spells per player, listed on game days at 17:00 and 21:30 UTC, plus
  game-time calls, return-game tags and rest days; the latest status decides who suits up;
- minutes: role minutes rescaled to fill 240 per team (blowouts, foul trouble, absences);
- points: minutes x per-minute rate (slow form drift) x opponent defence x rest x home x
  usage from absent teammates, realised through a possession model (team possessions shared
  out multinomially, shots made binomially), so box-score columns add up;
- market: books know the expected points and post x.5 lines at the median of the points
  distribution, with small noise, earlier snapshots and the odd off-market book.

Everything is driven by one seeded ``np.random.default_rng`` (split with ``spawn``), so the same
arguments always give identical tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

DEFAULT_SEASON_START = date(2025, 10, 21)
DEFAULT_SEASON_END = date(2026, 4, 12)

_TEAMS = (
    "ATL",
    "BOS",
    "BKN",
    "CHA",
    "CHI",
    "CLE",
    "DAL",
    "DEN",
    "DET",
    "GSW",
    "HOU",
    "IND",
    "LAC",
    "LAL",
    "MEM",
    "MIA",
    "MIL",
    "MIN",
    "NOP",
    "NYK",
    "OKC",
    "ORL",
    "PHI",
    "PHX",
    "POR",
    "SAC",
    "SAS",
    "TOR",
    "UTA",
    "WAS",
)
_BOOKS = ("draftkings", "fanduel", "betmgm", "caesars")
_BOOK_POST_PROB = np.array([1.0, 1.0, 0.93, 0.88])
_BOOK_VIG = np.array([1.047, 1.045, 1.050, 1.052])

_ROSTER = 15
_GAMES_PER_SEASON = 82
_TEAM_MINUTES = 240.0
_MINUTE_CAP = 40.0

# Injury-report statuses; index 0 means "not on the report".
_STATUS = ("", "AVAILABLE", "PROBABLE", "QUESTIONABLE", "DOUBTFUL", "OUT")
_NONE, _AVAIL, _PROB, _QUES, _DOUBT, _OUT = range(6)
_PLAY_PROB = np.array([1.0, 1.0, 0.9, 0.5, 0.2, 0.0])

_MINOR_REASONS = (
    "Left ankle soreness",
    "Right ankle soreness",
    "Low back soreness",
    "Illness",
    "Left knee soreness",
    "Right knee soreness",
    "Right wrist soreness",
    "Left hip soreness",
    "Right thumb sprain",
    "Left Achilles tendinopathy",
    "Personal reasons",
    "Left calf tightness",
)
_MEDIUM_REASONS = (
    "Left ankle sprain",
    "Right ankle sprain",
    "Right hamstring strain",
    "Left hamstring strain",
    "Left calf strain",
    "Right groin strain",
    "Left knee bone bruise",
    "Right shoulder sprain",
    "Concussion protocol",
    "Left adductor strain",
    "Right quad contusion",
    "Back spasms",
)
_LONG_REASONS = (
    "Right foot fracture",
    "Left hand fracture",
    "Left knee meniscus surgery",
    "Right MCL sprain",
    "Left wrist fracture",
    "Right high ankle sprain",
    "Left foot stress reaction",
    "Right hamstring tear",
)
_REST_REASON = "Rest"
_REASONS = _MINOR_REASONS + _MEDIUM_REASONS + _LONG_REASONS + (_REST_REASON,)

_FIRST_NAMES = (
    "Aaron",
    "Alec",
    "Andre",
    "Anthony",
    "Bennett",
    "Bobby",
    "Brandon",
    "Brook",
    "Caleb",
    "Cameron",
    "Chris",
    "Cody",
    "Cole",
    "Collin",
    "Dalton",
    "D'Angelo",
    "Darius",
    "Dean",
    "DeAndre",
    "Dejon",
    "Dennis",
    "Derek",
    "Derrick",
    "Devin",
    "Dillon",
    "Donovan",
    "Drew",
    "Elijah",
    "Eric",
    "Evan",
    "Gabe",
    "Gary",
    "Grant",
    "Harrison",
    "Immanuel",
    "Isaiah",
    "Ivan",
    "Jabari",
    "Jaden",
    "Ja'Kobe",
    "Jake",
    "Jalen",
    "Jamal",
    "James",
    "Jared",
    "Jaren",
    "Jarrett",
    "Jay",
    "Jaylen",
    "Jeremy",
    "Jericho",
    "Jonas",
    "Jonathan",
    "Jordan",
    "Josh",
    "Julius",
    "Justin",
    "Keegan",
    "Kelly",
    "Kenyon",
    "Keon",
    "Kevin",
    "Khalil",
    "Kris",
    "Kyle",
    "Lamar",
    "Larry",
    "Luke",
    "Malik",
    "Marcus",
    "Marvin",
    "Mason",
    "Max",
    "Mikal",
    "Miles",
    "Moses",
    "Myles",
    "Nate",
    "Nick",
    "Noah",
    "Norman",
    "Obi",
    "Oscar",
    "Patrick",
    "Quentin",
    "Reggie",
    "Ricky",
    "Robert",
    "Royce",
    "Sam",
    "Scottie",
    "Spencer",
    "Terance",
    "Terry",
    "Tobias",
    "Trayce",
    "Tre",
    "Trey",
    "Tyler",
    "Tyrese",
    "Tyus",
    "Vince",
    "Walker",
    "Wendell",
    "Wesley",
    "Xavier",
    "Zach",
)
_LAST_NAMES = (
    "Adams",
    "Adeyemi",
    "Alexander",
    "Allen",
    "Anderson",
    "Bailey",
    "Baker",
    "Barnes",
    "Bell",
    "Bennett",
    "Black",
    "Boyd",
    "Brooks",
    "Brown",
    "Bryant",
    "Burns",
    "Butler",
    "Campbell",
    "Carter",
    "Clark",
    "Cole",
    "Coleman",
    "Collins",
    "Cook",
    "Cooper",
    "Crawford",
    "Cruz",
    "Daniels",
    "Davis",
    "Diallo",
    "Dixon",
    "Dubois",
    "Dunn",
    "Edwards",
    "Ellis",
    "Evans",
    "Ferguson",
    "Fisher",
    "Ford",
    "Foster",
    "Freeman",
    "Gibson",
    "Gordon",
    "Graham",
    "Grant",
    "Gray",
    "Green",
    "Griffin",
    "Hall",
    "Harris",
    "Hawkins",
    "Hayes",
    "Henderson",
    "Hicks",
    "Hill",
    "Holmes",
    "Horvat",
    "Howard",
    "Hudson",
    "Hughes",
    "Hunter",
    "Jackson",
    "Jenkins",
    "Johnson",
    "Jones",
    "Jovanovic",
    "King",
    "Knight",
    "Kouame",
    "Lewis",
    "Lindqvist",
    "Long",
    "Marshall",
    "Martin",
    "Mensah",
    "Miller",
    "Mills",
    "Mitchell",
    "Moore",
    "Moreau",
    "Morgan",
    "Morris",
    "Murphy",
    "Murray",
    "Myers",
    "Nelson",
    "Nwosu",
    "O'Neal",
    "Okafor",
    "Okeke",
    "Owens",
    "Palmer",
    "Parker",
    "Patterson",
    "Perkins",
    "Perry",
    "Petrovic",
    "Phillips",
    "Pierce",
    "Porter",
    "Powell",
    "Reynolds",
    "Rice",
    "Richardson",
    "Roberts",
    "Robinson",
    "Rogers",
    "Ross",
    "Russell",
    "Santos",
    "Shaw",
    "Simmons",
    "Simpson",
    "Spencer",
    "Stephens",
    "Stevens",
    "Stewart",
    "Stone",
    "Taylor",
    "Thomas",
    "Thompson",
    "Tucker",
    "Turner",
    "Walker",
    "Wallace",
    "Ward",
    "Warren",
    "Washington",
    "Watson",
    "Webb",
    "Wells",
    "West",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Woods",
    "Wright",
    "Young",
)

# Per roster slot (sorted by role): base minutes when healthy and points per minute.
_SLOT_MINUTES = np.array([35, 33, 31, 29, 27, 24, 21, 18.5, 15.5, 12, 9, 7, 6, 5, 4.5])
_SLOT_RATE = np.array(
    [0.71, 0.57, 0.48, 0.42, 0.38, 0.44, 0.40, 0.38, 0.37, 0.36, 0.34, 0.33, 0.32, 0.32, 0.30]
)

_SCHEMAS = {
    "nba_raw.schedule": pa.schema(
        [
            ("game_id", pa.string()),
            ("game_date", pa.date32()),
            ("season", pa.string()),
            ("home_team_abbr", pa.string()),
            ("away_team_abbr", pa.string()),
        ]
    ),
    "nba_analytics.player_game_summary": pa.schema(
        [
            ("player_lookup", pa.string()),
            ("player_name", pa.string()),
            ("game_id", pa.string()),
            ("game_date", pa.date32()),
            ("team_abbr", pa.string()),
            ("opponent_team_abbr", pa.string()),
            ("home", pa.bool_()),
            ("starter", pa.bool_()),
            ("minutes_played", pa.float64()),
            ("points", pa.int64()),
            ("fg_made", pa.int64()),
            ("fg_attempted", pa.int64()),
            ("three_pt_made", pa.int64()),
            ("three_pt_attempted", pa.int64()),
            ("ft_made", pa.int64()),
            ("ft_attempted", pa.int64()),
            ("rebounds", pa.int64()),
            ("assists", pa.int64()),
        ]
    ),
    "nba_raw.player_points_props": pa.schema(
        [
            ("player_lookup", pa.string()),
            ("game_date", pa.date32()),
            ("bookmaker", pa.string()),
            ("points_line", pa.float64()),
            ("over_odds", pa.int64()),
            ("under_odds", pa.int64()),
            ("processed_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    "nba_raw.injury_report": pa.schema(
        [
            ("player_lookup", pa.string()),
            ("game_date", pa.date32()),
            ("team_abbr", pa.string()),
            ("injury_status", pa.string()),
            ("reason", pa.string()),
            ("report_time", pa.timestamp("us", tz="UTC")),
        ]
    ),
}


@dataclass(frozen=True)
class Season:
    schedule: pa.Table
    player_game_summary: pa.Table
    player_points_props: pa.Table
    injury_report: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        return {
            "nba_raw.schedule": self.schedule,
            "nba_analytics.player_game_summary": self.player_game_summary,
            "nba_raw.player_points_props": self.player_points_props,
            "nba_raw.injury_report": self.injury_report,
        }


def generate_season(
    seed: int = 7,
    start: date = DEFAULT_SEASON_START,
    end: date = DEFAULT_SEASON_END,
    teams: int = 30,
) -> Season:
    """Generate a synthetic season; identical arguments give identical tables."""
    if not 2 <= teams <= len(_TEAMS):
        raise ValueError(f"teams must be between 2 and {len(_TEAMS)}, got {teams}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    r_sched, r_league, r_inj, r_game, r_mkt = np.random.default_rng(seed).spawn(5)
    ndays = (end - start).days + 1

    g_day, g_home, g_away = _schedule(r_sched, teams, start, ndays)
    lg = _league(r_league, teams, ndays)
    tg = _team_games(g_day, g_home, g_away)
    roster = _rosters(lg, tg)
    rows = _availability(r_inj, lg, tg, roster, ndays)
    box = _box_scores(r_game, lg, tg, rows, g_day.size)
    props = _market(r_mkt, lg, tg, rows)

    abbrs = np.array(_TEAMS[:teams])
    epoch = start.toordinal() - date(1970, 1, 1).toordinal()
    game_ids = np.array(
        [
            f"{(start + timedelta(days=int(d))):%Y%m%d}_{abbrs[a]}_{abbrs[h]}"
            for d, h, a in zip(g_day, g_home, g_away, strict=True)
        ]
    )
    season = _season_label(start)
    return Season(
        schedule=_schedule_table(g_day, g_home, g_away, game_ids, abbrs, epoch, season),
        player_game_summary=_box_table(lg, tg, rows, box, game_ids, abbrs, epoch),
        player_points_props=_props_table(lg, props, epoch),
        injury_report=_injury_table(lg, tg, rows, abbrs, epoch),
    )


# --------------------------------------------------------------------------- schedule


def _season_label(start: date) -> str:
    first = start.year if start.month >= 7 else start.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _play_days(start: date, ndays: int) -> np.ndarray:
    """Day offsets with games: no Thanksgiving, Christmas Eve or All-Star break."""
    off: set[date] = set()
    for year in range(start.year, (start + timedelta(days=ndays)).year + 1):
        off.add(_nth_weekday(year, 11, 3, 4))  # Thanksgiving
        off.add(date(year, 12, 24))
        presidents_day = _nth_weekday(year, 2, 0, 3)
        off.update(presidents_day + timedelta(days=k) for k in range(-3, 3))
    days = [d for d in range(ndays) if start + timedelta(days=d) not in off]
    return np.array(days if days else list(range(ndays)), dtype=np.int64)


def _circle_rounds(n: int) -> list[list[tuple[int, int]]]:
    """Round-robin rounds by the circle method; with odd n one team sits out each round."""
    m = n + n % 2
    idx = list(range(m))
    rounds = []
    for _ in range(m - 1):
        pairs = [(idx[i], idx[m - 1 - i]) for i in range(m // 2)]
        rounds.append([(a, b) for a, b in pairs if a < n and b < n])
        idx = [idx[0], idx[-1], *idx[1:-1]]
    return rounds


def _orient(
    rng: np.random.Generator, n: int, edges: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Orient games (home, away) so every team's home and away counts differ by at most one.

    Walking closed trails of an even-degree multigraph (odd vertices joined to a dummy) and
    hosting each game at the far end gives every vertex one home per away.
    """
    deg = np.zeros(n, dtype=np.int64)
    for i, j in edges:
        deg[i] += 1
        deg[j] += 1
    all_edges = list(edges) + [(int(v), n) for v in np.flatnonzero(deg % 2)]
    adj: list[list[int]] = [[] for _ in range(n + 1)]
    for e, (i, j) in enumerate(all_edges):
        adj[i].append(e)
        adj[j].append(e)
    for lst in adj:
        rng.shuffle(lst)
    used = np.zeros(len(all_edges), dtype=bool)
    ptr = [0] * (n + 1)
    out: list[tuple[int, int]] = []
    for s in rng.permutation(n + 1):
        v = int(s)
        while True:
            while ptr[v] < len(adj[v]) and used[adj[v][ptr[v]]]:
                ptr[v] += 1
            if ptr[v] == len(adj[v]):
                if v == s:
                    break
                raise RuntimeError("unbalanced trail")  # impossible with even degrees
            e = adj[v][ptr[v]]
            used[e] = True
            i, j = all_edges[e]
            w = j if i == v else i
            if e < len(edges):
                out.append((w, v))
            v = w
    return out


def _schedule(
    rng: np.random.Generator, n: int, start: date, ndays: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    play = _play_days(start, ndays)
    full_days = (DEFAULT_SEASON_END - DEFAULT_SEASON_START).days + 1
    full = _play_days(DEFAULT_SEASON_START, full_days).size
    per_team = int(min(_GAMES_PER_SEASON, max(1, round(_GAMES_PER_SEASON * play.size / full))))

    # Every pair meets k times (home and away alternate); the remainder comes from r whole
    # round-robin rounds, which keeps every team's game count equal (n even).
    rounds = _circle_rounds(n)
    k, r = divmod(per_team, n - 1)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    games = [(i, j) for _ in range(k // 2) for a, b in pairs for i, j in ((a, b), (b, a))]
    free = list(pairs) if k % 2 else []
    for ri in sorted(rng.permutation(len(rounds))[:r].tolist()):
        free += rounds[ri]
    games += _orient(rng, n, free)
    gh = np.array([g[0] for g in games], dtype=np.int64)
    ga = np.array([g[1] for g in games], dtype=np.int64)
    perm = rng.permutation(gh.size)
    gh, ga = gh[perm], ga[perm]
    day = _assign_days(rng, n, gh, ga, play, start.weekday(), ndays)
    order = np.lexsort((gh, day))
    return day[order], gh[order], ga[order]


# Relative slate sizes Mon..Sun (Wednesday/Friday heavy, Thursday light, as in the NBA).
_WEEKDAY_WEIGHT = np.array([1.0, 0.85, 1.25, 0.6, 1.2, 1.05, 0.95])


def _assign_days(
    rng: np.random.Generator,
    n: int,
    gh: np.ndarray,
    ga: np.ndarray,
    play: np.ndarray,
    weekday0: int,
    ndays: int,
) -> np.ndarray:
    """Greedy day-by-day slate builder that favours teams behind pace or long rested."""
    ng = gh.size
    day = np.full(ng, -1, dtype=np.int64)
    played = np.zeros((n, ndays + 2), dtype=bool)  # column d + 2 is calendar day d
    team_left = (np.bincount(gh, minlength=n) + np.bincount(ga, minlength=n)).astype(float)
    last = np.full(n, -10, dtype=np.int64)
    weight = _WEEKDAY_WEIGHT[(play + weekday0) % 7]
    tail = np.cumsum(weight[::-1])[::-1]
    left = np.ones(ng, dtype=bool)
    n_left = ng
    for pi, d in enumerate(play.tolist()):
        if n_left == 0:
            break
        want = n_left * weight[pi] / tail[pi]
        want = min(int(want + rng.random()), n // 2)
        if want == 0:
            continue
        rest = d - last
        pace = team_left / (play.size - pi)  # games per remaining day this team still needs
        score = 4.0 * pace + _REST_SCORE[np.minimum(rest, 4)]
        blocked = played[:, d + 1] & played[:, d]  # a third game in three nights
        cand = np.flatnonzero(left & ~blocked[gh] & ~blocked[ga])
        if cand.size == 0:
            continue
        s = score[gh[cand]] + score[ga[cand]] + rng.random(cand.size) * 0.6
        busy = np.zeros(n, dtype=bool)
        picked = 0
        for g in cand[np.argsort(-s, kind="stable")].tolist():
            h, a = gh[g], ga[g]
            if busy[h] or busy[a]:
                continue
            busy[h] = busy[a] = True
            day[g] = d
            left[g] = False
            played[[h, a], d + 2] = True
            last[[h, a]] = d
            team_left[[h, a]] -= 1
            picked += 1
            if picked == want:
                break
        n_left -= picked
    for g in np.flatnonzero(left).tolist():  # rare leftovers: cheapest free day for both teams
        h, a = gh[g], ga[g]
        d = _repair_day(played, h, a, play)
        day[g] = d
        played[[h, a], d + 2] = True
    return day


# Preference by days since the team last played. A back-to-back scores just under one rest
# day, so pace pressure decides; tuned to ~14-15 back-to-backs per team (real NBA: 12-16).
_REST_SCORE = np.array([0.0, 0.47, 0.5, 0.75, 1.0])


def _repair_day(played: np.ndarray, h: int, a: int, play: np.ndarray) -> int:
    best, best_cost = -1, np.inf
    for d in play.tolist():
        c = d + 2
        if played[h, c] or played[a, c]:
            continue
        cost = 0.0
        for t in (h, a):
            row = played[t]
            nxt = row[c + 1] if c + 1 < row.size else False
            nxt2 = row[c + 2] if c + 2 < row.size else False
            cost += row[c - 1] + nxt
            cost += 10 * ((row[c - 1] and row[c - 2]) or (row[c - 1] and nxt) or (nxt and nxt2))
        if cost < best_cost:
            best, best_cost = d, cost
    if best < 0:
        raise RuntimeError("no free day left for a game; range too short for the schedule")
    return best


# --------------------------------------------------------------------------- league


@dataclass(frozen=True)
class _League:
    names: np.ndarray  # display names, by player id
    lookups: np.ndarray
    minutes: np.ndarray  # healthy base minutes (role)
    rate: np.ndarray  # points per minute, by (player, day): base rate with a slow form drift
    reb_pm: np.ndarray
    ast_pm: np.ndarray
    ft_share: np.ndarray  # share of points from free throws
    three_share: np.ndarray  # share of field-goal points from threes
    fg2_pct: np.ndarray
    fg3_pct: np.ndarray
    ft_pct: np.ndarray
    defence: np.ndarray  # by team: multiplier on the opponent's scoring minus one
    pace: np.ndarray  # by team: multiplier on both teams' scoring minus one
    trades: tuple[tuple[int, int, int, int], ...]  # (day, team_a, team_b, slot) swaps


def _names(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    names: list[str] = []
    lookups: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        first = _FIRST_NAMES[rng.integers(len(_FIRST_NAMES))]
        last = _LAST_NAMES[rng.integers(len(_LAST_NAMES))]
        name = f"{first} {last}" + (" Jr." if rng.random() < 0.03 else "")
        lookup = re.sub(r"[^a-z]", "", name.lower())
        if lookup in seen:
            continue
        seen.add(lookup)
        names.append(name)
        lookups.append(lookup)
    return np.array(names), np.array(lookups)


def _league(rng: np.random.Generator, n: int, ndays: int) -> _League:
    size = n * _ROSTER
    names, lookups = _names(rng, size)
    # Role profile per slot with team-to-team variation; re-sort so slot order is minutes order.
    minutes = (_SLOT_MINUTES * rng.lognormal(0.0, 0.06, (n, _ROSTER))).clip(3.0, 37.5)
    rate = _SLOT_RATE * np.exp(np.clip(rng.normal(0.0, 0.13, (n, _ROSTER)), -0.25, 0.25))
    # Pin each team's healthy scoring near the league norm (offensive ratings differ by ~3.5%).
    healthy = (minutes * rate)[:, :10].sum(1) / (_SLOT_MINUTES * _SLOT_RATE)[:10].sum()
    rate *= (1 + np.clip(rng.normal(0.0, 0.035, n), -0.07, 0.07))[:, None] / healthy[:, None]
    order = np.argsort(-minutes, axis=1, kind="stable")
    minutes = np.take_along_axis(minutes, order, 1).ravel()
    rate = np.take_along_axis(rate, order, 1).ravel()

    # Positions: starters are a G/G/F/F/C lineup, the bench is mixed.
    pos = np.empty((n, _ROSTER), dtype=np.int64)  # 0 guard, 1 forward, 2 center
    for t in range(n):
        pos[t, :5] = rng.permutation([0, 0, 1, 1, 2])
        pos[t, 5:] = rng.choice(3, size=_ROSTER - 5, p=[0.4, 0.4, 0.2])
    pos = pos.ravel()
    noise = lambda sd: rng.lognormal(0.0, sd, size)  # noqa: E731
    reb_pm = np.array([0.13, 0.20, 0.30])[pos] * noise(0.2)
    ast_pm = np.array([0.17, 0.09, 0.06])[pos] * noise(0.25) * (1 + 0.5 * (rate > 0.6))
    ft_share = np.clip(0.14 + 0.12 * (rate - 0.4) + rng.normal(0, 0.03, size), 0.06, 0.3)
    three_share = np.clip(np.array([0.42, 0.33, 0.12])[pos] * noise(0.25), 0.0, 0.65)
    fg2_pct = np.clip(np.array([0.51, 0.54, 0.60])[pos] + rng.normal(0, 0.03, size), 0.4, 0.72)
    fg3_pct = np.clip(rng.normal(0.36, 0.03, size), 0.25, 0.45)
    ft_pct = np.clip(np.array([0.82, 0.78, 0.70])[pos] + rng.normal(0, 0.05, size), 0.5, 0.95)

    # Form drifts slowly (AR(1) in log space) so recent games carry some signal.
    drift = np.empty((size, ndays))
    x = rng.normal(0.0, 0.06, size)
    for d in range(ndays):
        x = 0.985 * x + rng.normal(0.0, 0.0103, size)
        drift[:, d] = x
    rate_day = rate[:, None] * np.exp(drift)

    defence = np.clip(rng.normal(0.0, 0.035, n), -0.08, 0.08)
    pace = np.clip(rng.normal(0.0, 0.015, n), -0.03, 0.03)

    # A few mid-season like-for-like swaps (same slot) so rosters keep their shape.
    trades: list[tuple[int, int, int, int]] = []
    if n >= 4 and ndays >= 60:
        teams = rng.permutation(n)
        for i in range(min(int(rng.integers(2, 5)), n // 2)):
            day = int(rng.integers(int(0.45 * ndays), int(0.62 * ndays)))
            slot = int(rng.integers(3, 10))
            trades.append((day, int(teams[2 * i]), int(teams[2 * i + 1]), slot))
    return _League(
        names=names,
        lookups=lookups,
        minutes=minutes,
        rate=rate_day,
        reb_pm=reb_pm,
        ast_pm=ast_pm,
        ft_share=ft_share,
        three_share=three_share,
        fg2_pct=fg2_pct,
        fg3_pct=fg3_pct,
        ft_pct=ft_pct,
        defence=defence,
        pace=pace,
        trades=tuple(trades),
    )


@dataclass(frozen=True)
class _TeamGames:
    """Two rows per game (home first), in schedule order."""

    game: np.ndarray
    team: np.ndarray
    opp: np.ndarray
    home: np.ndarray
    day: np.ndarray
    b2b: np.ndarray
    rest: np.ndarray  # days since the team's previous game (3 for its first)


def _team_games(g_day: np.ndarray, g_home: np.ndarray, g_away: np.ndarray) -> _TeamGames:
    ng = g_day.size
    game = np.repeat(np.arange(ng), 2)
    team = np.column_stack([g_home, g_away]).ravel()
    opp = np.column_stack([g_away, g_home]).ravel()
    home = np.tile([True, False], ng)
    day = g_day[game]
    order = np.lexsort((day, team))
    rest = np.full(game.size, 3, dtype=np.int64)
    same = team[order][1:] == team[order][:-1]
    rest[order[1:][same]] = np.diff(day[order])[same]
    return _TeamGames(game, team, opp, home, day, rest == 1, rest)


def _rosters(lg: _League, tg: _TeamGames) -> np.ndarray:
    """Player id per (team-game, slot), with trades applied from their day on."""
    roster = tg.team[:, None] * _ROSTER + np.arange(_ROSTER)[None, :]
    for day, ta, tb, slot in lg.trades:
        pa_, pb = ta * _ROSTER + slot, tb * _ROSTER + slot
        roster[(tg.team == ta) & (tg.day >= day), slot] = pb
        roster[(tg.team == tb) & (tg.day >= day), slot] = pa_
    return roster


# --------------------------------------------------------------------------- injuries


@dataclass(frozen=True)
class _Rows:
    """Per (team-game, slot) state: who is listed, with what status, and who is available."""

    player: np.ndarray  # (TG, S)
    status: np.ndarray  # latest report status
    early: np.ndarray  # 17:00 report status (0: not listed yet)
    reason: np.ndarray  # index into _REASONS, -1 if none
    avail: np.ndarray  # suits up (has a box-score row)


def _availability(
    rng: np.random.Generator, lg: _League, tg: _TeamGames, roster: np.ndarray, ndays: int
) -> _Rows:
    size = lg.minutes.size
    spell_of = np.full((size, ndays), -1, dtype=np.int64)
    spell_len: list[int] = []
    spell_reason: list[int] = []
    hazard = np.minimum(rng.gamma(2.0, 0.5, size) / 75.0, 0.5)  # some players are injury-prone
    n_minor, n_medium = len(_MINOR_REASONS), len(_MEDIUM_REASONS)
    for p in range(size):
        t = int(rng.geometric(hazard[p])) - 1
        while t < ndays:
            kind = rng.choice(3, p=[0.55, 0.32, 0.13])
            if kind == 0:
                dur, reason = int(rng.integers(1, 5)), int(rng.integers(n_minor))
            elif kind == 1:
                dur, reason = int(rng.integers(5, 22)), n_minor + int(rng.integers(n_medium))
            else:
                dur = int(rng.integers(22, 75))
                reason = n_minor + n_medium + int(rng.integers(len(_LONG_REASONS)))
            spell_of[p, t : t + dur] = len(spell_len)
            spell_len.append(dur)
            spell_reason.append(reason)
            t += dur + int(rng.geometric(hazard[p]))
    lens = np.array(spell_len + [0])
    reasons = np.array(spell_reason + [-1])

    pl = roster.ravel()
    day = np.repeat(tg.day, _ROSTER)
    nr = pl.size
    sp = spell_of[pl, day]
    order = np.lexsort((day, pl))
    prev_sp = np.full(nr, -1)
    same = pl[order][1:] == pl[order][:-1]
    prev_sp[order[1:][same]] = sp[order[:-1][same]]

    status = np.zeros(nr, dtype=np.int64)
    reason = np.full(nr, -1)
    in_sp = sp >= 0
    first = in_sp & (prev_sp != sp)
    short = lens[sp] <= 4
    status[in_sp] = _OUT
    pick = lambda choices, probs: rng.choice(choices, size=nr, p=probs)  # noqa: E731
    # The first game of a short injury is often a game-time decision.
    status = np.where(first & short, pick([_QUES, _DOUBT, _OUT], [0.45, 0.2, 0.35]), status)
    status = np.where(first & ~short, pick([_QUES, _DOUBT, _OUT], [0.05, 0.1, 0.85]), status)
    reason[in_sp] = reasons[sp[in_sp]]
    # Return games are often tagged probable/questionable with the old injury.
    back = ~in_sp & (prev_sp >= 0)
    tag = pick([_NONE, _AVAIL, _PROB, _QUES], [0.3, 0.15, 0.35, 0.2])
    status = np.where(back, tag, status)
    reason = np.where(back & (tag > 0), reasons[prev_sp], reason)
    # Load management: stars sometimes sit the second night of a back-to-back.
    b2b = np.repeat(tg.b2b, _ROSTER)
    rest = (status == _NONE) & b2b & (lg.minutes[pl] >= 31) & (rng.random(nr) < 0.12)
    status[rest] = _OUT
    reason[rest] = len(_REASONS) - 1
    # Day-to-day knocks on otherwise healthy players.
    knock = (status == _NONE) & ~back & (rng.random(nr) < 0.025)
    status = np.where(knock, pick([_PROB, _QUES, _DOUBT], [0.6, 0.32, 0.08]), status)
    reason = np.where(knock, rng.integers(n_minor, size=nr), reason)

    # Earlier snapshot: long absences are already OUT; game-time calls evolve during the day.
    early = status.copy()
    u = rng.random(nr)
    fresh = (status == _OUT) & (first | rest)
    early = np.where(fresh, pick([_OUT, _QUES, _DOUBT, _NONE], [0.6, 0.25, 0.1, 0.05]), early)
    early = np.where(status == _AVAIL, np.where(u < 0.7, _QUES, _PROB), early)
    changed = np.isin(status, [_PROB, _QUES, _DOUBT]) & (u < 0.15)
    early = np.where(changed, np.where(status == _QUES, _PROB, _QUES), early)

    avail = rng.random(nr) < _PLAY_PROB[status]
    shape = roster.shape
    return _Rows(
        player=roster,
        status=status.reshape(shape),
        early=early.reshape(shape),
        reason=reason.reshape(shape),
        avail=avail.reshape(shape),
    )


# --------------------------------------------------------------------------- games

_BLOWOUT_PROB = 0.22
_OT_PROB = 0.06
# A player's hot or cold night: gamma multiplier on his usage, by depth (top 3, other starters,
# rotation, bench). Stars' shot volume is steady; role players' swings more.
_SHARE_SHAPE = np.array([120.0, 50.0, 30.0, 20.0])
_TEAM_SHAPE = 3000.0  # pace luck on the number of possessions, ~2% sd
_EXIT_PROB = 0.012
_TURNOVER = 0.12  # share of used possessions ending in a turnover
_AND_ONE = 0.08  # made twos that come with a free throw
_MINUTES_SD = np.array([0.08, 0.15, 0.3])  # starters, rotation, bench: foul trouble, whims
_HOME_EDGE = 1.015
_B2B_EFF = 0.97


def _possession_mix(lg: _League) -> tuple[np.ndarray, np.ndarray]:
    """Per player: P(2PA, 3PA, FT trip, turnover) of a used possession, and points per one.

    The mix reproduces the player's free-throw and three-point shares of his points.
    """
    f, t = lg.ft_share, lg.three_share
    ft_trip = 2 * lg.ft_pct
    weights = np.stack(
        [(1 - f) * (1 - t) / (2 * lg.fg2_pct), (1 - f) * t / (3 * lg.fg3_pct), f / ft_trip]
    )
    shot = (1 - _TURNOVER) * weights / weights.sum(0)
    mix = np.vstack([shot, np.full(f.size, _TURNOVER)])
    value = np.stack([2 * lg.fg2_pct * (1 + _AND_ONE * lg.ft_pct / 2), 3 * lg.fg3_pct, ft_trip])
    return mix, (shot * value).sum(0)


def _rank(base: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Depth-chart position within each team-game among masked players (0 = top)."""
    order = np.argsort(np.where(mask, -base, np.inf), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(base.shape[1]), base.shape), 1)
    return rank


def _role_multipliers(rank: np.ndarray, blowout: np.ndarray | float) -> np.ndarray:
    """Minutes multiplier by depth: blowouts sit starters and empty the bench."""
    starter = 1.0 - 0.18 * blowout
    rotation = 1.0 + 0.1 * blowout
    bench = 1.0 + 0.8 * blowout
    return np.where(rank < 5, starter, np.where(rank < 9, rotation, bench))


def _play_prob_by_rank(rank: np.ndarray, blowout: np.ndarray | float) -> np.ndarray:
    deep = 0.07 + (0.7 - 0.07) * blowout
    return np.where(rank < 9, 1.0, np.where(rank == 9, 0.85, deep))


def _allocate(
    base: np.ndarray, weight: np.ndarray, total: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """Minutes if playing, proportional to base and scaled so expected team minutes = total.

    Players hitting the cap are pinned there and the rest is spread over the others.
    """
    fixed = np.zeros(base.shape, dtype=bool)
    m = base
    for _ in range(5):
        left = total - (weight * np.where(fixed, cap, 0.0)).sum(1)
        denom = (weight * base * ~fixed).sum(1)
        scale = np.divide(left, denom, out=np.zeros_like(left), where=denom > 0)
        m = np.where(fixed, cap, base * scale[:, None])
        over = (m > cap) & ~fixed & (weight > 0)
        if not over.any():
            break
        fixed |= over
    return np.minimum(m, cap)


def _usage_boost(load: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Teammates' shots go to whoever plays: +3% rate per 10% of team scoring load missing."""
    return 1.0 + 0.3 * (load * missing).sum(1) / load.sum(1)


def _game_factor(lg: _League, tg: _TeamGames) -> np.ndarray:
    rest = np.where(tg.b2b, _B2B_EFF, np.where(tg.rest >= 3, 1.01, 1.0))
    home = np.where(tg.home, _HOME_EDGE, 1.0)
    return (1 + lg.defence[tg.opp]) * (1 + lg.pace[tg.team]) * (1 + lg.pace[tg.opp]) * home * rest


@dataclass(frozen=True)
class _Box:
    plays: np.ndarray  # (TG, S)
    starter: np.ndarray
    minutes: np.ndarray
    points: np.ndarray
    fgm: np.ndarray
    fga: np.ndarray
    tpm: np.ndarray
    tpa: np.ndarray
    ftm: np.ndarray
    fta: np.ndarray
    reb: np.ndarray
    ast: np.ndarray
    rank: np.ndarray


def _box_scores(
    rng: np.random.Generator, lg: _League, tg: _TeamGames, rows: _Rows, ngames: int
) -> _Box:
    pl, avail = rows.player, rows.avail
    shape = pl.shape
    base = lg.minutes[pl]
    rate = lg.rate[pl, tg.day[:, None]]
    blow = (rng.random(ngames) < _BLOWOUT_PROB)[tg.game].astype(float)[:, None]
    ot = np.where(rng.random(ngames) < _OT_PROB, 1 + (rng.random(ngames) < 0.12), 0)[tg.game]

    rank = _rank(base, avail)
    plays = avail & (rng.random(shape) < _play_prob_by_rank(rank, blow))
    b2b = np.where(tg.b2b[:, None] & (rank < 5), 0.97, 1.0)
    minutes_sd = _MINUTES_SD[np.searchsorted([5, 9], rank, side="right")]
    noise = rng.lognormal(-(minutes_sd**2) / 2, minutes_sd)  # mean one
    # A few players get hurt or ejected mid-game; teammates absorb the minutes.
    exits = np.where(rng.random(shape) < _EXIT_PROB, rng.uniform(0.1, 0.7, shape), 1.0)
    noisy = base * _role_multipliers(rank, blow) * b2b * noise * exits
    cap = (_MINUTE_CAP + 4.0 * ot)[:, None]
    minutes = _allocate(noisy, plays.astype(float), _TEAM_MINUTES + 25.0 * ot, cap)
    minutes = np.where(plays, np.maximum(np.round(minutes * 60), 1) / 60, 0.0)

    boost = _usage_boost(base * rate, (~avail).astype(float))
    lam = minutes * rate * boost[:, None] * _game_factor(lg, tg)[:, None]

    # Possession model: the team's possessions are shared out among the players on the floor
    # (multinomial, so teammates' nights are negatively correlated and team totals vary like
    # real ones), each used possession becomes a 2PA, 3PA, free-throw trip or turnover, and
    # shots go in binomially. A player's hot or cold night is a gamma multiplier on his share.
    p = pl
    mix, ppp = _possession_mix(lg)
    used = lam / ppp[p]  # expected possessions used
    luck = rng.gamma(_TEAM_SHAPE, 1.0 / _TEAM_SHAPE, shape[0])
    n_poss = np.floor(used.sum(1) * luck + rng.random(shape[0])).astype(np.int64)
    shape_k = _SHARE_SHAPE[np.searchsorted([3, 5, 9], rank, side="right")]
    share = used * rng.gamma(shape_k, 1.0 / shape_k)
    share /= share.sum(1, keepdims=True)
    poss = rng.multinomial(n_poss, share)
    kinds = rng.multinomial(poss.reshape(-1), mix[:, p.reshape(-1)].T).reshape(*shape, 4)
    fg2a, tpa, trips = kinds[..., 0], kinds[..., 1], kinds[..., 2]
    twos = rng.binomial(fg2a, lg.fg2_pct[p])
    tpm = rng.binomial(tpa, lg.fg3_pct[p])
    and_ones = rng.binomial(twos, _AND_ONE)
    fta = 2 * trips + and_ones
    ftm = rng.binomial(fta, lg.ft_pct[p])
    points = 2 * twos + 3 * tpm + ftm
    fgm = twos + tpm
    fga = fg2a + tpa
    reb = rng.poisson(minutes * lg.reb_pm[p] * rng.lognormal(0, 0.2, shape))
    ast = rng.poisson(minutes * lg.ast_pm[p] * rng.lognormal(0, 0.2, shape))
    return _Box(
        plays=plays,
        starter=plays & (rank < 5),
        minutes=minutes,
        points=points,
        fgm=fgm,
        fga=fga,
        tpm=tpm,
        tpa=tpa,
        ftm=ftm,
        fta=fta,
        reb=reb,
        ast=ast,
        rank=rank,
    )


# --------------------------------------------------------------------------- market

_MAX_POINTS = 128
_MARKET_SD = 0.07  # relative error of the closing market's mean estimate
_EARLY_SD = 0.09  # earlier snapshots know less
_POST_MIN_POINTS = 5.0
_VAR_PER_POINT = 2.15


def _expected_points(lg: _League, tg: _TeamGames, rows: _Rows, status: np.ndarray) -> np.ndarray:
    """The market's mean points for each player, conditional on him playing, given a report.

    Minutes are averaged over the blowout / close-game scenarios, weighted by the chance the
    player gets in under each (deep bench minutes come almost only in blowouts).
    """
    pl = rows.player
    base = lg.minutes[pl]
    rate = lg.rate[pl, tg.day[:, None]]
    p_status = _PLAY_PROB[status]
    rank = _rank(base, status < _DOUBT)
    b2b = np.where(tg.b2b[:, None] & (rank < 5), 0.97, 1.0)
    total = np.full(pl.shape[0], _TEAM_MINUTES + 25.0 * _OT_PROB * 1.12)
    cap = np.full((pl.shape[0], 1), _MINUTE_CAP)
    num = np.zeros(base.shape)
    den = np.zeros(base.shape)
    for blow, prob in ((0.0, 1 - _BLOWOUT_PROB), (1.0, _BLOWOUT_PROB)):
        play = _play_prob_by_rank(rank, blow)
        mins = _allocate(base * _role_multipliers(rank, blow) * b2b, p_status * play, total, cap)
        num += prob * play * mins
        den += prob * play
    minutes = num / den
    boost = _usage_boost(base * rate, 1.0 - p_status)
    return minutes * rate * boost[:, None] * _game_factor(lg, tg)[:, None]


def _nb_cdf(mu: np.ndarray, k: np.ndarray) -> np.ndarray:
    """CDF of a gamma-Poisson (negative binomial) with mean mu and shape k, at 0.._MAX_POINTS."""
    q = mu / (k + mu)
    pmf = np.empty((mu.size, _MAX_POINTS + 1))
    pmf[:, 0] = np.exp(k * np.log1p(-q))
    for x in range(_MAX_POINTS):
        pmf[:, x + 1] = pmf[:, x] * (x + k) / (x + 1) * q
    return np.cumsum(pmf, axis=1)


def _fair_line(cdf: np.ndarray) -> np.ndarray:
    """The x.5 line whose over probability is closest to one half."""
    med = np.argmax(cdf >= 0.5, axis=1)
    rows = np.arange(cdf.shape[0])
    p_at_least = 1.0 - np.where(med > 0, cdf[rows, np.maximum(med - 1, 0)], 0.0)
    p_above = 1.0 - cdf[rows, med]
    lower = np.abs(p_at_least - 0.5) <= np.abs(p_above - 0.5)
    return np.where(lower, med - 0.5, med + 0.5)


def _american(p: np.ndarray) -> np.ndarray:
    """Implied probability (with vig) to American odds, rounded to 5 like books do."""
    odds = np.where(p >= 0.5, -100 * p / (1 - p), 100 * (1 - p) / p)
    return (np.round(odds / 5) * 5).astype(np.int64)


@dataclass(frozen=True)
class _Props:
    player: np.ndarray
    day: np.ndarray
    book: np.ndarray
    line: np.ndarray
    over: np.ndarray
    under: np.ndarray
    seconds: np.ndarray  # processed_at, seconds after midnight UTC on game day


def _market(rng: np.random.Generator, lg: _League, tg: _TeamGames, rows: _Rows) -> _Props:
    mu_late = _expected_points(lg, tg, rows, rows.status)
    mu_early = _expected_points(lg, tg, rows, rows.early)
    listed = np.isin(rows.status, [_NONE, _AVAIL, _PROB, _QUES])
    idx = np.flatnonzero((listed & (mu_late >= _POST_MIN_POINTS)).ravel())
    n = idx.size
    # Points variance ~ A*mu + B*mu^2 (makes are worth 2-3 points; B jumps for the bench, whose
    # minutes are uncertain), fitted to this generator; an NB with that variance puts the x.5
    # line where the over hits ~50%.
    rank = _rank(lg.minutes[rows.player], rows.status < _DOUBT).ravel()[idx]
    b = np.where(rank < 9, 0.0, 0.09)
    mu = mu_late.ravel()[idx]
    k = mu / (_VAR_PER_POINT - 1 + b * mu)

    est_late = mu * rng.lognormal(0.0, _MARKET_SD, n)
    est_early = est_late * rng.lognormal(0.0, _EARLY_SD, n) * mu_early.ravel()[idx] / mu
    cdf_late, cdf_early = _nb_cdf(est_late, k), _nb_cdf(est_early, k)
    line_late, line_early = _fair_line(cdf_late), _fair_line(cdf_early)

    nb = len(_BOOKS)
    posted = rng.random((n, nb)) < _BOOK_POST_PROB
    # Books mostly agree; one (rarely two) hangs a point off the market.
    n_off = rng.choice(3, size=n, p=[0.62, 0.32, 0.06])
    off_rank = np.argsort(rng.random((n, nb)), axis=1)
    offset = np.where(off_rank < n_off[:, None], rng.choice([-1.0, 1.0], (n, nb)), 0.0)
    offset += np.where(rng.random((n, nb)) < 0.015, rng.choice([-0.5, 0.5], (n, nb)), 0.0)

    r_i, b_i = np.nonzero(posted)
    n_snap = rng.choice([1, 2, 3], size=r_i.size, p=[0.3, 0.45, 0.25])
    s_row = np.repeat(r_i, n_snap)
    s_book = np.repeat(b_i, n_snap)
    pos = np.arange(s_row.size) - np.repeat(np.cumsum(n_snap) - n_snap, n_snap)
    cnt = np.repeat(n_snap, n_snap)
    last = pos == cnt - 1
    use_late = last | ((pos == 1) & (rng.random(s_row.size) < 0.5))
    line = np.where(use_late, line_late[s_row], line_early[s_row]) + offset[s_row, s_book]
    line = np.maximum(line, 0.5)

    # Snapshot times: earliest in the morning window, middle in the afternoon, last after the
    # 21:30 injury report and before tip-off.
    windows = np.array(
        [
            [13 * 3600, 16 * 3600 + 1800],
            [17 * 3600 + 1800, 20 * 3600 + 1800],
            [21 * 3600 + 2400, 23 * 3600 + 900],
        ]
    )
    win = np.where(last, 2, np.where((cnt == 2) & (rng.random(s_row.size) < 0.5), 1, pos))
    seconds = rng.integers(windows[win, 0], windows[win, 1])

    below = np.floor(line).astype(np.int64)

    def cdf_at(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0, _MAX_POINTS)
        return np.where(use_late, cdf_late[s_row, x], cdf_early[s_row, x])

    p_le = cdf_at(below)
    p_push = np.where(line == below, p_le - np.where(below > 0, cdf_at(below - 1), 0.0), 0.0)
    p_over = (1 - p_le) / np.maximum(1 - p_push, 1e-9)
    # Books shade prices only a little toward their own line's lean.
    p_over = np.clip(0.5 + 0.4 * (p_over - 0.5), 0.42, 0.58)
    vig = _BOOK_VIG[s_book]
    over = _american(p_over * vig)
    under = _american((1 - p_over) * vig)

    flat_pl = rows.player.ravel()
    flat_day = np.repeat(tg.day, _ROSTER)
    return _Props(
        player=flat_pl[idx][s_row],
        day=flat_day[idx][s_row],
        book=s_book,
        line=line,
        over=over,
        under=under,
        seconds=seconds,
    )


# --------------------------------------------------------------------------- tables


def _strings(index: np.ndarray, values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Build a string column by index into a small set of values (fast, no Python loop)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(index.astype(np.int32), mask=null), pa.array(values.tolist(), type=pa.string())
    ).cast(pa.string())


def _dates(day: np.ndarray, epoch: int) -> pa.Array:
    return pa.array((day + epoch).astype(np.int32), type=pa.date32())


def _timestamps(day: np.ndarray, seconds: np.ndarray, epoch: int) -> pa.Array:
    micros = ((day + epoch) * 86_400 + seconds).astype(np.int64) * 1_000_000
    return pa.array(micros, type=pa.timestamp("us", tz="UTC"))


def _table(name: str, columns: list[pa.Array]) -> pa.Table:
    return pa.Table.from_arrays(columns, schema=_SCHEMAS[name])


def _schedule_table(
    g_day: np.ndarray,
    g_home: np.ndarray,
    g_away: np.ndarray,
    game_ids: np.ndarray,
    abbrs: np.ndarray,
    epoch: int,
    season: str,
) -> pa.Table:
    ng = g_day.size
    return _table(
        "nba_raw.schedule",
        [
            pa.array(game_ids.tolist(), type=pa.string()),
            _dates(g_day, epoch),
            pa.array([season] * ng, type=pa.string()),
            _strings(g_home, abbrs),
            _strings(g_away, abbrs),
        ],
    )


def _box_table(
    lg: _League,
    tg: _TeamGames,
    rows: _Rows,
    box: _Box,
    game_ids: np.ndarray,
    abbrs: np.ndarray,
    epoch: int,
) -> pa.Table:
    # Home team first, then the depth chart (starters first, DNPs last).
    key = (np.arange(tg.game.size)[:, None] * _ROSTER + box.rank).ravel()
    sel = np.flatnonzero(rows.avail.ravel())
    sel = sel[np.argsort(key[sel], kind="stable")]
    t = sel // _ROSTER
    pl = rows.player.ravel()[sel]

    def ints(a: np.ndarray) -> pa.Array:
        return pa.array(a.ravel()[sel].astype(np.int64), type=pa.int64())

    return _table(
        "nba_analytics.player_game_summary",
        [
            _strings(pl, lg.lookups),
            _strings(pl, lg.names),
            _strings(tg.game[t], game_ids),
            _dates(tg.day[t], epoch),
            _strings(tg.team[t], abbrs),
            _strings(tg.opp[t], abbrs),
            pa.array(tg.home[t], type=pa.bool_()),
            pa.array(box.starter.ravel()[sel], type=pa.bool_()),
            pa.array(box.minutes.ravel()[sel], type=pa.float64()),
            ints(box.points),
            ints(box.fgm),
            ints(box.fga),
            ints(box.tpm),
            ints(box.tpa),
            ints(box.ftm),
            ints(box.fta),
            ints(box.reb),
            ints(box.ast),
        ],
    )


def _props_table(lg: _League, props: _Props, epoch: int) -> pa.Table:
    lookup_rank = np.argsort(np.argsort(lg.lookups, kind="stable"), kind="stable")
    order = np.lexsort((props.seconds, props.book, lookup_rank[props.player], props.day))
    return _table(
        "nba_raw.player_points_props",
        [
            _strings(props.player[order], lg.lookups),
            _dates(props.day[order], epoch),
            _strings(props.book[order], np.array(_BOOKS)),
            pa.array(props.line[order], type=pa.float64()),
            pa.array(props.over[order], type=pa.int64()),
            pa.array(props.under[order], type=pa.int64()),
            _timestamps(props.day[order], props.seconds[order], epoch),
        ],
    )


_REPORT_SECONDS = (17 * 3600, 21 * 3600 + 1800)  # 17:00 and 21:30 UTC snapshots


def _injury_table(
    lg: _League, tg: _TeamGames, rows: _Rows, abbrs: np.ndarray, epoch: int
) -> pa.Table:
    pl = rows.player.ravel()
    team = np.repeat(tg.team, _ROSTER)
    day = np.repeat(tg.day, _ROSTER)
    reason = rows.reason.ravel()
    early, late = rows.early.ravel(), rows.status.ravel()
    e, lt = np.flatnonzero(early > 0), np.flatnonzero(late > 0)
    idx = np.concatenate([e, lt])
    status = np.concatenate([early[e], late[lt]])
    seconds = np.repeat(_REPORT_SECONDS, [e.size, lt.size])
    lookup_rank = np.argsort(np.argsort(lg.lookups, kind="stable"), kind="stable")
    order = np.lexsort((lookup_rank[pl[idx]], team[idx], seconds, day[idx]))
    idx, status, seconds = idx[order], status[order], seconds[order]
    return _table(
        "nba_raw.injury_report",
        [
            _strings(pl[idx], lg.lookups),
            _dates(day[idx], epoch),
            _strings(team[idx], abbrs),
            _strings(status, np.array(_STATUS)),
            _strings(np.maximum(reason[idx], 0), np.array(_REASONS), null=reason[idx] < 0),
            _timestamps(day[idx], seconds, epoch),
        ],
    )
