"""shadowline's building blocks: plain, typed functions (and the Prefect tasks wrapping them)."""

from __future__ import annotations

import logging
import os

# Quiet, offline-safe defaults, set before Prefect or Ray are imported. Each can be overridden
# from the environment: a value already set wins.
_QUIET_DEFAULTS = {
    # The terminal shows errors only (the CLI prints its own summary, failures included);
    # flow and task logs still reach the Prefect API at INFO.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "ERROR",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_DEDUP_LOGS": "0",
}
# What the user set themselves (the CLI leaves a console log level they chose alone).
USER_SET = frozenset(key for key in _QUIET_DEFAULTS if key in os.environ)
for _key, _value in _QUIET_DEFAULTS.items():
    os.environ.setdefault(_key, _value)

# sqlglot warns about BigQuery-only table options (PARTITION BY, OPTIONS) that DuckDB ignores.
logging.getLogger("sqlglot").setLevel(logging.ERROR)
