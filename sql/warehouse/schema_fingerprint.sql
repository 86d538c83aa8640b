-- The fingerprint of the DDL and views this warehouse was last brought up to date with.
select fingerprint
from nba_predictions.shadowline_schema
