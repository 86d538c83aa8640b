"""The demo's box scores: role minutes rescaled to fill 240 per team (blowouts, foul trouble,
absences), and points realised through a possession model (team possessions shared out
multinomially, shots made binomially), so the box-score columns add up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shadowline.tasks.demo.league import League, Rows
from shadowline.tasks.demo.schedule import TeamGames

TEAM_MINUTES = 240.0
MINUTE_CAP = 40.0
BLOWOUT_PROB = 0.22
OT_PROB = 0.06
# A player's hot or cold night: gamma multiplier on his usage, by depth (top 3, other starters,
# rotation, bench). Stars' shot volume is steady; role players' swings more.
_SHARE_SHAPE = np.array([40.0, 22.0, 15.0, 12.0])
_TEAM_SHAPE = 3000.0  # pace luck on the number of possessions, ~2% sd
_EXIT_PROB = 0.012
_TURNOVER = 0.12  # share of used possessions ending in a turnover
_AND_ONE = 0.08  # made twos that come with a free throw
_MINUTES_SD = np.array([0.08, 0.15, 0.3])  # starters, rotation, bench: foul trouble, whims
_HOME_EDGE = 1.015
_B2B_EFF = 0.97
_USAGE_SKEW = 3.0  # absent players' shots go by rate to this power: mostly to the scorers


def _possession_mix(lg: League) -> tuple[np.ndarray, np.ndarray]:
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


def possession_points(lg: League) -> np.ndarray:
    """Per player (players, 4): P(0, 1, 2, 3 points) from one used possession, as the
    possession model below scores it (a two with its and-one, a three, two free throws)."""
    mix, _ = _possession_mix(lg)
    two, three, trip = mix[0], mix[1], mix[2]
    p2, p3, ft = lg.fg2_pct, lg.fg3_pct, lg.ft_pct
    and_one = p2 * _AND_ONE * ft
    one = trip * 2 * ft * (1 - ft)
    pts2 = two * (p2 - and_one) + trip * ft**2
    pts3 = two * and_one + three * p3
    return np.stack([1 - one - pts2 - pts3, one, pts2, pts3], axis=1)


def depth_rank(base: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Depth-chart position within each team-game among masked players (0 = top)."""
    order = np.argsort(np.where(mask, -base, np.inf), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(base.shape[1]), base.shape), 1)
    return rank


def role_multipliers(rank: np.ndarray, blowout: np.ndarray | float) -> np.ndarray:
    """Minutes multiplier by depth: blowouts sit starters and empty the bench."""
    starter = 1.0 - 0.18 * blowout
    rotation = 1.0 + 0.1 * blowout
    bench = 1.0 + 0.8 * blowout
    return np.where(rank < 5, starter, np.where(rank < 9, rotation, bench))


def play_prob_by_rank(rank: np.ndarray, blowout: np.ndarray | float) -> np.ndarray:
    deep = 0.07 + (0.7 - 0.07) * blowout
    return np.where(rank < 9, 1.0, np.where(rank == 9, 0.85, deep))


def allocate(
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


def team_load(
    base: np.ndarray, rate: np.ndarray, present: np.ndarray, weight: np.ndarray | None = None
) -> np.ndarray:
    """A team-game's expected points before usage and the game (per team-game), each player's
    times `weight` if given: `present` (0-1) is each player's chance to suit up; minutes go by
    depth among those who do, averaged over the blowout / close-game scenarios."""
    rank = depth_rank(base, present > 0)
    total = np.full(base.shape[0], TEAM_MINUTES)
    cap = np.full((base.shape[0], 1), MINUTE_CAP)
    load = np.zeros(base.shape[0])
    for blow, prob in ((0.0, 1 - BLOWOUT_PROB), (1.0, BLOWOUT_PROB)):
        play = present * play_prob_by_rank(rank, blow)
        minutes = allocate(base * role_multipliers(rank, blow), play, total, cap)
        load += prob * (play * minutes * rate * (1.0 if weight is None else weight)).sum(1)
    return load


def usage_boost(base: np.ndarray, rate: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Absent players' shots go to whoever plays (a multiplier on each rate): their minutes go
    to teammates who score less a minute, and the usage they leave makes up the rest, so the
    team's expected points are what they are with everyone available (redistributed, not
    created). A star's shots go mostly to the other scorers (`_USAGE_SKEW`), his minutes by
    depth, so a late scratch moves a few teammates' lines a lot and the rest's a little."""
    healthy = team_load(base, rate, np.ones(base.shape))
    lost = healthy - team_load(base, rate, present)
    skew = (rate / rate.mean(1, keepdims=True)) ** _USAGE_SKEW
    taken = team_load(base, rate, present, skew)
    return 1.0 + skew * (lost / np.maximum(taken, 1e-9))[:, None]


def game_factor(lg: League, tg: TeamGames) -> np.ndarray:
    rest = np.where(tg.b2b, _B2B_EFF, np.where(tg.rest >= 3, 1.01, 1.0))
    home = np.where(tg.home, _HOME_EDGE, 1.0)
    return (1 + lg.defence[tg.opp]) * (1 + lg.pace[tg.team]) * (1 + lg.pace[tg.opp]) * home * rest


@dataclass(frozen=True)
class Box:
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


def box_scores(rng: np.random.Generator, lg: League, tg: TeamGames, rows: Rows, ngames: int) -> Box:
    pl, avail = rows.player, rows.avail
    shape = pl.shape
    base = lg.minutes[pl]
    rate = lg.rate[pl, tg.day[:, None]]
    blow = (rng.random(ngames) < BLOWOUT_PROB)[tg.game].astype(float)[:, None]
    ot = np.where(rng.random(ngames) < OT_PROB, 1 + (rng.random(ngames) < 0.12), 0)[tg.game]

    rank = depth_rank(base, avail)
    plays = avail & (rng.random(shape) < play_prob_by_rank(rank, blow))
    b2b = np.where(tg.b2b[:, None] & (rank < 5), 0.97, 1.0)
    minutes_sd = _MINUTES_SD[np.searchsorted([5, 9], rank, side="right")]
    noise = rng.lognormal(-(minutes_sd**2) / 2, minutes_sd)  # mean one
    # A few players get hurt or ejected mid-game; teammates absorb the minutes.
    exits = np.where(rng.random(shape) < _EXIT_PROB, rng.uniform(0.1, 0.7, shape), 1.0)
    noisy = base * role_multipliers(rank, blow) * b2b * noise * exits
    cap = (MINUTE_CAP + 4.0 * ot)[:, None]
    minutes = allocate(noisy, plays.astype(float), TEAM_MINUTES + 25.0 * ot, cap)
    minutes = np.where(plays, np.maximum(np.round(minutes * 60), 1) / 60, 0.0)

    boost = usage_boost(base, rate, avail.astype(float))
    lam = minutes * rate * boost * game_factor(lg, tg)[:, None]

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
    return Box(
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
