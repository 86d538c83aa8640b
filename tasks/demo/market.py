"""The demo's prop market: books know the expected points given the injury report they price
and post x.5 lines at the median of the points distribution, with earlier snapshots (the
morning report) and the odd off-market book. Most snapshots of the big books also offer
alternate lines a point or two away, priced off the same distribution (further from even than
the main line)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shadowline.tasks.demo.box_scores import (
    BLOWOUT_PROB,
    MINUTE_CAP,
    OT_PROB,
    TEAM_MINUTES,
    allocate,
    box_scores,
    depth_rank,
    game_factor,
    play_prob_by_rank,
    possession_points,
    role_multipliers,
    usage_boost,
)
from shadowline.tasks.demo.league import (
    AVAIL,
    DOUBT,
    NONE,
    PLAY_PROB,
    PROB,
    QUES,
    ROSTER,
    League,
    Rows,
)
from shadowline.tasks.demo.schedule import TeamGames

BOOKS = ("draftkings", "fanduel", "betmgm", "caesars")
_BOOK_POST_PROB = np.array([1.0, 1.0, 0.93, 0.88])
_BOOK_VIG = np.array([1.047, 1.045, 1.050, 1.052])
_BOOK_ALTERNATES_PROB = np.array([0.7, 0.6, 0.25, 0.15])  # a snapshot with alternate lines
_ALTERNATE_OFFSETS = np.array([-2.0, -1.0, 1.0, 2.0])
_MAX_POINTS = 128
# An efficient market: the books' mean is the true mean given the report they price (the final
# one at the close, the morning one before), with no noise of their own: an error independent
# of the points is one a box-score average finds (the season average then predicts the over).
_POST_MIN_POINTS = 5.0
# Depth groups (top 3, other starters, rotation, bench) whose possessions swing alike.
_DEPTHS = (3, 5, 9)
# How many times the books replay the season to learn biases and spreads: enough that their
# error on a player's mean (~1%) is small beside what his season average knows.
_REPLAYS = 16
Replay = tuple[np.ndarray, np.ndarray]  # a replay's (plays, points) per (team-game, slot)


def _expected_points(
    lg: League, tg: TeamGames, rows: Rows, status: np.ndarray, plays: np.ndarray = PLAY_PROB
) -> np.ndarray:
    """The market's mean points for each player, conditional on him playing, given a report
    (`plays`: the chance that a player of each status suits up).

    Minutes are averaged over the blowout / close-game scenarios, weighted by the chance the
    player gets in under each (deep bench minutes come almost only in blowouts). A doubtful
    teammate counts by his chance to play, the player himself as playing: a questionable player
    who suits up neither shares his minutes with his own absence nor takes over his own shots.
    """
    pl = rows.player
    base = lg.minutes[pl]
    rate = lg.rate[pl, tg.day[:, None]]
    p_status = plays[status]
    rank = depth_rank(base, status < DOUBT)
    b2b = np.where(tg.b2b[:, None] & (rank < 5), 0.97, 1.0)
    total = np.full(pl.shape[0], TEAM_MINUTES + 25.0 * OT_PROB * 1.12)
    cap = np.full((pl.shape[0], 1), MINUTE_CAP)
    num = np.zeros(base.shape)
    den = np.zeros(base.shape)
    for blow, prob in ((0.0, 1 - BLOWOUT_PROB), (1.0, BLOWOUT_PROB)):
        play = play_prob_by_rank(rank, blow)
        mins = _own_minutes(base * role_multipliers(rank, blow) * b2b, p_status, play, total, cap)
        num += prob * play * mins
        den += prob * play
    minutes = num / den
    return minutes * rate * _own_boost(base, rate, p_status) * game_factor(lg, tg)[:, None]


def _own_minutes(
    base: np.ndarray, p_status: np.ndarray, play: np.ndarray, total: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """Each slot's minutes from `allocate` with his teammates weighted by their chance to play
    and himself as playing (one allocation per slot only where someone's status is in doubt)."""
    minutes = allocate(base, p_status * play, total, cap)
    for slot in np.flatnonzero((p_status < 1.0).any(0)):
        weight = p_status * play
        weight[:, slot] = play[:, slot]
        minutes[:, slot] = allocate(base, weight, total, cap)[:, slot]
    return minutes


def _own_boost(base: np.ndarray, rate: np.ndarray, p_status: np.ndarray) -> np.ndarray:
    """Each slot's `usage_boost` with his teammates present by their chance to play and himself
    as playing (recomputed per slot only where someone's status is in doubt)."""
    boost = usage_boost(base, rate, p_status)
    for slot in np.flatnonzero((p_status < 1.0).any(0)):
        present = p_status.copy()
        present[:, slot] = 1.0
        boost[:, slot] = usage_boost(base, rate, present)[:, slot]
    return boost


def _points_cdf(mu: np.ndarray, spread: np.ndarray, jumps: np.ndarray) -> np.ndarray:
    """CDF at 0.._MAX_POINTS of a player's points: a negative binomial count of used possessions
    (squared coefficient of variation `spread` beyond Poisson's), each worth 0-3 points with
    probabilities `jumps` (n, 4), in all `mu` points on average. Points come in twos and threes
    from a steady shot volume: far less skewed than a negative binomial of the points themselves
    with the same variance, whose median sits ~0.4 points low at every level."""
    scoring = 1.0 - jumps[:, 0]
    value = jumps[:, 1:] / scoring[:, None]  # points of a scoring possession
    k = 1.0 / spread
    scored = mu / (value @ np.arange(1, 4))  # scoring possessions (a thinned NB is one too)
    q = scored / (k + scored)
    a, b = q, (k - 1.0) * q  # Panjer's recursion for a compound negative binomial
    pmf = np.zeros((mu.size, _MAX_POINTS + 1))
    pmf[:, 0] = np.exp(k * np.log1p(-q))
    for x in range(1, _MAX_POINTS + 1):
        for j in range(1, min(x, 3) + 1):
            pmf[:, x] += (a + b * j / x) * value[:, j - 1] * pmf[:, x - j]
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
class Props:
    player: np.ndarray
    day: np.ndarray
    book: np.ndarray
    line: np.ndarray
    over: np.ndarray
    under: np.ndarray
    seconds: np.ndarray  # processed_at, seconds after midnight UTC on game day
    main: np.ndarray  # the book's main line of the snapshot (False: an alternate)


def market(
    rng: np.random.Generator, lg: League, tg: TeamGames, rows: Rows, tipoff: np.ndarray
) -> Props:
    """The books' snapshots for every listed player expected to score; `tipoff` is each
    team-game's tip-off in seconds after midnight UTC of its game day (a late game's is past
    midnight, so its closing lines are stamped on the next UTC day)."""
    idx, cdfs = _market_view(rng, lg, tg, rows)
    posted, offset = _book_offsets(rng, idx.size)
    snaps = _snapshots(rng, posted, np.repeat(tipoff, ROSTER)[idx])
    line_late, line_early = _fair_line(cdfs[0]), _fair_line(cdfs[1])
    line = np.where(snaps.late, line_late[snaps.row], line_early[snaps.row])
    line = np.maximum(line + offset[snaps.row, snaps.book], 0.5)
    every = np.arange(snaps.row.size)
    # Books shade prices only a little toward their own line's lean.
    over, under, p_main = _prices(line, every, snaps, cdfs, 0.4, 0.42, 0.58)
    # (Alternates only for books on the market's line: an off-market book's alternate may be
    # priced nearer even than its own line.)
    a_snap, a_line = _alternates(rng, snaps, line, offset[snaps.row, snaps.book] == 0)
    # an alternate is priced further from even than its main line, on its own side of it
    side = np.where(a_line > line[a_snap], -1.0, 1.0)
    away = (side, np.abs(p_main[a_snap] - 0.5) + 0.025)
    a_over, a_under, _ = _prices(a_line, a_snap, snaps, cdfs, 0.85, 0.1, 0.9, away)

    flat_pl = rows.player.ravel()
    flat_day = np.repeat(tg.day, ROSTER)
    snap = np.concatenate([every, a_snap])
    return Props(
        player=flat_pl[idx][snaps.row][snap],
        day=flat_day[idx][snaps.row][snap],
        book=snaps.book[snap],
        line=np.concatenate([line, a_line]),
        over=np.concatenate([over, a_over]),
        under=np.concatenate([under, a_under]),
        seconds=snaps.seconds[snap],
        main=np.concatenate([np.ones(snaps.row.size, bool), np.zeros(a_snap.size, bool)]),
    )


def situation(rows: Rows, rank: np.ndarray, mu: np.ndarray, players: int) -> np.ndarray:
    """A row's situation, as sharp books sort them (0 .. _SITUATIONS - 1): its own report status
    (none or available, probable, questionable), its depth (top 5, 6-9, bench) and how far the
    closed form's mean `mu` sits from the player's usual (its mean over his rows). The closed
    form multiplies expected minutes by expected usage, and it over-reacts to a night's
    circumstances; how much depends on these."""
    own = np.select([rows.status == PROB, rows.status == QUES], [1, 2], 0)
    depth = np.searchsorted([5, 9], rank, side="right")
    counted = mu > 0
    total = np.bincount(rows.player[counted], mu[counted], minlength=players)
    games = np.bincount(rows.player[counted], minlength=players)
    usual = np.where(games > 0, total / np.maximum(games, 1), 1.0)[rows.player]
    away = np.searchsorted(_AWAY_FROM_USUAL, mu / np.maximum(usual, 1e-9))
    return (own * 3 + depth) * (len(_AWAY_FROM_USUAL) + 1) + away


_AWAY_FROM_USUAL = (0.8, 0.9, 0.97, 1.03, 1.1, 1.2)  # bounds of mu / the player's usual mu
_SITUATIONS = 9 * (len(_AWAY_FROM_USUAL) + 1)


def sharpness(
    rows: Rows, rank: np.ndarray, mu: np.ndarray, replays: list[Replay], players: int
) -> np.ndarray:
    """Each row's ratio of its true mean points (when he plays) to `_expected_points`, from
    replays of the season's games: sharp books know the cap, exits and shared possessions that
    the closed form misses, so no model finds a player, or a situation, the line is always wrong
    about. The ratio is the player's own times his situation's (`situation`), both shrunk
    toward 1. `mu`: `_expected_points` given the final report."""
    where = situation(rows, rank, mu, players)
    scored, expected = np.zeros(players), np.zeros(players)
    for plays, points in replays:
        np.add.at(scored, rows.player[plays], points[plays])
        np.add.at(expected, rows.player[plays], mu[plays])
    player = np.where(expected > 0, (scored + 50.0) / (expected + 50.0), 1.0)[rows.player]
    scored, expected = np.zeros(_SITUATIONS), np.zeros(_SITUATIONS)
    for plays, points in replays:
        np.add.at(scored, where[plays], points[plays])
        np.add.at(expected, where[plays], (mu * player)[plays])
    return player * ((scored + 200.0) / (expected + 200.0))[where]


def spread(
    rows: Rows, depth: np.ndarray, mu: np.ndarray, replays: list[Replay], jumps: np.ndarray
) -> np.ndarray:
    """Each row's possession-count spread for `_points_cdf`, by depth group (`_DEPTHS`), from the
    replays' squared errors around the books' mean `mu`, less what the shots' own luck makes
    (the moments of a compound negative binomial): minutes, hot nights and blowouts swing a
    role player's possessions more than a star's."""
    group = np.searchsorted(_DEPTHS, depth, side="right")
    shot_luck = mu * ((jumps @ np.arange(4) ** 2) / (jumps @ np.arange(4)))[rows.player]
    excess, scale = np.zeros(len(_DEPTHS) + 1), np.zeros(len(_DEPTHS) + 1)
    for plays, points in replays:
        err = (points - mu) ** 2 - shot_luck
        np.add.at(excess, group[plays], err[plays])
        np.add.at(scale, group[plays], mu[plays] ** 2)
    return np.maximum(excess / np.maximum(scale, 1e-9), 0.005)[group]


def _market_view(
    rng: np.random.Generator, lg: League, tg: TeamGames, rows: Rows
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The listed players expected to score (flat row indices), and the market's points CDF for
    each at the closing snapshot and at the earlier ones."""
    mu_late = _expected_points(lg, tg, rows, rows.status)
    r_replay = rng.spawn(1)[0]
    ngames = int(tg.game.max()) + 1
    boxes = (box_scores(r_replay, lg, tg, rows, ngames) for _ in range(_REPLAYS))
    replays = [(box.plays, box.points) for box in boxes]
    depth = depth_rank(lg.minutes[rows.player], rows.status < DOUBT)
    scale = sharpness(rows, depth, mu_late, replays, lg.minutes.size)
    jumps = possession_points(lg)
    swing = spread(rows, depth, mu_late * scale, replays, jumps)
    # The morning lines price the morning report: a late scratch not on it yet (`Rows.late`)
    # moves his teammates' lines only at the close.
    mu_early = _expected_points(lg, tg, rows, rows.early, _morning_plays(rows)) * scale
    listed = np.isin(rows.status, [NONE, AVAIL, PROB, QUES])
    idx = np.flatnonzero((listed & (mu_late >= _POST_MIN_POINTS)).ravel())
    late, early = (mu_late * scale).ravel()[idx], mu_early.ravel()[idx]
    args = swing.ravel()[idx], jumps[rows.player.ravel()[idx]]
    return idx, (_points_cdf(late, *args), _points_cdf(early, *args))


def _morning_plays(rows: Rows) -> np.ndarray:
    """The chance that a player of each status on the morning report suits up, as the books
    know it from seasons of reports: a doubt on the report is priced at what it is worth, and
    a player not on it as playing (a late scratch is news the noon line has not priced)."""
    listed = np.bincount(rows.early.ravel(), minlength=PLAY_PROB.size)
    played = np.bincount(rows.early.ravel(), rows.avail.ravel(), minlength=PLAY_PROB.size)
    plays = np.where(listed > 0, played / np.maximum(listed, 1), PLAY_PROB)
    plays[NONE] = PLAY_PROB[NONE]
    return plays


def _book_offsets(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which books post each player (n, books), and how far each hangs its line off the market:
    books mostly agree; one (rarely two) hangs a point off, and a few half a point."""
    nb = len(BOOKS)
    posted = rng.random((n, nb)) < _BOOK_POST_PROB
    n_off = rng.choice(3, size=n, p=[0.62, 0.32, 0.06])
    off_rank = np.argsort(rng.random((n, nb)), axis=1)
    offset = np.where(off_rank < n_off[:, None], rng.choice([-1.0, 1.0], (n, nb)), 0.0)
    offset += np.where(rng.random((n, nb)) < 0.015, rng.choice([-0.5, 0.5], (n, nb)), 0.0)
    return posted, offset


@dataclass(frozen=True)
class _Snapshots:
    row: np.ndarray  # the player's market row
    book: np.ndarray
    late: np.ndarray  # priced off the closing view (else the earlier one)
    seconds: np.ndarray


def _snapshots(rng: np.random.Generator, posted: np.ndarray, tipoff: np.ndarray) -> _Snapshots:
    """One to three snapshots per posted (player, book): earliest in the morning window, middle
    in the afternoon, last after the 21:30 injury report, in the hour before tip-off."""
    r_i, b_i = np.nonzero(posted)
    n_snap = rng.choice([1, 2, 3], size=r_i.size, p=[0.3, 0.45, 0.25])
    s_row = np.repeat(r_i, n_snap)
    pos = np.arange(s_row.size) - np.repeat(np.cumsum(n_snap) - n_snap, n_snap)
    cnt = np.repeat(n_snap, n_snap)
    last = pos == cnt - 1
    use_late = last | ((pos == 1) & (rng.random(s_row.size) < 0.5))
    windows = np.array([[13 * 3600, 16 * 3600 + 1800], [17 * 3600 + 1800, 20 * 3600 + 1800]])
    win = np.where((cnt == 2) & (rng.random(s_row.size) < 0.5), 1, np.minimum(pos, 1))
    tip = tipoff[s_row]
    closing = np.maximum(21 * 3600 + 2400, tip - 75 * 60), tip - 10 * 60
    seconds = np.where(
        last,
        rng.integers(*closing),
        rng.integers(windows[win, 0], windows[win, 1]),
    )
    return _Snapshots(s_row, np.repeat(b_i, n_snap), use_late, seconds)


def _prices(
    at: np.ndarray,
    snap: np.ndarray,
    snaps: _Snapshots,
    cdfs: tuple[np.ndarray, np.ndarray],
    shade: float,
    low: float,
    high: float,
    away: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """American odds for the over and the under of line `at` in snapshot rows `snap`, and the
    over's probability; `away` = (side, distance): the over at least `distance` from one half,
    above it (side 1) or below (-1)."""
    below = np.floor(at).astype(np.int64)
    late, row = snaps.late[snap], snaps.row[snap]

    def cdf_at(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0, _MAX_POINTS)
        return np.where(late, cdfs[0][row, x], cdfs[1][row, x])

    p_le = cdf_at(below)
    p_push = np.where(at == below, p_le - np.where(below > 0, cdf_at(below - 1), 0.0), 0.0)
    p_over = (1 - p_le) / np.maximum(1 - p_push, 1e-9)
    p_over = np.clip(0.5 + shade * (p_over - 0.5), low, high)
    if away is not None:
        side, distance = away
        p_over = 0.5 + side * np.maximum(side * (p_over - 0.5), distance)
    vig = _BOOK_VIG[snaps.book[snap]]
    return _american(p_over * vig), _american((1 - p_over) * vig), p_over


def _alternates(
    rng: np.random.Generator, snaps: _Snapshots, line: np.ndarray, on_market: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Alternates: two to four lines a point or two off the main one, in the snapshot rows it
    returns; priced shaded less, so the main line stays the one closest to even."""
    chance = _BOOK_ALTERNATES_PROB[snaps.book]
    alt_snap = np.flatnonzero(on_market & (rng.random(snaps.row.size) < chance))
    chosen = rng.random((alt_snap.size, _ALTERNATE_OFFSETS.size)) < 0.65
    a_snap, a_k = np.nonzero(chosen)
    a_snap = alt_snap[a_snap]
    a_line = line[a_snap] + _ALTERNATE_OFFSETS[a_k]
    keep = a_line >= 0.5
    return a_snap[keep], a_line[keep]
