"""The SQL files in `sql/`: every statement shadowline runs is one of them.

A file may hold `{{ name }}` placeholders for what a query parameter cannot be: a table or column
name (an identifier), a list of column names, a condition made of identifiers, or another file of
`sql/` (`{{ sql:features/x }}`, so a query is defined once and reused). Values are never
templated: they are `@parameters`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from shadowline.tasks.core.errors import WarehouseError

# Installed, sql/ sits beside tasks/ in the shadowline package; in a checkout, at its root.
SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_PLACEHOLDER = re.compile(r"\{\{\s*(sql:)?([A-Za-z0-9_/.]+)\s*\}\}")


def identifier(name: str) -> str:
    """`name` if it is a plain (dataset.)table or column name; identifiers cannot be parameters."""
    if not _IDENTIFIER.match(name):
        raise WarehouseError(f"{name!r} is not a valid table or column name")
    return name


@cache
def _file(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise WarehouseError(f"no SQL file sql/{name}.sql (shadowline is installed incompletely)")
    return path.read_text()


def sql_text(
    name: str, *, conditions: Mapping[str, str] | None = None, **identifiers: str | Sequence[str]
) -> str:
    """The text of `sql/<name>.sql` with its placeholders filled: `identifiers` by name (a
    string, or a sequence joined with commas), `conditions` (built by `key_match`) as given,
    `{{ sql:other }}` by that file's text."""
    conditions = conditions or {}

    def fill(match: re.Match[str]) -> str:
        is_file, key = match.groups()
        if is_file:
            return sql_text(key, conditions=conditions, **identifiers).strip().rstrip(";")
        if key in conditions:
            return conditions[key]
        if key not in identifiers:
            raise WarehouseError(f"sql/{name}.sql: no value given for {{{{ {key} }}}}")
        value = identifiers[key]
        names = [value] if isinstance(value, str) else list(value)
        return ", ".join(identifier(n) for n in names)

    return _PLACEHOLDER.sub(fill, _file(name))


def key_match(left: str, right: str, columns: Sequence[str]) -> str:
    """`left.k = right.k and ...` for the key columns: the join condition of a keyed write."""
    return " and ".join(
        f"{identifier(left)}.{identifier(c)} = {identifier(right)}.{identifier(c)}" for c in columns
    )


def table_files() -> list[Path]:
    """The DDL files, one table each, in the order they are applied."""
    return sorted((SQL_DIR / "tables").glob("*.sql"))


def view_files() -> list[Path]:
    """The view files, in dependency order (numbered)."""
    return sorted((SQL_DIR / "views").glob("*.sql"))


def migration_files() -> list[Path]:
    """What adds to an existing table (new columns), in order: each a no-op when done."""
    return sorted((SQL_DIR / "migrations").glob("*.sql"))


def schema_files() -> list[Path]:
    """The DDL, the migrations, then the views: what brings a warehouse up to date, in order."""
    return [*table_files(), *migration_files(), *view_files()]
