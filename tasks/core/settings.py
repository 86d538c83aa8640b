"""The one settings object: every tunable, from SHADOWLINE_* environment variables."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, PlainSerializer, PlainValidator, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shadowline.tasks.core.cutoff import LineCutoff
from shadowline.tasks.core.domains import check_min_edge
from shadowline.tasks.core.errors import ShadowlineError


class Settings(BaseSettings):
    """shadowline settings; each field reads SHADOWLINE_<FIELD> from the environment."""

    model_config = SettingsConfigDict(env_prefix="SHADOWLINE_", extra="ignore")

    warehouse: str = Field(
        "duckdb:///.shadowline/warehouse.duckdb",
        description="Where the tables live: duckdb:///relative.duckdb, duckdb:////abs.duckdb "
        "or bigquery://PROJECT.",
    )
    models_dir: Path = Field(
        Path(".shadowline/models"), description="Where `shadowline train` writes model files."
    )
    model_root: Path | None = Field(
        None,
        description="The folder a relative registry model_path (the seed's `models/x.cbm`) is "
        "relative to, for every command, worker and deployment (default: the working directory). "
        "shadowline registers a file under it relative to it, any other file by absolute path.",
    )
    reports_dir: Path = Field(
        Path(".shadowline/reports"),
        description="Where `shadowline report` and each grading run write the report, one "
        "folder per end date.",
    )
    min_edge: float = Field(
        0.0, description="Points between prediction and line needed for OVER/UNDER (0-20)."
    )
    promotion_min_rows: int = Field(
        500,
        ge=0,
        description="Shared graded rows with production before the promotion gate can say PROMOTE.",
    )
    promotion_min_days: int = Field(
        7,
        ge=0,
        description="Shared graded game days with production before the promotion gate "
        "can say PROMOTE.",
    )
    backfill_chunk_days: int = Field(
        60,
        ge=1,
        le=400,
        description="A backfill computes this many game dates at once (features, scoring, "
        "writes); fewer hold less in memory.",
    )
    promotion_include_backfill: bool = Field(
        False,
        description="The promotion gate counts backfilled and late-rerun rows too, not only "
        "rows scored live (by their game's line cutoff); the verdict says which it counted.",
    )
    health_min_coverage: float = Field(
        0.6,
        ge=0,
        le=1,
        description="A run warns when a feature has a value on less than this share of the "
        "model's training rows' share (0.6: 99% in training, under 59.4% today); 0 = never.",
    )
    health_max_psi: float | None = Field(
        None,
        gt=0,
        description="A run warns when a feature's PSI against the model's training deciles "
        "exceeds this (e.g. 0.5); unset = drift is recorded and shown, never warned (a day's "
        "slate moves schedule features such as rest_days far from a season's worth of rows).",
    )
    min_points: float = Field(0.0, ge=0, description="Predictions are clamped to at least this.")
    max_points: float = Field(70.0, gt=0, le=120, description="...and to at most this.")
    actor_cpus: float = Field(
        0.0,
        ge=0,
        le=64,
        description="CPUs each scoring actor reserves while alive (fewer actors then: as many "
        "as the cluster's CPUs hold); 0 = Ray's default (a free CPU to start, none held while "
        "idle).",
    )
    keep_actors: bool = Field(
        False,
        description="Keep the scoring actors alive on the Ray cluster between runs (named, "
        "detached), with the models they loaded (reloaded when a registry entry or file "
        "changes; a run with other scoring settings replaces them). The local stack "
        "(`shadowline server start`) turns it on for its runs.",
    )
    scoring_memory_mib: int = Field(
        1024,
        ge=256,
        description="Memory the scoring actors may use all told, in MiB: they are as many as "
        "the cores and this allow (about 300 MiB each with the model libraries), each keeping "
        "the models it scored loaded while they fit its share.",
    )
    ray_num_cpus: int | None = Field(
        None, ge=1, description="CPUs for a local Ray instance (default: all of this machine's)."
    )
    bigquery_location: str | None = Field(
        None, description="BigQuery location for datasets and jobs, e.g. US or EU."
    )
    bigquery_endpoint: str | None = Field(
        None,
        description="Send BigQuery API calls here instead of Google's (an emulator, in tests); "
        "anonymous credentials are used with it.",
    )
    gcs_endpoint: str | None = Field(
        None,
        description="Send Cloud Storage calls here instead of Google's (an emulator, in tests); "
        "anonymous credentials are used with it.",
    )
    model_cache_dir: Path = Field(
        Path(".shadowline/model-cache"),
        description="Where gs:// model files are downloaded, one file per object generation.",
    )
    gcp_credentials_block: str | None = Field(
        None,
        description="Name of a prefect-gcp GcpCredentials block to authenticate with; "
        "application default credentials when unset.",
    )
    max_bytes_billed: int | None = Field(
        10 * 1024**3,
        ge=1,
        description="BigQuery jobs that would bill more bytes than this fail instead of running.",
    )
    prefect_port: int = Field(
        4200,
        ge=1,
        le=65535,
        description="Port of the local Prefect server `shadowline server start` runs (loopback).",
    )
    timezone: str = Field(
        "America/New_York", description="Game days are dates in this zone (default dates)."
    )
    line_cutoff: Annotated[
        LineCutoff,
        NoDecode,
        PlainValidator(LineCutoff.parse),
        PlainSerializer(str, return_type=str),
    ] = Field(
        LineCutoff(clock=time(12, 0)),
        description="Prop lines are read as of this instant: an Eastern time on the game day "
        "(12:00, the experiment's schedule) or a span before each game's tip-off (tipoff-60m); "
        "a backfill sees the lines a live run saw, not the close.",
    )

    @field_validator("min_edge")
    @classmethod
    def _min_edge(cls, value: float) -> float:
        return check_min_edge(value, "SHADOWLINE_MIN_EDGE")

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date()

    def yesterday(self) -> date:
        return self.today() - timedelta(days=1)


class SettingsError(ShadowlineError):
    """A SHADOWLINE_* environment variable with a value outside its domain."""


def settings_error(error: ValidationError) -> SettingsError:
    """One line per bad variable, naming it and its value: `SHADOWLINE_MIN_EDGE='abc': Input
    should be a valid number`."""
    problems = []
    for item in error.errors():
        name = "SHADOWLINE_" + "_".join(str(part) for part in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        if message.startswith(name):  # the domain check names the variable itself
            problems.append(message)
        else:
            problems.append(f"{name}={item['input']!r}: {message}")
    return SettingsError("; ".join(problems))


def read_settings() -> Settings:
    """The settings, or one clear error naming each bad SHADOWLINE_* variable."""
    try:
        return Settings()
    except ValidationError as error:
        raise settings_error(error) from None


# Quiet, offline-safe defaults for Prefect and Ray; a value already in the environment wins.
# Prefect reads its settings when it is first imported, so these are set before that.
RUNTIME_DEFAULTS = {
    # The terminal shows errors only (the CLI prints its own summary, failures included);
    # flow and task logs still reach the Prefect API at INFO.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "ERROR",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_DEDUP_LOGS": "0",
}


def apply_runtime_defaults(*, console_level: str | None = None) -> None:
    """Set the quiet defaults in this process's environment, once, at start-up (the command
    line, the local worker, the tests). `console_level` replaces Prefect's console log level
    unless the user chose one."""
    if console_level and "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL" not in os.environ:
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = console_level
    for key, value in RUNTIME_DEFAULTS.items():
        os.environ.setdefault(key, value)
