"""The line cutoff: the instant as of which a game's prop lines are read, either a clock time in
Eastern time on the game day (`12:00`) or a span before the game's own tip-off (`tipoff-60m`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")
_TIPOFF = re.compile(r"^tipoff\s*-\s*(\d+)\s*(m|min|h)$")
FORMS = "a clock time in Eastern time (12:00) or a span before each game's tip-off (tipoff-60m)"


@dataclass(frozen=True)
class LineCutoff:
    """`clock` (Eastern time on the game day) or `before_tipoff_minutes`, never both."""

    clock: time | None = None
    before_tipoff_minutes: int | None = None

    @classmethod
    def parse(cls, value: object) -> LineCutoff:
        """`12:00`, `13:30`, `tipoff-60m`, `tipoff-2h` (or a `time`); a ValueError naming the
        two forms otherwise."""
        if isinstance(value, LineCutoff):
            return value
        if isinstance(value, time):
            return cls(clock=value.replace(second=0, microsecond=0))
        text = str(value).strip().lower()
        if clock := _CLOCK.match(text):
            hour, minute = int(clock[1]), int(clock[2])
            if hour < 24 and minute < 60:
                return cls(clock=time(hour, minute))
        elif tipoff := _TIPOFF.match(text):
            minutes = int(tipoff[1]) * (60 if tipoff[2] == "h" else 1)
            if minutes <= 12 * 60:
                return cls(before_tipoff_minutes=minutes)
        raise ValueError(f"{value!r} is not a line cutoff: give {FORMS}, at most 12 hours before")

    @property
    def relative_to_tipoff(self) -> bool:
        return self.before_tipoff_minutes is not None

    def params(self) -> dict[str, object]:
        """The query parameters `sql/features/game_cutoffs.sql` reads."""
        clock = self.clock or time(12, 0)
        return {
            "cutoff_from_tipoff": self.relative_to_tipoff,
            "line_cutoff_minutes": clock.hour * 60 + clock.minute,
            "cutoff_before_tipoff_minutes": self.before_tipoff_minutes or 0,
        }

    def __str__(self) -> str:
        if self.before_tipoff_minutes is not None:
            return f"tipoff-{self.before_tipoff_minutes}m"
        assert self.clock is not None
        return self.clock.strftime("%H:%M")

    def fix(self) -> str:
        """What to set when a feed posts after this cutoff."""
        if self.before_tipoff_minutes is not None:
            return "set SHADOWLINE_LINE_CUTOFF closer to tip-off (tipoff-30m)"
        return "set SHADOWLINE_LINE_CUTOFF later (13:30) or relative to tip-off (tipoff-60m)"

    def describe(self) -> str:
        """`12:00 ET` or `60 min before each game's tip-off`."""
        if self.before_tipoff_minutes is not None:
            return f"{self.before_tipoff_minutes} min before each game's tip-off"
        return f"{self} ET"
