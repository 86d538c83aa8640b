"""Each value's domain, declared once: what a model id may be, and the range of every number an
argument or a setting brings in. A value outside its domain is refused with its name, the value
and what is allowed."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from shadowline.tasks.core.errors import ShadowlineError

# Letters, digits, '_', '.' and '-', starting with a letter or digit: safe as a file name (no
# '/', no leading '.'), in SQL parameters and in Prefect run names.
MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
MODEL_ID_RULE = "use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit"
MIN_EDGE = (0.0, 20.0)  # points between prediction and line for OVER/UNDER
MIN_EDGE_RULE = f"use a number of points from {MIN_EDGE[0]:g} to {MIN_EDGE[1]:g}"


class InvalidValue(ShadowlineError, ValueError):
    """A value outside its domain (a ValueError too: pydantic and cyclopts validators report it
    as the value's own error)."""


def check_model_id(model_id: str) -> str:
    if not MODEL_ID.fullmatch(model_id):
        shown = repr(model_id) if model_id.strip() else "empty"
        raise InvalidValue(f"model id {shown} is not valid: {MODEL_ID_RULE} (e.g. catboost_v3)")
    return model_id


def check_min_edge(value: float, name: str = "--min-edge") -> float:
    low, high = MIN_EDGE
    if not (math.isfinite(value) and low <= value <= high):
        raise InvalidValue(f"{name} {value!r} is not valid: {MIN_EDGE_RULE}")
    return value


@dataclass(frozen=True)
class Domain:
    """What a raw column's values may be. Numbers are always finite."""

    low: float | None = None
    high: float | None = None
    step: float | None = None  # values are whole multiples of it
    american_odds: bool = False  # <= -100 or >= +100
    choices: tuple[str, ...] = ()  # compared upper-case, stored upper-case

    def rule(self) -> str:
        if self.choices:
            return f"one of {', '.join(self.choices)} (any case)"
        if self.american_odds:
            return "American odds: -100 or below, or +100 or above"
        rule = f"a number from {self.low:g} to {self.high:g}"
        if self.step:
            rule += f" in steps of {self.step:g}"
        return rule


STATS = Domain(0, 100)  # a player's count of points, shots, rebounds or assists in a game
INJURY_STATUSES = ("OUT", "DOUBTFUL", "QUESTIONABLE", "PROBABLE", "AVAILABLE")

# Every raw column with a domain, declared once; `load` refuses rows outside them.
COLUMN_DOMAINS: dict[str, dict[str, Domain]] = {
    "nba_analytics.player_game_summary": {
        "minutes_played": Domain(0, 70),
        "points": STATS,
        **dict.fromkeys(
            (
                "fg_made",
                "fg_attempted",
                "three_pt_made",
                "three_pt_attempted",
                "ft_made",
                "ft_attempted",
                "rebounds",
                "assists",
            ),
            STATS,
        ),  # fmt: skip
    },
    "nba_raw.player_points_props": {
        "points_line": Domain(0, 80, step=0.5),
        "over_odds": Domain(american_odds=True),
        "under_odds": Domain(american_odds=True),
    },
    "nba_raw.injury_report": {"injury_status": Domain(choices=INJURY_STATUSES)},
}
