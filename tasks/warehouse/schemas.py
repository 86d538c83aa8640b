"""Each table's Arrow schema, read from its DDL in `sql/tables/`: a table is declared once."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pyarrow as pa

from shadowline.tasks.core.errors import WarehouseError
from shadowline.tasks.warehouse.sql import table_files

if TYPE_CHECKING:
    from sqlglot import exp


def _arrow_type(kind: exp.DataType, column: str) -> pa.DataType:
    from sqlglot import exp

    types = {
        exp.DataType.Type.TEXT: pa.string(),
        exp.DataType.Type.BIGINT: pa.int64(),
        exp.DataType.Type.DOUBLE: pa.float64(),
        exp.DataType.Type.BOOLEAN: pa.bool_(),
        exp.DataType.Type.DATE: pa.date32(),
        exp.DataType.Type.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),  # BigQuery TIMESTAMP
    }
    if kind.this == exp.DataType.Type.ARRAY:
        return pa.list_(_arrow_type(kind.expressions[0], column))
    if kind.this not in types:
        raise WarehouseError(f"column {column}: no Arrow type for {kind.sql('bigquery')}")
    return types[kind.this]


@cache
def _schemas() -> dict[str, pa.Schema]:
    import sqlglot  # here: most processes that import this module (scoring actors) never need it
    from sqlglot import exp

    schemas = {}
    for path in table_files():
        for statement in sqlglot.parse(path.read_text(), read="bigquery"):
            if not isinstance(statement, exp.Create) or statement.kind != "TABLE":
                continue
            table = statement.this.this.sql("bigquery")
            fields = [
                pa.field(
                    column.name,
                    _arrow_type(column.args["kind"], column.name),
                    nullable=not any(
                        isinstance(c.args["kind"], exp.NotNullColumnConstraint)
                        for c in column.args.get("constraints") or []
                    ),
                )
                for column in statement.this.expressions
                if isinstance(column, exp.ColumnDef)
            ]
            schemas[table] = pa.schema(fields)
    return schemas


def table_names() -> list[str]:
    """Every table declared in `sql/tables/`, as dataset.table."""
    return list(_schemas())


def arrow_schema(table: str) -> pa.Schema:
    """The columns of `table` as its DDL declares them (NOT NULL = not nullable)."""
    try:
        return _schemas()[table]
    except KeyError:
        raise WarehouseError(
            f"no table {table} in sql/tables/ (tables: {', '.join(_schemas())})"
        ) from None


def table_from_columns(table: str, columns: dict[str, pa.Array | list]) -> pa.Table:
    """Rows for `table` from named columns, in the DDL's order and types: columns left out are
    NULL (they must be nullable); a name the table does not have is an error."""
    schema = arrow_schema(table)
    unknown = set(columns) - set(schema.names)
    if unknown:
        raise WarehouseError(f"{table} has no column(s) {', '.join(sorted(unknown))}")
    length = len(next(iter(columns.values()))) if columns else 0
    arrays = []
    for field in schema:
        if field.name in columns:
            arrays.append(pa.array(columns[field.name], type=field.type)
                          if isinstance(columns[field.name], list)
                          else columns[field.name].cast(field.type))  # fmt: skip
        elif field.nullable:
            arrays.append(pa.nulls(length, field.type))
        else:
            raise WarehouseError(f"{table}: required column {field.name} not given")
    return pa.Table.from_arrays(arrays, schema=schema)
