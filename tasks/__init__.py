"""shadowline's building blocks: plain, typed functions, and the Prefect tasks wrapping them.

One sub-package per concern, each on the layers below it (the import contracts in pyproject.toml):

- `flow_tasks`, `resources`: the flows' Prefect tasks, and what a flow run holds (warehouse, actors)
- `demo/`: the demo season, a synthetic NBA season shaped like the raw tables
- `registry/`: the models to run, registering, training, the promotion gate
- `scoring/`: Ray actors holding one model each, the pool, prediction rows and the run log
- `evaluation/`: comparisons with their uncertainty, the daily monitor, the comparison views
- `grading/`: predictions' results from the box scores
- `ingest/`: outside data into the raw tables, and player identity
- `models/`: model files: opening by model_type, fitting, Cloud Storage
- `features/`: feature sets, the point-in-time feature store, a game date's slate
- `reporting/`: tables for people and programs, the report's plots
- `warehouse/`: one interface over DuckDB and BigQuery, the SQL files, the tables' schemas
- `core/`: errors, the settings object, value domains, the reaper
"""
