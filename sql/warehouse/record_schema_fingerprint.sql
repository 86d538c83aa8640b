-- After the DDL and views were applied: the fingerprint they had (one row).
begin transaction;

delete from nba_predictions.shadowline_schema where true;

insert into nba_predictions.shadowline_schema (fingerprint, applied_at)
values (@fingerprint, current_timestamp());

commit transaction;
