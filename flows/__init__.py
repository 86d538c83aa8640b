"""Prefect flows and the `shadowline` command line: orchestration only."""

from __future__ import annotations

import tasks  # noqa: F401  (applies the quiet runtime defaults before Prefect is imported)
