"""The demo league and who is available: rosters with stable roles and a slow form drift,
mid-season trades, and injury spells listed on the report (15:00 and 21:30 UTC snapshots, game-time
calls, return-game tags, rest days); the latest status decides who suits up."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from shadowline.tasks.demo.names import (
    FIRST_NAMES,
    LAST_NAMES,
    LONG_REASONS,
    MEDIUM_REASONS,
    MINOR_REASONS,
    REASONS,
)
from shadowline.tasks.demo.schedule import TeamGames

ROSTER = 15
# Injury-report statuses; index 0 means "not on the report".
STATUS = ("", "AVAILABLE", "PROBABLE", "QUESTIONABLE", "DOUBTFUL", "OUT")
NONE, AVAIL, PROB, QUES, DOUBT, OUT = range(6)
PLAY_PROB = np.array([1.0, 1.0, 0.9, 0.5, 0.2, 0.0])
# A star (31+ minutes) ruled out on game day (illness, a knock at shootaround), any night: the
# late scratch that moves his teammates' lines most, and one no box score or report foretells.
_GAME_DAY_SIT = 0.05
_FRESH_DAYS = 3  # an injury this recent at a player's first game out is news on game day
# Per roster slot (sorted by role): base minutes when healthy and points per minute.
_SLOT_MINUTES = np.array([35, 33, 31, 29, 27, 24, 21, 18.5, 15.5, 12, 9, 7, 6, 5, 4.5])
_SLOT_RATE = np.array(
    [0.71, 0.57, 0.48, 0.42, 0.38, 0.44, 0.40, 0.38, 0.37, 0.36, 0.34, 0.33, 0.32, 0.32, 0.30]
)


@dataclass(frozen=True)
class League:
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
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        name = f"{first} {last}" + (" Jr." if rng.random() < 0.03 else "")
        lookup = re.sub(r"[^a-z]", "", name.lower())
        if lookup in seen:
            continue
        seen.add(lookup)
        names.append(name)
        lookups.append(lookup)
    return np.array(names), np.array(lookups)


def league(
    rng: np.random.Generator,
    n: int,
    ndays: int,
    seasons: tuple[tuple[int, int], ...] | None = None,
) -> League:
    """The league over `ndays` days; `seasons` (first day, days) place each season's trades
    (default: one season over all the days)."""
    size = n * ROSTER
    names, lookups = _names(rng, size)
    # Role profile per slot with team-to-team variation; re-sort so slot order is minutes order.
    minutes = (_SLOT_MINUTES * rng.lognormal(0.0, 0.06, (n, ROSTER))).clip(3.0, 37.5)
    rate = _SLOT_RATE * np.exp(np.clip(rng.normal(0.0, 0.13, (n, ROSTER)), -0.25, 0.25))
    # Pin each team's healthy scoring near the league norm (offensive ratings differ by ~3.5%).
    healthy = (minutes * rate)[:, :10].sum(1) / (_SLOT_MINUTES * _SLOT_RATE)[:10].sum()
    rate *= (1 + np.clip(rng.normal(0.0, 0.035, n), -0.07, 0.07))[:, None] / healthy[:, None]
    order = np.argsort(-minutes, axis=1, kind="stable")
    minutes = np.take_along_axis(minutes, order, 1).ravel()
    rate = np.take_along_axis(rate, order, 1).ravel()

    # Positions: starters are a G/G/F/F/C lineup, the bench is mixed.
    pos = np.empty((n, ROSTER), dtype=np.int64)  # 0 guard, 1 forward, 2 center
    for t in range(n):
        pos[t, :5] = rng.permutation([0, 0, 1, 1, 2])
        pos[t, 5:] = rng.choice(3, size=ROSTER - 5, p=[0.4, 0.4, 0.2])
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

    trades = _trades(rng, n, seasons or ((0, ndays),))
    return League(
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
        trades=trades,
    )


def _trades(
    rng: np.random.Generator, n: int, seasons: tuple[tuple[int, int], ...]
) -> tuple[tuple[int, int, int, int], ...]:
    """A few mid-season like-for-like swaps (same slot) so rosters keep their shape."""
    trades: list[tuple[int, int, int, int]] = []
    for first_day, days in seasons:
        if n >= 4 and days >= 60:
            teams = rng.permutation(n)
            for i in range(min(int(rng.integers(2, 5)), n // 2)):
                day = first_day + int(rng.integers(int(0.45 * days), int(0.62 * days)))
                slot = int(rng.integers(3, 10))
                trades.append((day, int(teams[2 * i]), int(teams[2 * i + 1]), slot))
    return tuple(trades)


def rosters(lg: League, tg: TeamGames) -> np.ndarray:
    """Player id per (team-game, slot), with trades applied from their day on."""
    roster = tg.team[:, None] * ROSTER + np.arange(ROSTER)[None, :]
    for day, ta, tb, slot in lg.trades:
        pa_, pb = ta * ROSTER + slot, tb * ROSTER + slot
        roster[(tg.team == ta) & (tg.day >= day), slot] = pb
        roster[(tg.team == tb) & (tg.day >= day), slot] = pa_
    return roster


@dataclass(frozen=True)
class Rows:
    """Per (team-game, slot) state: who is listed, with what status, and who is available."""

    player: np.ndarray  # (TG, S)
    status: np.ndarray  # latest report status
    early: np.ndarray  # morning (15:00 UTC) report status (0: not listed yet)
    late: np.ndarray  # a late scratch: OUT, but not yet on the morning report (news the books'
    # morning lines have not priced for his teammates; a team's own news feed may know it)
    reason: np.ndarray  # index into REASONS, -1 if none
    avail: np.ndarray  # suits up (has a box-score row)


def availability(
    rng: np.random.Generator, lg: League, tg: TeamGames, roster: np.ndarray, ndays: int
) -> Rows:
    spell_of, starts, lens, reasons = _spells(rng, lg.minutes.size, ndays)
    n_minor = len(MINOR_REASONS)
    pl = roster.ravel()
    day = np.repeat(tg.day, ROSTER)
    nr = pl.size
    sp = spell_of[pl, day]
    order = np.lexsort((day, pl))
    prev_sp = np.full(nr, -1)
    same = pl[order][1:] == pl[order][:-1]
    prev_sp[order[1:][same]] = sp[order[:-1][same]]

    status = np.zeros(nr, dtype=np.int64)
    reason = np.full(nr, -1)
    in_sp = sp >= 0
    # A spell's first game is a game-time call only if the injury is new: one that began over
    # the summer (or a long break) is on the report, OUT, long before the game.
    first = in_sp & (prev_sp != sp) & (day - starts[sp] <= _FRESH_DAYS)
    short = lens[sp] <= 4
    status[in_sp] = OUT
    pick = lambda choices, probs: rng.choice(choices, size=nr, p=probs)  # noqa: E731
    # The first game of a short injury is often a game-time decision.
    status = np.where(first & short, pick([QUES, DOUBT, OUT], [0.45, 0.2, 0.35]), status)
    status = np.where(first & ~short, pick([QUES, DOUBT, OUT], [0.05, 0.1, 0.85]), status)
    reason[in_sp] = reasons[sp[in_sp]]
    # Return games are often tagged probable/questionable with the old injury.
    back = ~in_sp & (prev_sp >= 0)
    tag = pick([NONE, AVAIL, PROB, QUES], [0.3, 0.15, 0.35, 0.2])
    status = np.where(back, tag, status)
    reason = np.where(back & (tag > 0), reasons[prev_sp], reason)
    # Load management: stars sometimes sit the second night of a back-to-back, on the report
    # the day before (a late one would make the back-to-back itself news).
    b2b = np.repeat(tg.b2b, ROSTER)
    star = lg.minutes[pl] >= 31
    rest = (status == NONE) & b2b & star & (rng.random(nr) < 0.12)
    status[rest] = OUT
    reason[rest] = len(REASONS) - 1
    sits = (status == NONE) & star & (rng.random(nr) < _GAME_DAY_SIT)
    status[sits] = OUT
    reason[sits] = rng.integers(n_minor, size=nr)[sits]
    # Day-to-day knocks on otherwise healthy players.
    knock = (status == NONE) & ~back & (rng.random(nr) < 0.025)
    status = np.where(knock, pick([PROB, QUES, DOUBT], [0.6, 0.32, 0.08]), status)
    reason = np.where(knock, rng.integers(n_minor, size=nr), reason)

    fresh = (status == OUT) & (first | sits)
    early = np.where(sits, NONE, _early_status(rng, status, fresh))
    avail = rng.random(nr) < PLAY_PROB[status]
    shape = roster.shape
    return Rows(
        player=roster,
        status=status.reshape(shape),
        early=early.reshape(shape),
        late=(fresh & (early != OUT)).reshape(shape),
        reason=reason.reshape(shape),
        avail=avail.reshape(shape),
    )


def _spells(rng: np.random.Generator, size: int, ndays: int) -> tuple[np.ndarray, ...]:
    """Injury spells: the spell (or -1) per (player, day), and each spell's first day, length and
    reason (with a trailing 0, 0 and -1 for "none")."""
    spell_of = np.full((size, ndays), -1, dtype=np.int64)
    spell_start: list[int] = []
    spell_len: list[int] = []
    spell_reason: list[int] = []
    hazard = np.minimum(rng.gamma(2.0, 0.5, size) / 75.0, 0.5)  # some players are injury-prone
    n_minor, n_medium = len(MINOR_REASONS), len(MEDIUM_REASONS)
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
                reason = n_minor + n_medium + int(rng.integers(len(LONG_REASONS)))
            spell_of[p, t : t + dur] = len(spell_len)
            spell_start.append(t)
            spell_len.append(dur)
            spell_reason.append(reason)
            t += dur + int(rng.geometric(hazard[p]))
    starts = np.array(spell_start + [0])
    return spell_of, starts, np.array(spell_len + [0]), np.array(spell_reason + [-1])


def _early_status(rng: np.random.Generator, status: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """The morning report: long absences are already OUT; a player newly OUT (`fresh`) is on it
    OUT already or not at all (a late scratch: the books' noon lines price none of it, so a
    model blind to the news agrees with them there); other calls evolve during the day."""
    nr = status.size
    early = status.copy()
    u = rng.random(nr)
    choices, probs = [OUT, NONE], [0.3, 0.7]
    early = np.where(fresh, rng.choice(choices, size=nr, p=probs), early)
    early = np.where(status == AVAIL, np.where(u < 0.7, QUES, PROB), early)
    changed = np.isin(status, [PROB, QUES, DOUBT]) & (u < 0.15)
    return np.where(changed, np.where(status == QUES, PROB, QUES), early)
