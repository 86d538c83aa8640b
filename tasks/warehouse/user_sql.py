"""SQL a person types (`shadowline query`): the seed's SELECTs, INSERT and UPDATEs run as they
are; what removes data needs saying so; nothing reaches outside shadowline's datasets (and those
of the team tables registered as feature sources).

Each statement is classified by sqlglot before anything runs, so a script with one refused
statement runs none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import sqlglot
from sqlglot import exp

from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.warehouse import Warehouse, WarehouseError, transpile

DATASETS = ("nba_raw", "nba_analytics", "nba_predictions")
_READ_OR_CHANGE_ROWS = (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Merge)
_TRANSACTION = (exp.Transaction, exp.Commit, exp.Rollback)
_SCHEMA_CHANGE = (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)


def _allowed(datasets: tuple[str, ...]) -> str:
    return (
        "shadowline query runs SELECT, INSERT, UPDATE, DELETE and MERGE on the datasets "
        f"{', '.join(datasets)} (and CREATE, ALTER, DROP or TRUNCATE with --allow-ddl)"
    )


class RefusedSQL(ShadowlineError):
    """A statement `shadowline query` does not run as given."""


@dataclass(frozen=True)
class Checked:
    sql: str
    changes_schema: bool  # CREATE, ALTER, DROP, TRUNCATE
    removes: str | None  # in words, what a schema change removes or replaces


def _tables(node: exp.Expression) -> list[exp.Table]:
    ctes = {cte.alias_or_name.lower() for cte in node.find_all(exp.CTE)}
    return [
        t
        for t in node.find_all(exp.Table)
        if not (not t.db and t.name.lower() in ctes)  # a WITH name, not a table
    ]


def _outside(table: exp.Table, datasets: tuple[str, ...]) -> str | None:
    """Why `table` is outside `datasets`, or None."""
    if not isinstance(table.this, exp.Identifier | type(None)):
        return f"{table.this.sql('bigquery')} reads outside the warehouse"
    parts = [p.lower() for p in (table.catalog, table.db) if p]
    if not parts:
        return f"{table.name} names no dataset (write e.g. nba_predictions.{table.name})"
    if not any(p in datasets for p in parts):
        return f"{table.sql('bigquery')} is not in {', '.join(datasets)}"
    return None


def _removes(statement: exp.Expression) -> str:
    targets = statement.args.get("tables") or [statement.this]  # DROP names its tables
    target = ", ".join(t.sql("bigquery") for t in targets if t is not None) or "?"
    kind = str(statement.args.get("kind") or "").lower()
    if isinstance(statement, exp.TruncateTable):
        names = ", ".join(t.sql("bigquery") for t in statement.expressions)
        return f"removes every row of {names}"
    if isinstance(statement, exp.Drop):
        if kind == "schema":
            return f"removes dataset {target} and every table and view in it"
        return f"removes {kind} {target} and its rows"
    if isinstance(statement, exp.Alter):
        return f"changes the columns of {target} (a dropped column loses its values)"
    if statement.args.get("replace"):
        return f"replaces {kind} {target} (its rows are lost)"
    return f"creates {kind} {target}"


def check_sql(sql: str, *, allow_ddl: bool = False, sources: Iterable[str] = ()) -> list[Checked]:
    """Each statement of `sql`, classified; RefusedSQL (before anything runs) for a statement
    outside what `shadowline query` runs. `sources`: the datasets of registered feature sources,
    which it may reach as well."""
    datasets = DATASETS + tuple(sorted({d.lower() for d in sources} - set(DATASETS)))
    checked = []
    for text in (s.sql for s in transpile(sql, "bigquery")):
        statement = sqlglot.parse_one(text, read="bigquery")
        short = " ".join(text.split())[:60]
        if isinstance(statement, _TRANSACTION):
            checked.append(Checked(text, False, None))
            continue
        if not isinstance(statement, _READ_OR_CHANGE_ROWS + _SCHEMA_CHANGE):
            raise RefusedSQL(f"not run: {short!r}: {_allowed(datasets)}")
        for table in _tables(statement):
            problem = _outside(table, datasets)
            if problem:
                raise RefusedSQL(f"not run: {problem}; {_allowed(datasets)}")
        if isinstance(statement, _SCHEMA_CHANGE):
            removes = _removes(statement)
            if not allow_ddl:
                raise RefusedSQL(
                    f"not run: {short!r} {removes}; add --allow-ddl to run it (shadowline "
                    "query runs SELECT, INSERT, UPDATE, DELETE and MERGE without it)"
                )
            checked.append(Checked(text, True, removes))
        else:
            checked.append(Checked(text, False, None))
    return checked


def run_sql(warehouse: Warehouse, sql: str) -> pa.Table | int:
    """Run checked SQL: the rows when its last statement is a query, else the number of rows
    its statements changed."""
    statements = transpile(sql, "bigquery")
    if not statements:
        raise WarehouseError("no SQL statement given")
    if statements[-1].is_query:
        return warehouse.query(sql)
    return warehouse.execute(sql)
