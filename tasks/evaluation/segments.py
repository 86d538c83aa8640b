"""Segments: the head-to-head comparison, split the ways a betting team slices its results (slate
size, side, home or away, line level), each split with its interval.

Eleven segments read at once include one that looks different by chance about two times in five,
so the verdict column holds the family-wise error over every segment shown (Holm, as the tiers
do); each interval stays the plain 95% one, to read.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from shadowline.tasks.evaluation.comparisons import clustered_mean
from shadowline.tasks.evaluation.tiers import FAMILY_LEVEL, adjust, day_sums
from shadowline.tasks.warehouse import Warehouse, sql_text

SEGMENTS_COLUMNS = (
    "segment", "rows", "mae_difference", "ci_lower", "ci_upper", "a_hit_rate", "b_hit_rate",
    "verdict",
)  # fmt: skip


def _slate(r: dict) -> str | None:
    games = r["slate_games"]
    if games is None:
        return None
    return "1-4 games" if games <= 4 else "5-9 games" if games <= 9 else "10+ games"


def _line(r: dict) -> str:
    line = r["betting_line"]
    if line is None:
        return "no line"
    return "line < 10" if line < 10 else "line 10-20" if line < 20 else "line 20+"


def _venue(r: dict) -> str | None:
    return None if r["home"] is None else "home" if r["home"] else "away"


DIMENSIONS: dict[str, Callable[[dict], str | None]] = {
    "slate": _slate,
    "direction": lambda r: None if r["betting_line"] is None else r["direction"],
    "venue": _venue,
    "line": _line,
}
ORDER = (
    "1-4 games", "5-9 games", "10+ games", "OVER", "UNDER", "PASS", "no line", "home", "away",
    "line < 10", "line 10-20", "line 20+",
)  # fmt: skip
SEGMENTS_LEGEND = (
    "mae_difference: model a's MAE - model b's on the segment's rows both graded (< 0: a closer), "
    "with its 95% interval (ci_lower to ci_upper, game days as clusters); a_hit_rate, b_hit_rate: "
    "each model's bets won / decided in the segment (a_bets, b_bets: --wide). slate: games that "
    "day; direction: model a's side. verdict: a model better only when the evidence holds with "
    "every segment read at once (Holm, family-wise 5%)."
)


def _clustered(day: np.ndarray, values: np.ndarray, counted: np.ndarray):
    return clustered_mean(*day_sums(day, values * counted, counted))


def _hit_rate(day: np.ndarray, outcome: np.ndarray) -> tuple[float | None, int]:
    decided = (outcome == "WIN") | (outcome == "LOSS")
    if not decided.any():
        return None, 0
    rate = _clustered(day, (outcome == "WIN").astype(float), decided.astype(float))
    return float(rate.estimate), int(decided.sum())


def segment_row(dimension: str, name: str, part: list[dict]) -> dict[str, object]:
    _, day = np.unique([r["game_date"] for r in part], return_inverse=True)
    a = np.array([r["error_a"] for r in part], dtype=float)
    b = np.array([r["error_b"] for r in part], dtype=float)
    difference = _clustered(day, a - b, np.ones(len(part)))
    hit_a, bets_a = _hit_rate(day, np.array([r["outcome_a"] for r in part], dtype=object))
    hit_b, bets_b = _hit_rate(day, np.array([r["outcome_b"] for r in part], dtype=object))
    finite = [float(v) if np.isfinite(v) else None for v in (
        difference.lower, difference.upper, difference.p_value)]  # fmt: skip
    return {
        "dimension": dimension, "segment": name, "rows": len(part),
        "game_days": int(day.max()) + 1, "model_a_mae": float(a.mean()),
        "model_b_mae": float(b.mean()), "mae_difference": float(difference.estimate),
        "ci_lower": finite[0], "ci_upper": finite[1], "p_value": finite[2],
        "a_bets": bets_a, "a_hit_rate": hit_a, "b_bets": bets_b, "b_hit_rate": hit_b,
    }  # fmt: skip


def segments(paired: pa.Table, model_a: str = "a", model_b: str = "b") -> pa.Table:
    """One row per segment with rows (rows of sql/reports/segment_rows): mae_difference = model
    a's MAE - model b's on the segment's shared rows, its 95% interval (game days as clusters),
    each model's hit rate on its own bets there, and the verdict with every segment read at once."""
    records = paired.to_pylist()
    out = []
    for dimension, key in DIMENSIONS.items():
        parts: dict[str, list[dict]] = {}
        for r in records:
            name = key(r)
            if name is not None:
                parts.setdefault(name, []).append(r)
        for name in sorted(parts, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
            out.append(segment_row(dimension, name, parts[name]))
    adjust(out)
    for r in out:
        adjusted = r["adjusted_p"]
        if adjusted is None:
            r["verdict"] = "too early"
        elif adjusted < FAMILY_LEVEL:
            r["verdict"] = f"{model_a if r['mae_difference'] < 0 else model_b} better"
        else:
            r["verdict"] = "not distinguishable"
    return pa.Table.from_pylist(out)


def read_segments(warehouse: Warehouse, model_a: str, model_b: str) -> pa.Table:
    paired = warehouse.query(sql_text("reports/segment_rows"), {"a": model_a, "b": model_b})
    return segments(paired, model_a, model_b)
