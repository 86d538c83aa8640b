-- No rows, every column of a table: its column types, as the backend reads them.
select * from {{ table }} limit 0
