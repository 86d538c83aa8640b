"""The demo league's names, from package data (`data/`): teams, players' first and last names,
and injury reasons by how long they keep a player out."""

from __future__ import annotations

import csv
from importlib import resources


def _lines(name: str) -> tuple[str, ...]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line)


def _reasons() -> dict[str, tuple[str, ...]]:
    text = resources.files(__package__).joinpath("data", "injury_reasons.csv").read_text("utf-8")
    kinds: dict[str, list[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        kinds.setdefault(row["kind"], []).append(row["reason"])
    return {kind: tuple(reasons) for kind, reasons in kinds.items()}


TEAMS = _lines("teams.txt")
FIRST_NAMES = _lines("first_names.txt")
LAST_NAMES = _lines("last_names.txt")
_BY_KIND = _reasons()
MINOR_REASONS, MEDIUM_REASONS, LONG_REASONS = (_BY_KIND[k] for k in ("minor", "medium", "long"))
(REST_REASON,) = _BY_KIND["rest"]
# The index of a reason in REASONS is what the generator draws; rest days are the last one.
REASONS = MINOR_REASONS + MEDIUM_REASONS + LONG_REASONS + (REST_REASON,)
