-- nba_predictions.shadowline_schema: table, one row: a fingerprint of the DDL and views this
-- warehouse was last brought up to date with (sql/tables/, sql/views/). A command that finds the
-- current fingerprint here runs no DDL: one small read instead of a job per table and view.
create table if not exists nba_predictions.shadowline_schema (
  fingerprint string not null,
  applied_at timestamp not null
)
options (description = 'Which version of the shadowline tables and views this warehouse has');
