"""The errors shadowline raises for people to read: one base class, one way to shorten them."""

from __future__ import annotations


class ShadowlineError(Exception):
    """A problem worded for the person who has to fix it: what is wrong, and the fix.

    The command line prints these as one line (`shadowline: error: ...`) and exits 1; anything
    else is a bug and keeps its traceback.
    """


class UsageError(ShadowlineError):
    """Arguments that cannot go together (an end date before the start): the command line
    exits 2, as for any other usage error."""


class WarehouseError(ShadowlineError):
    """A warehouse problem. `transient` marks what another attempt may fix (a file lock, a 503):
    flows retry only those."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def first_line(error: BaseException, limit: int = 500) -> str:
    """The first line of an error's message (its type's name when it has none), at most `limit`
    characters: frameworks put tracebacks and dumps in their messages."""
    text = getattr(error, "message", None) or str(error)
    lines = text.strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:limit]
