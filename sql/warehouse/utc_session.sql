-- The embedded warehouse's session clock is UTC, as BigQuery's is: timestamps read and written
-- the same way on both backends.
set TimeZone = 'UTC'
