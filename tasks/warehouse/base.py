"""One warehouse interface: run BigQuery SQL, read results as Arrow, write Arrow idempotently.

Every statement is BigQuery GoogleSQL (the files in `sql/`); the embedded DuckDB backend runs the
same text transpiled by sqlglot. Values always travel as query parameters (`@name`).
"""

from __future__ import annotations

import hashlib
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa

from shadowline.tasks.core.errors import WarehouseError, first_line
from shadowline.tasks.warehouse.sql import identifier, key_match, schema_files, sql_text

if TYPE_CHECKING:
    from sqlglot import exp


def is_transient(error: BaseException) -> bool:
    """Whether retrying the step that raised `error` may succeed: lost connections, timeouts,
    rate limits and server errors, and warehouse errors marked so. Everything else (bad SQL, a
    missing table, a corrupt model file) fails the same way every time."""
    if isinstance(error, WarehouseError):
        return error.transient
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    try:
        from google.api_core import exceptions as google
        from requests import exceptions as requests
    except ImportError:  # pragma: no cover - both ship with google-cloud-bigquery
        return False
    return isinstance(
        error,
        google.TooManyRequests
        | google.InternalServerError
        | google.BadGateway
        | google.ServiceUnavailable
        | google.GatewayTimeout
        | requests.ConnectionError
        | requests.Timeout,
    )


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[str, ...]
    is_dml: bool
    is_query: bool
    transaction: str | None = None  # "begin", "commit" or "rollback": transaction control


def _split(sql: str) -> list[str]:
    """The statements of a BigQuery script as their original text (comments included)."""
    import sqlglot

    tokens = sqlglot.Dialect.get_or_raise("bigquery").tokenize(sql)
    cuts = [t.end for t in tokens if t.token_type == sqlglot.TokenType.SEMICOLON]
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(sql[start:cut])
        start = cut + 1
    pieces.append(sql[start:])
    return [piece for piece in pieces if sqlglot.parse(piece, read="bigquery") != [None]]


@lru_cache(maxsize=512)
def transpile(sql: str, dialect: str) -> tuple[Statement, ...]:
    """Split a BigQuery script into statements with their parameters, each rendered for
    `dialect`; for "bigquery" each statement keeps its original text.

    Parsing is most of a short command's SQL time, and the SQL only changes with shadowline or
    sqlglot, so results are also kept on disk (one small file per script, keyed by the text,
    the dialect, sqlglot's version and this file's code)."""
    path = _cache_file(sql, dialect)
    try:
        return tuple(Statement(**{**s, "params": tuple(s["params"])}) for s in _read(path))
    except (OSError, ValueError, TypeError, KeyError):
        pass  # not cached yet, or unreadable: transpile
    statements = _transpile(sql, dialect)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        written = path.with_suffix(f".{os.getpid()}.tmp")
        written.write_text(json.dumps([asdict(s) for s in statements]))
        os.replace(written, path)
    except OSError:
        pass  # a read-only home: no cache, same result
    return statements


@lru_cache(maxsize=1)
def _cache_key() -> str:
    code = Path(__file__).read_bytes()
    return hashlib.sha256(code + version("sqlglot").encode()).hexdigest()[:16]


def _cache_file(sql: str, dialect: str) -> Path:
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    digest = hashlib.sha256(f"{_cache_key()}\0{dialect}\0{sql}".encode()).hexdigest()
    return Path(home) / "shadowline" / "sql" / f"{digest[:32]}.json"


def _read(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text())


def _transpile(sql: str, dialect: str) -> tuple[Statement, ...]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel

    dml = (exp.Insert, exp.Update, exp.Delete, exp.Merge)
    transaction = {exp.Transaction: "begin", exp.Commit: "commit", exp.Rollback: "rollback"}
    try:
        texts = _split(sql)
        expressions = [sqlglot.parse_one(text, read="bigquery") for text in texts]
    except sqlglot.errors.SqlglotError as error:
        raise WarehouseError(f"could not parse the SQL: {first_line(error)}") from None
    statements = []
    for text, expression in zip(texts, expressions, strict=True):
        if dialect == "duckdb":
            expression = expression.transform(_bigquery_semantics_for_duckdb)
        names = tuple(sorted({p.name for p in expression.find_all(exp.Parameter)}))
        statements.append(
            Statement(
                # BigQuery-only table options (PARTITION BY, OPTIONS) have no DuckDB meaning
                sql=text.strip()
                if dialect == "bigquery"
                else expression.sql(dialect=dialect, unsupported_level=ErrorLevel.IGNORE),
                params=names,
                is_dml=isinstance(expression, dml),
                is_query=isinstance(expression, exp.Query),
                transaction=transaction.get(type(expression)),
            )
        )
    return tuple(statements)


def _bigquery_semantics_for_duckdb(node: exp.Expression) -> exp.Expression:
    """Rewrite what sqlglot renders with other semantics on DuckDB."""
    from sqlglot import exp

    if isinstance(node, exp.CountIf):
        # DuckDB's count_if is a HUGEINT that is NULL over no rows; BigQuery's COUNTIF is an
        # INT64 that is 0. COUNT(*) FILTER (WHERE ...) behaves like BigQuery's.
        return exp.Filter(
            this=exp.Count(this=exp.Star()), expression=exp.Where(this=node.this.copy())
        )
    return node


def bound(params: Mapping[str, Any], statement: Statement) -> dict[str, Any]:
    """The parameters `statement` uses, or an error naming the ones not given."""
    missing = [p for p in statement.params if p not in params]
    if missing:
        raise WarehouseError(f"query parameter(s) not given: {', '.join(missing)}")
    return {p: params[p] for p in statement.params}


class Warehouse(ABC):
    """Run a statement, read a result as a `pyarrow.Table`, write a `pyarrow.Table`.

    Opened with `open_warehouse(url)` and closed by its owner (`with open_warehouse(url) as w:`).
    Nothing connects until the first statement, which also creates the datasets, tables and
    views if missing: a flow's first task then meets a busy warehouse, and retries.
    """

    url: str

    def __init__(self) -> None:
        self._schema_ready = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def _run(self, sql: str, params: Mapping[str, Any]) -> tuple[pa.Table, int]:
        """Run a BigQuery script: the rows of its last query and the rows its DML changed."""

    @abstractmethod
    def _table_schema(self, table: str) -> pa.Schema:
        """The columns of `table` as an Arrow schema (nullability included)."""

    @abstractmethod
    def _staged(self, rows: pa.Table) -> AbstractContextManager[str]:
        """Make `rows` readable by SQL under a temporary name for the duration of the block."""

    def close(self) -> None:  # noqa: B027  (backends without resources need not override)
        """Release connections; the next statement opens them again."""

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a BigQuery script; the rows of its last statement (empty for DML)."""
        self.ensure_schema()
        return self._run(sql, params or {})[0]

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a BigQuery script; the number of rows its DML statements changed."""
        self.ensure_schema()
        return self._run(sql, params or {})[1]

    def table_schema(self, table: str) -> pa.Schema:
        """The columns of `table` in this warehouse, as an Arrow schema."""
        self.ensure_schema()
        return self._table_schema(table)

    def write(self, table: str, rows: pa.Table, replace_by: Sequence[str] = ()) -> int:
        """Insert `rows` into `table` in one transaction, first deleting the rows whose
        `replace_by` key equals a key in `rows`, so writing the same rows twice changes nothing."""
        if rows.num_rows == 0:
            return 0
        self.ensure_schema()
        params: dict[str, Any] = {}
        if not replace_by:
            name = "warehouse/insert_rows"
        elif "game_date" in replace_by:
            name = "warehouse/replace_rows_in_dates"
            params["partition_dates"] = sorted(set(rows["game_date"].to_pylist()))
        else:
            name = "warehouse/replace_rows"
        with self._staged(rows) as staging:
            script = sql_text(
                name,
                conditions={"key_match": key_match("s", "t", replace_by)},
                target=table,
                staging=staging,
                columns=rows.column_names,
            )
            self._run(script, params)
        return rows.num_rows

    def update(self, table: str, rows: pa.Table, key: Sequence[str]) -> int:
        """Set the columns of `rows` other than `key` on the rows of `table` whose `key` equals
        a key in `rows`, in one statement; the rows it changed."""
        if rows.num_rows == 0:
            return 0
        self.ensure_schema()
        values = [c for c in rows.column_names if c not in key]
        match, params = key_match("s", "t", key), {}
        if "game_date" in key:  # a constant list of dates: BigQuery reads only those partitions
            match += " and t.game_date in unnest(@partition_dates)"
            params["partition_dates"] = sorted(set(rows["game_date"].to_pylist()))
        conditions = {
            "key_match": match,
            "changed": " or ".join(
                f"t.{identifier(c)} is distinct from s.{identifier(c)}" for c in values
            ),  # fmt: skip
            "assignments": ", ".join(f"{identifier(c)} = s.{identifier(c)}" for c in values),
        }
        with self._staged(rows) as staging:
            script = sql_text("warehouse/update_rows", conditions=conditions, target=table,
                              staging=staging)  # fmt: skip
            return self._run(script, params)[1]

    def ensure_schema(self, *, force: bool = False) -> None:
        """Create or update the datasets, tables and views when they are not those of this
        version of shadowline (once per object). A warehouse already up to date costs one
        read; `force` applies everything again (`shadowline init`)."""
        if self._schema_ready and not force:
            return
        self._schema_ready = True  # the statements below run through _run, not back here
        try:
            ddl = [sql_text("warehouse/datasets")] + [p.read_text() for p in schema_files()]
            fingerprint = hashlib.sha256("\n".join(ddl).encode()).hexdigest()[:16]
            if not force and self._current_fingerprint() == fingerprint:
                return
            for statement in ddl:
                self._run(statement, {})
            self._run(sql_text("warehouse/record_schema_fingerprint"), {"fingerprint": fingerprint})
        except BaseException:
            self._schema_ready = False
            raise

    def _current_fingerprint(self) -> str | None:
        try:
            found = self._run(sql_text("warehouse/schema_fingerprint"), {})[0]
        except WarehouseError as error:
            if error.transient:
                raise
            return None  # a new warehouse: no such table yet
        return found["fingerprint"][0].as_py() if found.num_rows else None
