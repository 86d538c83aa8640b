-- Write the staged rows into a table in one transaction, first deleting the rows whose key
-- matches a staged row: writing the same rows twice changes nothing.
begin transaction;

delete from {{ target }} as t
where exists (select 1 from {{ staging }} as s where {{ key_match }});

{{ sql:warehouse/insert_rows }};

commit transaction;
