"""One warehouse interface: run BigQuery SQL, read results as Arrow, write Arrow idempotently.

Every statement is BigQuery GoogleSQL (the files in `sql/`); the embedded DuckDB backend runs the
same text transpiled by sqlglot. Values always travel as query parameters (`@name`).
"""

from __future__ import annotations

import re
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
DATASETS = ("nba_raw", "nba_analytics", "nba_predictions")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_DML = (exp.Insert, exp.Update, exp.Delete, exp.Merge)


class WarehouseError(RuntimeError):
    """A warehouse problem, worded for the person who has to fix it.

    `transient` marks what another attempt may fix (a file lock, a 503): flows retry only those.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


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


def sql_text(name: str) -> str:
    """The text of `sql/<name>.sql`, e.g. `sql_text("grading/grade_predictions")`."""
    return (SQL_DIR / f"{name}.sql").read_text()


def identifier(name: str) -> str:
    """`name` if it is a plain (dataset.)table or column name; identifiers cannot be parameters."""
    if not _IDENTIFIER.match(name):
        raise WarehouseError(f"{name!r} is not a valid table or column name")
    return name


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[str, ...]
    is_dml: bool
    is_query: bool


def _split(sql: str) -> list[str]:
    """The statements of a BigQuery script as their original text (comments included)."""
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
    `dialect`; for "bigquery" each statement keeps its original text."""
    try:
        texts = _split(sql)
        expressions = [sqlglot.parse_one(text, read="bigquery") for text in texts]
    except sqlglot.errors.SqlglotError as error:
        first = str(error).splitlines()[0]
        raise WarehouseError(f"could not parse the SQL: {first}") from None
    statements = []
    for text, expression in zip(texts, expressions, strict=True):
        if dialect == "duckdb":
            expression = expression.transform(_bigquery_semantics_for_duckdb)
        names = tuple(sorted({p.name for p in expression.find_all(exp.Parameter)}))
        statements.append(
            Statement(
                sql=text.strip() if dialect == "bigquery" else expression.sql(dialect=dialect),
                params=names,
                is_dml=isinstance(expression, _DML),
                is_query=isinstance(expression, exp.Query),
            )
        )
    return tuple(statements)


def _bigquery_semantics_for_duckdb(node: exp.Expression) -> exp.Expression:
    """Rewrite what sqlglot renders with other semantics on DuckDB."""
    if isinstance(node, exp.CountIf):
        # DuckDB's count_if is a HUGEINT that is NULL over no rows; BigQuery's COUNTIF is an
        # INT64 that is 0. COUNT(*) FILTER (WHERE ...) behaves like BigQuery's.
        return exp.Filter(
            this=exp.Count(this=exp.Star()), expression=exp.Where(this=node.this.copy())
        )
    return node


class Warehouse(ABC):
    """Run a statement, read a result as a `pyarrow.Table`, write a `pyarrow.Table`."""

    url: str

    def __init__(self) -> None:
        self._schema_ready = False

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a BigQuery script; the rows of its last statement (empty for DML)."""

    @abstractmethod
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        """Run a BigQuery script; the number of rows its DML statements changed."""

    @abstractmethod
    def table_schema(self, table: str) -> pa.Schema:
        """The columns of `table` as an Arrow schema (nullability included)."""

    @abstractmethod
    def _staged(self, rows: pa.Table) -> AbstractContextManager[str]:
        """Make `rows` readable by SQL under a temporary name for the duration of the block."""

    def close(self) -> None:  # noqa: B027  (backends without resources need not override)
        """Release connections."""

    def write(self, table: str, rows: pa.Table, replace_by: Sequence[str] = ()) -> int:
        """Insert `rows` into `table` in one transaction, first deleting the rows whose
        `replace_by` key equals a key in `rows`, so writing the same rows twice changes nothing."""
        if rows.num_rows == 0:
            return 0
        target = identifier(table)
        columns = ", ".join(identifier(c) for c in rows.column_names)
        params = {}
        with self._staged(rows) as staging:
            script = ["begin transaction;"]
            if replace_by:
                match = " and ".join(f"s.{identifier(k)} = t.{k}" for k in replace_by)
                prune = ""
                if "game_date" in replace_by:  # a constant filter prunes BigQuery partitions
                    prune = "t.game_date in unnest(@partition_dates) and "
                    params["partition_dates"] = sorted(set(rows["game_date"].to_pylist()))
                script.append(
                    f"delete from {target} as t where {prune}exists "
                    f"(select 1 from {staging} as s where {match});"
                )
            script.append(f"insert into {target} ({columns}) select {columns} from {staging};")
            script.append("commit transaction;")
            self.execute("\n".join(script), params)
        return rows.num_rows

    def ensure_schema(self) -> None:
        """Create the datasets, tables and views if missing (idempotent; once per process)."""
        if self._schema_ready:
            return
        for dataset in DATASETS:
            self.execute(f"create schema if not exists {dataset}")
        for kind in ("tables", "views"):
            for path in sorted((SQL_DIR / kind).glob("*.sql")):
                self.execute(path.read_text())
        self._schema_ready = True


class DuckDBWarehouse(Warehouse):
    """The embedded default: a DuckDB file; datasets are schemas."""

    def __init__(self, path: str) -> None:

        super().__init__()
        self.path = path
        self.url = f"duckdb:///{path}"
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Prefect may call tasks from worker threads; one connection, one statement at a time.
        self._lock = threading.RLock()
        self._handle: Any = None
        self._connection()

    def _connection(self) -> Any:
        """The open connection; (re)opened on first use after `close()`."""
        import duckdb

        with self._lock:
            if self._handle is None:
                try:
                    self._handle = duckdb.connect(self.path)
                except duckdb.IOException as error:
                    raise WarehouseError(
                        f"cannot open the warehouse file {self.path}: "
                        f"{str(error).splitlines()[0]} (another shadowline may be using it: "
                        "wait for it to finish, or set SHADOWLINE_WAREHOUSE to another file)",
                        transient=True,
                    ) from None
                self._handle.execute("set TimeZone = 'UTC'")
            return self._handle

    @property
    def _con(self) -> Any:
        return self._connection()

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> tuple[pa.Table, int]:
        import duckdb

        params = params or {}
        last = pa.table({})
        changed = 0
        with self._lock:
            try:
                for statement in transpile(sql, "duckdb"):
                    missing = [p for p in statement.params if p not in params]
                    if missing:
                        raise WarehouseError(f"query parameter(s) not given: {', '.join(missing)}")
                    bound = {p: params[p] for p in statement.params}
                    if statement.is_dml:
                        changed += int(self._con.execute(statement.sql, bound).fetchall()[0][0])
                        continue
                    relation = self._con.sql(statement.sql, params=bound or None)
                    if relation is not None:  # statements that return rows
                        last = relation.to_arrow_table()
            except duckdb.Error as error:
                self._rollback()
                raise WarehouseError(str(error).splitlines()[0]) from error
            except BaseException:
                self._rollback()
                raise
        return last, changed

    def _rollback(self) -> None:
        import duckdb

        if self._handle is None:
            return  # never opened: nothing to roll back
        try:
            self._handle.execute("rollback")
        except duckdb.Error:
            pass  # no transaction was open

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        return self._run(sql, params)[0]

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> int:
        return self._run(sql, params)[1]

    def table_schema(self, table: str) -> pa.Schema:
        dataset, _, name = identifier(table).rpartition(".")
        with self._lock:
            schema = self._con.sql(f"select * from {table} limit 0").to_arrow_table().schema
            nullable = dict(
                self._con.execute(
                    "select column_name, is_nullable = 'YES' from information_schema.columns "
                    "where table_schema = $dataset and table_name = $name",
                    {"dataset": dataset or "main", "name": name},
                ).fetchall()
            )
        return pa.schema([f.with_nullable(nullable.get(f.name, True)) for f in schema])

    @contextmanager
    def _staged(self, rows: pa.Table) -> Iterator[str]:
        name = f"_staging_{uuid.uuid4().hex}"
        with self._lock:
            self._con.register(name, rows)
            try:
                yield name
            finally:
                self._con.unregister(name)

    def close(self) -> None:
        """Close the connection, freeing the file for other processes; the next use reopens
        it (an in-memory database is kept: closing would lose it)."""
        with self._lock:
            if self._handle is not None and self.path != ":memory:":
                self._handle.close()
                self._handle = None


_open: dict[str, Warehouse] = {}


def open_warehouse(url: str) -> Warehouse:
    """The warehouse at `url` (one connection per process), with its datasets, tables and views."""
    if url not in _open:
        if url.startswith("duckdb:///"):
            warehouse: Warehouse = DuckDBWarehouse(url.removeprefix("duckdb:///"))
        elif url.startswith("bigquery://"):
            from tasks.bigquery import BigQueryWarehouse

            warehouse = BigQueryWarehouse(url)
        else:
            raise WarehouseError(
                f"unknown warehouse {url!r}: use duckdb:///path.duckdb or bigquery://PROJECT "
                "(SHADOWLINE_WAREHOUSE or --warehouse)"
            )
        _open[url] = warehouse
    warehouse = _open[url]
    warehouse.ensure_schema()
    return warehouse


def close_all() -> None:
    """Close every warehouse this process opened (a DuckDB file is then free for others)."""
    while _open:
        _open.popitem()[1].close()
