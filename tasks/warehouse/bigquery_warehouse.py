"""The BigQuery warehouse: the same interface, over google-cloud-bigquery.

Statements run as written (no transpiling). A script of several statements runs statement by
statement inside one BigQuery session transaction, each with the parameters it uses, and is
rolled back on any failure. Writes load Arrow into a staging table (a load job, never
streaming inserts), then replace rows in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from shadowline.tasks.core.errors import WarehouseError, first_line
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.warehouse.base import Warehouse, bound, is_transient, transpile
from shadowline.tasks.warehouse.sql import identifier, sql_text

STAGING_DATASET = "nba_predictions"
_SCALAR_TYPES: list[tuple[type, str]] = [
    (bool, "BOOL"),  # before int: bool is an int in Python
    (int, "INT64"),
    (float, "FLOAT64"),
    (str, "STRING"),
    (dt.datetime, "TIMESTAMP"),  # before date: a datetime is a date in Python
    (dt.date, "DATE"),
]


def query_parameter(name: str, value: Any) -> Any:
    """A typed BigQuery query parameter for a Python value (None is a NULL STRING)."""
    from google.cloud import bigquery

    if isinstance(value, list | tuple):
        items = [v for v in value if v is not None]
        kind = _scalar_type(items[0]) if items else "STRING"
        return bigquery.ArrayQueryParameter(name, kind, list(value))
    if value is None:
        return bigquery.ScalarQueryParameter(name, "STRING", None)
    return bigquery.ScalarQueryParameter(name, _scalar_type(value), value)


def _scalar_type(value: Any) -> str:
    for python_type, bigquery_type in _SCALAR_TYPES:
        if isinstance(value, python_type):
            return bigquery_type
    raise WarehouseError(f"cannot pass a {type(value).__name__} as a query parameter")


def job_labels() -> dict[str, str]:
    """Labels on every job: the app, and the Prefect flow run it belongs to (if any)."""
    labels = {"app": "shadowline"}
    try:
        from prefect.runtime import flow_run

        if flow_run.id:
            labels["flow_run_id"] = str(flow_run.id)
    except ImportError:
        pass
    return labels


def _credentials(settings: Settings) -> Any:
    if settings.bigquery_endpoint:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    if settings.gcp_credentials_block:
        from prefect_gcp import GcpCredentials

        block = GcpCredentials.load(settings.gcp_credentials_block)
        return block.get_credentials_from_service_account()
    return None  # application default credentials


class BigQueryWarehouse(Warehouse):
    """bigquery://PROJECT: datasets nba_raw, nba_analytics and nba_predictions in PROJECT."""

    def __init__(self, url: str, settings: Settings | None = None) -> None:
        from google.api_core.client_options import ClientOptions
        from google.cloud import bigquery

        super().__init__()
        self.url = url
        self.project = url.removeprefix("bigquery://").strip("/")
        if not self.project:
            raise WarehouseError(f"warehouse {url}: name the project, e.g. bigquery://my-project")
        self.settings = settings or Settings()
        options = (
            ClientOptions(api_endpoint=self.settings.bigquery_endpoint)
            if self.settings.bigquery_endpoint
            else None
        )
        self.client = bigquery.Client(
            project=self.project,
            credentials=_credentials(self.settings),
            location=self.settings.bigquery_location,
            client_options=options,
        )

    # -- running statements ------------------------------------------------------------------

    def _config(self, values: Mapping[str, Any], **extra: Any) -> Any:
        from google.cloud import bigquery

        return bigquery.QueryJobConfig(
            query_parameters=[query_parameter(n, v) for n, v in values.items()],
            maximum_bytes_billed=self.settings.max_bytes_billed,
            labels=job_labels(),
            **extra,
        )

    def _job(self, sql: str, config: Any) -> Any:
        from google.api_core.exceptions import GoogleAPICallError

        try:
            job = self.client.query(sql, job_config=config)
            job.result()
        except GoogleAPICallError as error:
            raise WarehouseError(first_line(error), transient=is_transient(error)) from error
        return job

    def _to_arrow(self, job: Any) -> pa.Table:
        rows = job.result()
        if self.settings.bigquery_endpoint:  # the Storage API lives at Google, not the endpoint
            return rows.to_arrow(create_bqstorage_client=False)
        try:
            return rows.to_arrow()
        except Exception:  # Storage API unreachable or not permitted: page through REST
            return job.result().to_arrow(create_bqstorage_client=False)

    def _run(self, sql: str, params: Mapping[str, Any]) -> tuple[pa.Table, int]:
        statements = transpile(sql, "bigquery")
        if len(statements) == 1:
            job = self._job(statements[0].sql, self._config(bound(params, statements[0])))
            return self._to_arrow(job), int(job.num_dml_affected_rows or 0)
        return self._run_script(statements, params)

    def _run_script(self, statements: Any, params: Mapping[str, Any]) -> tuple[pa.Table, int]:
        from google.cloud import bigquery

        session: list[Any] = []
        last, changed = pa.table({}), 0

        def config(values: Mapping[str, Any]) -> Any:
            if not session:
                return self._config(values, create_session=True)
            return self._config(values, connection_properties=session)

        in_transaction = False
        try:
            for statement in statements:
                job = self._job(statement.sql, config(bound(params, statement)))
                if not session and job.session_info:
                    session.append(
                        bigquery.ConnectionProperty("session_id", job.session_info.session_id)
                    )
                if statement.transaction:
                    in_transaction = statement.transaction == "begin"
                changed += int(job.num_dml_affected_rows or 0)
                if statement.is_query:
                    last = self._to_arrow(job)
        except BaseException:
            if in_transaction and session:
                rollback = sql_text("warehouse/rollback_transaction")
                self.client.query(rollback, job_config=config({})).result()  # nothing stays
            raise
        return last, changed

    def _table_schema(self, table: str) -> pa.Schema:
        from google.api_core.exceptions import NotFound

        try:
            fields = self.client.get_table(f"{self.project}.{identifier(table)}").schema
        except NotFound:
            raise WarehouseError(f"table {table} not found in project {self.project}") from None
        return pa.schema(
            [pa.field(f.name, _arrow_type(f.field_type, f.mode), f.mode != "REQUIRED")
             for f in fields]
        )  # fmt: skip

    @contextmanager
    def _staged(self, rows: pa.Table) -> Iterator[str]:
        from google.api_core.exceptions import GoogleAPICallError
        from google.cloud import bigquery

        name = f"{STAGING_DATASET}._staging_{uuid.uuid4().hex}"
        table = bigquery.Table(
            f"{self.project}.{name}",
            schema=[
                bigquery.SchemaField(f.name, _bigquery_type(f.type),
                                     mode="REPEATED" if pa.types.is_list(f.type) else "NULLABLE")
                for f in rows.schema
            ],
        )  # fmt: skip
        table.expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # even if we crash
        buffer = io.BytesIO()
        pq.write_table(rows, buffer)
        buffer.seek(0)
        try:
            self.client.create_table(table)
            self.client.load_table_from_file(
                buffer,
                f"{self.project}.{name}",
                job_config=bigquery.LoadJobConfig(
                    source_format=bigquery.SourceFormat.PARQUET,
                    write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
                    labels=job_labels(),
                ),
            ).result()
        except GoogleAPICallError as error:
            self.client.delete_table(f"{self.project}.{name}", not_found_ok=True)
            raise WarehouseError(
                f"loading into {name}: {first_line(error)}", transient=is_transient(error)
            ) from error
        try:
            yield name
        finally:
            self.client.delete_table(f"{self.project}.{name}", not_found_ok=True)

    def close(self) -> None:
        self.client.close()


_TO_ARROW = {
    "STRING": pa.string(), "INT64": pa.int64(), "INTEGER": pa.int64(),
    "FLOAT64": pa.float64(), "FLOAT": pa.float64(), "BOOL": pa.bool_(), "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}  # fmt: skip


def _arrow_type(field_type: str, mode: str) -> pa.DataType:
    base = _TO_ARROW.get(field_type.upper())
    if base is None:
        raise WarehouseError(f"unsupported BigQuery column type {field_type}")
    return pa.list_(base) if mode == "REPEATED" else base


def _bigquery_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_list(arrow_type):
        arrow_type = arrow_type.value_type
    for name, candidate in _TO_ARROW.items():
        if candidate == arrow_type or (
            pa.types.is_timestamp(arrow_type) and pa.types.is_timestamp(candidate)
        ):
            return name
    if pa.types.is_integer(arrow_type):
        return "INT64"
    if pa.types.is_floating(arrow_type):
        return "FLOAT64"
    if pa.types.is_null(arrow_type):
        return "STRING"
    raise WarehouseError(f"cannot store Arrow type {arrow_type} in BigQuery")
