-- replace_rows.sql for a key that holds game_date: the delete also filters on the staged rows'
-- dates, a constant list, so BigQuery reads only those partitions.
begin transaction;

delete from {{ target }} as t
where t.game_date in unnest(@partition_dates)
  and exists (select 1 from {{ staging }} as s where {{ key_match }});

{{ sql:warehouse/insert_rows }};

commit transaction;
