"""Prefect flows and the `shadowline` command line: orchestration only."""
