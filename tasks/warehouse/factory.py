"""From a warehouse URL (SHADOWLINE_WAREHOUSE or --warehouse) to a warehouse object."""

from __future__ import annotations

from pathlib import Path

from shadowline.tasks.core.errors import WarehouseError
from shadowline.tasks.warehouse.base import Warehouse


def open_warehouse(url: str, *, external_access: bool = True) -> Warehouse:
    """The warehouse at `url`, for its caller to close (`with open_warehouse(url) as w:`).

    Nothing connects yet: the first statement does, creating any missing dataset, table or view.
    `external_access=False` (for SQL a person typed): DuckDB reads and writes no file but the
    warehouse (no read_csv, COPY, ATTACH or extension installs); BigQuery has no such files.
    """
    if url.startswith("duckdb:///"):
        from shadowline.tasks.warehouse.duckdb_warehouse import DuckDBWarehouse

        path = url.removeprefix("duckdb:///")
        if path.strip() in ("", ":memory:") or path.endswith("/") or Path(path).is_dir():
            raise WarehouseError(
                f"warehouse {url!r} names no file, so nothing would be kept: use "
                "duckdb:///path/to/warehouse.duckdb (SHADOWLINE_WAREHOUSE or --warehouse)"
            )
        return DuckDBWarehouse(path, external_access=external_access)
    if url.startswith("bigquery://"):
        # imported here: google-cloud-bigquery takes a second to import, DuckDB users never need it
        from shadowline.tasks.warehouse.bigquery_warehouse import BigQueryWarehouse

        return BigQueryWarehouse(url)
    raise WarehouseError(
        f"unknown warehouse {url!r}: use duckdb:///path.duckdb or bigquery://PROJECT "
        "(SHADOWLINE_WAREHOUSE or --warehouse)"
    )
