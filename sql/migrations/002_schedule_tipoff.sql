-- nba_raw.schedule: the tip-off time, for a warehouse made before it existed.
alter table nba_raw.schedule add column if not exists tipoff_at timestamp;
