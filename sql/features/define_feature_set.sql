-- Define one feature set (`shadowline features define`); the caller checked that it is new.
insert into nba_predictions.ml_feature_sets
  (feature_version, feature_names, source, description, created_at, created_by)
values
  (@feature_version, @feature_names, @source, @description, current_timestamp(), @created_by)
