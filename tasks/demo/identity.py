"""How the demo's books write players' names: mostly as the box scores do, but some books use a
player's formal first name (Nate / Nathan), drop a Jr., or write the accents the box scores
leave out. Aliases map most of those spellings back; a few are left unmapped, as a new feed's
would be, for `shadowline players unmatched` to find."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

from shadowline.tasks.demo.league import League
from shadowline.tasks.demo.market import BOOKS
from shadowline.tasks.ingest.players import normalize_name

_FORMAL_PROB = 0.5  # a player whose first name has a formal form: some books use it
_DROP_JR_PROB = 0.6  # a Jr.: some books drop it
_UNMAPPED = 3  # players whose book spellings get no alias


def _variants() -> tuple[dict[str, str], dict[str, str]]:
    text = resources.files(__package__).joinpath("data", "name_variants.csv").read_text("utf-8")
    first, last = {}, {}
    for row in csv.DictReader(text.splitlines()):
        (first if row["kind"] == "first" else last)[row["name"]] = row["variant"]
    return first, last


@dataclass(frozen=True)
class BookNames:
    names: np.ndarray  # (player, book): the name that book writes
    aliases: list[tuple[str, str, str]]  # (alias as written, player_lookup, source book)


def book_names(rng: np.random.Generator, lg: League) -> BookNames:
    formal, accented = _variants()
    names = np.tile(lg.names[:, None], (1, len(BOOKS))).astype(object)
    taken = set(lg.lookups.tolist())
    for player, name in enumerate(lg.names.tolist()):
        first, _, rest = name.partition(" ")
        last = rest.removesuffix(" Jr.")
        written = f"{first} {accented.get(last, last)}" + rest[len(last) :]
        names[player, :] = written  # accents: every book writes them; normalization copes
        books = rng.permutation(len(BOOKS))[: int(rng.integers(1, 3))]
        variant = written
        if first in formal and rng.random() < _FORMAL_PROB:
            variant = written.replace(first, formal[first], 1)
        elif rest.endswith(" Jr.") and rng.random() < _DROP_JR_PROB:
            variant = written.removesuffix(" Jr.")
        # never another player's name: that mix-up no alias can fix
        if normalize_name(variant) not in taken - {lg.lookups[player]}:
            names[player, books] = variant
            taken.add(normalize_name(variant))
    spelled = [
        (str(names[p, b]), str(lg.lookups[p]), BOOKS[b])
        for p in range(names.shape[0])
        for b in range(len(BOOKS))
        if normalize_name(str(names[p, b])) != lg.lookups[p]
    ]
    players = sorted({lookup for _, lookup, _ in spelled})
    unmapped = set(rng.permutation(players)[:_UNMAPPED].tolist()) if players else set()
    first_source: dict[str, tuple[str, str]] = {}
    for alias, lookup, book in spelled:
        if lookup not in unmapped:
            first_source.setdefault(alias, (lookup, book))
    aliases = [(alias, lookup, book) for alias, (lookup, book) in sorted(first_source.items())]
    return BookNames(names.astype(str), aliases)
