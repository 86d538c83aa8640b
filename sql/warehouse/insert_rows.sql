-- Append the staged rows to a table (the run log, the audit trail: append-only tables).
insert into {{ target }} ({{ columns }})
select {{ columns }} from {{ staging }}
