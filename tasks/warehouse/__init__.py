"""The warehouse: one interface (`base`), two backends (`duckdb_warehouse`, `bigquery_warehouse`),
the URL factory (`factory`), the SQL files (`sql`) and the tables' Arrow schemas (`schemas`)."""

from __future__ import annotations

from shadowline.tasks.core.errors import WarehouseError
from shadowline.tasks.warehouse.base import Warehouse, is_transient, transpile
from shadowline.tasks.warehouse.factory import open_warehouse
from shadowline.tasks.warehouse.sql import sql_text

__all__ = [
    "Warehouse",
    "WarehouseError",
    "is_transient",
    "open_warehouse",
    "sql_text",
    "transpile",
]
