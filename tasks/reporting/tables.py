"""Printing Arrow tables for people (aligned text that fits the screen) and programs (CSV,
JSON, Markdown: every column)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

import pyarrow as pa
from rich.box import Box

from shadowline.tasks.core.errors import UsageError

FORMATS = ("table", "csv", "json", "markdown")
# Columns shown as percentages in the text format.
_PERCENT_SUFFIXES = (
    "_rate", "bet_accuracy", "roi", "roi_at_odds", "break_even", "break_even_at_odds",
    "hit_low", "hit_high", "hit_rate_7", "hit_rate_14", "hit_14_lower", "hit_14_upper",
    "promised", "won",
)  # fmt: skip
# Scores whose differences live in the fourth decimal (a Brier score of 0.2497 against 0.2501).
_FINE = ("brier", "brier_diff", "diff_low", "diff_high", "log_loss", "ece")


def cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if name.endswith(_PERCENT_SUFFIXES):
            return f"{value:.1%}"
        return f"{value:,.4f}" if name in _FINE else f"{value:,.3f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


# The text tables' width by default: the columns a person decides on, at most this wide.
WIDTH = 100
# A header rule of dashes and no other lines: reads in any terminal, pastes into notes.
_RULE = Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)


@dataclass(frozen=True)
class Columns:
    """Which columns a text table shows: `default` (the ones a person decides on), every one
    (`wide`), or those `chosen`, in their order."""

    default: tuple[str, ...] = ()
    wide: bool = False
    chosen: tuple[str, ...] = ()

    @classmethod
    def parse(cls, default: Sequence[str], wide: bool, columns: str | None) -> Columns:
        chosen = tuple(c.strip() for c in (columns or "").split(",") if c.strip())
        if wide and chosen:
            raise UsageError("--wide shows every column; --columns chooses some: give one")
        return cls(tuple(default), wide, chosen)

    def pick(self, table: pa.Table) -> pa.Table:
        if self.wide:
            return table
        if self.chosen:
            unknown = [c for c in self.chosen if c not in table.column_names]
            if unknown:
                raise UsageError(
                    f"no column {', '.join(unknown)} in this table "
                    f"(its columns: {', '.join(table.column_names)})"
                )
            return table.select(list(self.chosen))
        shown = [c for c in self.default if c in table.column_names]
        return table.select(shown) if shown else table

    @property
    def width(self) -> int | None:
        """The default columns fit WIDTH (long text folded); every or chosen columns take the
        width they need."""
        return None if self.wide or self.chosen else WIDTH


def format_table(table: pa.Table, max_rows: int | None = None, width: int | None = None) -> str:
    """An aligned plain-text table (rich): numbers right-aligned; at most `width` characters
    wide, text cells folded to fit (None: as wide as the cells)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    names = table.column_names
    rows = table.to_pylist() if max_rows is None else table.slice(0, max_rows).to_pylist()
    cells = [[cell(n, row[n]) for n in names] for row in rows]
    grid = Table(box=_RULE, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), header_style="")
    for i, (name, type_) in enumerate(zip(names, table.schema.types, strict=True)):
        numeric = pa.types.is_integer(type_) or pa.types.is_floating(type_)
        numeric = numeric or pa.types.is_decimal(type_)
        # a number is never cut: only text folds (and a header over a narrow number)
        longest = max((len(r[i]) for r in cells), default=1) if numeric else None
        grid.add_column(
            Text(name), justify="right" if numeric else "left", min_width=longest, overflow="fold"
        )
    for row in cells:
        grid.add_row(*map(Text, row))
    out = io.StringIO()
    console = Console(
        file=out, width=width or 100_000, color_system=None, highlight=False, emoji=False
    )
    console.print(grid, crop=False)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    if max_rows is not None and table.num_rows > max_rows:
        lines.append(f"... {table.num_rows - max_rows:,} more rows")
    if not rows:
        lines.append("(no rows)")
    return "\n".join(lines)


def format_markdown(table: pa.Table) -> str:
    """A Markdown table (Prefect artifacts, notes), with the text format's cells."""
    names = table.column_names
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) for t in table.schema.types]
    out = [
        "| " + " | ".join(names) + " |",
        "|" + "|".join("---:" if num else "---" for num in numeric) + "|",
    ]
    for row in table.to_pylist():
        cells = (cell(n, row[n]).replace("|", "\\|") for n in names)
        out.append("| " + " | ".join(cells) + " |")
    if table.num_rows == 0:
        out.append("\n(no rows)")
    return "\n".join(out)


def print_table(
    table: pa.Table, fmt: str = "table", file: TextIO | None = None, columns: Columns | None = None
) -> None:
    """`table` in format `fmt`; the text format shows `columns` (default: every column, as
    wide as it is), the others every column."""
    file = file or sys.stdout
    if fmt == "csv":
        from pyarrow import csv

        buffer = io.BytesIO()
        csv.write_csv(table, buffer)
        file.write(buffer.getvalue().decode())
    elif fmt == "markdown":
        file.write(format_markdown(table) + "\n")
    elif fmt == "json":
        file.write(json.dumps(table.to_pylist(), default=str, indent=2) + "\n")
    else:
        view = columns or Columns(wide=True)
        file.write(format_table(view.pick(table), width=view.width) + "\n")
    file.flush()
