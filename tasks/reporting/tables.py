"""Printing Arrow tables for people (aligned text) and programs (CSV, JSON)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from typing import TextIO

import pyarrow as pa

FORMATS = ("table", "csv", "json", "markdown")
# Columns shown as percentages in the text format.
_PERCENT_SUFFIXES = ("_rate", "bet_accuracy", "roi", "roi_at_odds", "break_even_at_odds")


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if name.endswith(_PERCENT_SUFFIXES):
            return f"{value:.1%}"
        return f"{value:,.3f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def format_table(table: pa.Table, max_rows: int | None = None) -> str:
    """An aligned plain-text table: numbers right-aligned, no wrapping."""
    names = table.column_names
    rows = table.to_pylist() if max_rows is None else table.slice(0, max_rows).to_pylist()
    cells = [[_cell(n, row[n]) for n in names] for row in rows]
    numeric = [
        pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
        for t in table.schema.types
    ]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(names), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    if max_rows is not None and table.num_rows > max_rows:
        out.append(f"... {table.num_rows - max_rows:,} more rows")
    if not rows:
        out.append("(no rows)")
    return "\n".join(out)


def format_markdown(table: pa.Table) -> str:
    """A Markdown table (Prefect artifacts, notes), with the text format's cells."""
    names = table.column_names
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) for t in table.schema.types]
    out = [
        "| " + " | ".join(names) + " |",
        "|" + "|".join("---:" if num else "---" for num in numeric) + "|",
    ]
    for row in table.to_pylist():
        cells = (_cell(n, row[n]).replace("|", "\\|") for n in names)
        out.append("| " + " | ".join(cells) + " |")
    if table.num_rows == 0:
        out.append("\n(no rows)")
    return "\n".join(out)


def print_table(table: pa.Table, fmt: str = "table", file: TextIO | None = None) -> None:
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
        file.write(format_table(table) + "\n")
    file.flush()
