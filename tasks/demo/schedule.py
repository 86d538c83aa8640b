"""The demo season's calendar: game days, a balanced home/away schedule laid out day by day
(~82 games a team, ~14 back-to-backs), and each team's games with their rest days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

DEFAULT_SEASON_START = date(2025, 10, 21)
DEFAULT_SEASON_END = date(2026, 4, 12)
_GAMES_PER_SEASON = 82


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


def schedule(
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


@dataclass(frozen=True)
class TeamGames:
    """Two rows per game (home first), in schedule order."""

    game: np.ndarray
    team: np.ndarray
    opp: np.ndarray
    home: np.ndarray
    day: np.ndarray
    b2b: np.ndarray
    rest: np.ndarray  # days since the team's previous game (3 for its first)


def team_games(g_day: np.ndarray, g_home: np.ndarray, g_away: np.ndarray) -> TeamGames:
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
    return TeamGames(game, team, opp, home, day, rest == 1, rest)


# Tip-off times, Eastern time, by where the home team plays: (hour, minute) slots and weights.
_PACIFIC = ("GSW", "LAC", "LAL", "POR", "SAC")
_MOUNTAIN = ("DEN", "PHX", "UTA")
_EASTERN = ZoneInfo("America/New_York")


def tipoffs(
    rng: np.random.Generator, g_day: np.ndarray, g_home: np.ndarray, abbrs: np.ndarray, start: date
) -> np.ndarray:
    """Each game's tip-off as seconds since the epoch (UTC): 7-8 pm Eastern in the East, 9 pm in
    the mountains, 10-10:30 pm on the Pacific coast, which is the next day in UTC."""
    slots = {
        "east": ([(19, 0), (19, 30), (20, 0)], [0.45, 0.35, 0.2]),
        "mountain": ([(21, 0)], [1.0]),
        "pacific": ([(22, 0), (22, 30)], [0.5, 0.5]),
    }
    seconds = np.empty(g_day.size, dtype=np.int64)
    for game, (day, home) in enumerate(zip(g_day.tolist(), g_home.tolist(), strict=True)):
        region = (
            "pacific" if abbrs[home] in _PACIFIC
            else "mountain" if abbrs[home] in _MOUNTAIN else "east"
        )  # fmt: skip
        times, weights = slots[region]
        hour, minute = times[rng.choice(len(times), p=weights)]
        local = datetime.combine(start + timedelta(days=day), time(hour, minute), _EASTERN)
        seconds[game] = int(local.timestamp())
    return seconds
