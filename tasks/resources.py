"""What a flow run holds while it runs (the warehouse, the scoring actors) and who owns it.

A flow run called on its own opens both and closes them when it ends: the DuckDB file is free
and the actors are stopped before the run reports its final state (with SHADOWLINE_KEEP_ACTORS
they stay loaded on the cluster instead). A run inside an owner (the command line, each day of
the demo, a test module) uses the owner's instead, so a model is loaded once for them all.
Prefect passes a flow only parameters it can serialize for its API and UI, never live objects,
so an owner lends them through context variables for the duration of its `with lend(...)`
block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from shadowline.tasks.core.settings import Settings
from shadowline.tasks.scoring.pool import ScorerPool
from shadowline.tasks.warehouse import Warehouse, open_warehouse

_warehouse: ContextVar[Warehouse | None] = ContextVar("shadowline_warehouse", default=None)
_scorers: ContextVar[ScorerPool | None] = ContextVar("shadowline_scorers", default=None)


@contextmanager
def lend(
    *, warehouse: Warehouse | None = None, scorers: ScorerPool | None = None
) -> Iterator[None]:
    """Flow runs inside this block use `warehouse` (for its URL) and `scorers`; the owner
    keeps them open, and closes them after the block."""
    tokens = [
        (variable, variable.set(value))
        for variable, value in ((_warehouse, warehouse), (_scorers, scorers))
        if value is not None
    ]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)  # type: ignore[attr-defined]


@contextmanager
def warehouse_for_run(url: str) -> Iterator[Warehouse]:
    """The lent warehouse when it is at `url`, else one opened here and closed at the end."""
    lent = _warehouse.get()
    if lent is not None and lent.url == url:
        yield lent
        return
    with open_warehouse(url) as warehouse:
        yield warehouse


@contextmanager
def scorers_for_run(settings: Settings) -> Iterator[ScorerPool]:
    """The lent scoring actors, else a pool started here (on first use) and stopped at the end."""
    lent = _scorers.get()
    if lent is not None:
        yield lent
        return
    with ScorerPool.from_settings(settings) as pool:
        yield pool
