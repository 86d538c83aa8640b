-- Which columns of a table accept NULL: the embedded warehouse's catalog (DuckDB's
-- duckdb_columns(); a BigQuery table's schema comes from its API instead).
select column_name, is_nullable as nullable
from duckdb_columns()
where schema_name = @dataset and table_name = @name
