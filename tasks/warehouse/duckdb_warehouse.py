"""The embedded default: a DuckDB file running the BigQuery SQL transpiled by sqlglot."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from shadowline.tasks.core.errors import WarehouseError, first_line
from shadowline.tasks.warehouse.base import Warehouse, bound, transpile
from shadowline.tasks.warehouse.sql import identifier, sql_text


class DuckDBWarehouse(Warehouse):
    """duckdb:///path.duckdb: datasets are schemas of one file."""

    def __init__(self, path: str, *, external_access: bool = True) -> None:
        super().__init__()
        self.path = path
        self.external_access = external_access
        self.url = f"duckdb:///{path}"
        # Prefect may call tasks from worker threads; one connection, one statement at a time.
        self._lock = threading.RLock()
        self._handle: Any = None

    def _connection(self) -> Any:
        """The open connection, opened on first use (and again after `close()`)."""
        import duckdb

        with self._lock:
            if self._handle is None:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                try:
                    # Background threads hand memory a statement freed back to the system
                    # within a second; without them the process keeps a feature build's peak
                    # (~150 MB) to its end, beside the scoring actors.
                    config: dict[str, Any] = {"allocator_background_threads": True}
                    if not self.external_access:
                        config["enable_external_access"] = False
                    handle = duckdb.connect(self.path, config=config)
                    for statement in transpile(sql_text("warehouse/utc_session"), "duckdb"):
                        handle.execute(statement.sql)
                except duckdb.Error as error:
                    raise self._open_error(error) from None
                self._handle = handle
            return self._handle

    def _open_error(self, error: Exception) -> WarehouseError:
        """Why the file would not open, told apart: only a lock held by another process is
        worth waiting for (transient); the rest need a person, and say what to do."""
        path, said = Path(self.path), first_line(error)
        text = said.lower()
        if re.search(r"\block\b", text):  # "Could not set lock on file" (not "block")
            return WarehouseError(
                f"cannot open the warehouse file {path}: {said} (another shadowline may be "
                "using it: wait for it to finish, or set SHADOWLINE_WAREHOUSE to another file)",
                transient=True,
            )
        if any(s in text for s in ("permission denied", "not permitted", "read-only")):
            return WarehouseError(
                f"the warehouse file {path} cannot be written ({said}): make it writable "
                f"(chmod u+w {path}), or set SHADOWLINE_WAREHOUSE to a copy you can write"
            )
        if "not a valid duckdb database" in text:
            size = path.stat().st_size if path.is_file() else 0
            what = "an empty file" if size == 0 else f"not a DuckDB database ({size:,} bytes)"
            return WarehouseError(
                f"the warehouse file {path} is {what}: move it away (shadowline then creates a "
                "new warehouse there) or set SHADOWLINE_WAREHOUSE to your .duckdb file"
            )
        return WarehouseError(
            f"the warehouse file {path} is damaged ({said}): restore it from a copy, or move it "
            "away and rebuild it (`shadowline demo`, or load your feeds again)"
        )

    def _run(self, sql: str, params: Mapping[str, Any]) -> tuple[pa.Table, int]:
        import duckdb

        last = pa.table({})
        changed = 0
        with self._lock:
            con = self._connection()
            try:
                for statement in transpile(sql, "duckdb"):
                    values = bound(params, statement)
                    if statement.is_dml:
                        changed += int(con.execute(statement.sql, values).fetchall()[0][0])
                        continue
                    relation = con.sql(statement.sql, params=values or None)
                    if relation is not None:  # statements that return rows
                        last = relation.to_arrow_table()
            except duckdb.Error as error:
                self._rollback(con)
                raise WarehouseError(first_line(error)) from error
            except BaseException:
                self._rollback(con)
                raise
        return last, changed

    @staticmethod
    def _rollback(con: Any) -> None:
        import duckdb

        try:
            con.rollback()
        except duckdb.Error:
            pass  # no transaction was open

    def _table_schema(self, table: str) -> pa.Schema:
        dataset, _, name = identifier(table).rpartition(".")
        schema = self._run(sql_text("warehouse/empty_select", table=table), {})[0].schema
        catalog = self._run(
            sql_text("warehouse/column_nullability"), {"dataset": dataset or "main", "name": name}
        )[0]
        names, flags = catalog["column_name"].to_pylist(), catalog["nullable"].to_pylist()
        nullable = dict(zip(names, flags, strict=True))
        return pa.schema([f.with_nullable(nullable.get(f.name, True)) for f in schema])

    @contextmanager
    def _staged(self, rows: pa.Table) -> Iterator[str]:
        name = f"_staging_{uuid.uuid4().hex}"
        with self._lock:
            con = self._connection()
            con.register(name, rows)
            try:
                yield name
            finally:
                con.unregister(name)

    def close(self) -> None:
        """Close the connection, freeing the file for other processes."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
