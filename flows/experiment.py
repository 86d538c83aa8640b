"""The experiment flow: every enabled model scores the same game day's slate, side by side.

Local run: `shadowline run --date 2026-03-02`; deployed as `experiment-daily` (prefect.yaml).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pyarrow as pa
from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from shadowline.tasks.domains import check_min_edge
from shadowline.tasks.features import Slate, make_slate
from shadowline.tasks.flow_tasks import (
    build_features,
    compute_features,
    grade_predictions,
    read_feature_batch,
    read_grading_status,
    read_models,
    read_prop_players,
    score_models,
    write_predictions,
    write_run_log,
)
from shadowline.tasks.predictions import RunLogEntry, collect_predictions, run_log_rows
from shadowline.tasks.resources import scorers_for_run, warehouse_for_run
from shadowline.tasks.scoring import ScoreResult, ScorerPool
from shadowline.tasks.settings import Settings
from shadowline.tasks.warehouse import Warehouse


@dataclass
class ExperimentSummary:
    game_date: date
    run_id: str
    dry_run: bool
    slate: Slate | None = None
    outcomes: list[RunLogEntry] = field(default_factory=list)
    rows_written: int = 0
    regraded: int = 0
    predictions: pa.Table | None = None
    note: str | None = None

    @property
    def failed(self) -> list[RunLogEntry]:
        return [o for o in self.outcomes if o.status != "success"]

    @property
    def slate_players(self) -> int:
        return self.slate.rows.num_rows if self.slate else 0

    @property
    def skipped_out(self) -> int:
        return self.slate.skipped_out if self.slate else 0

    def lines(self, prefix: str = "") -> list[str]:
        """The run for a terminal: a summary line, then one line per model."""
        if self.note:
            return [f"{prefix}experiment {self.game_date}: {self.note}"]
        written = "dry run" if self.dry_run else f"{self.rows_written:,} predictions written"
        if self.regraded:
            written += f" and graded again ({self.regraded:,} rows)"
        slate = self.slate.describe() if self.slate else "no slate"
        head = (
            f"{prefix}experiment {self.game_date}: {slate}; {len(self.outcomes)} models, {written}"
        )
        return [head] + [
            f"{prefix}  {o.model_id:<24} {o.status:<8} "
            + (f"{o.rows_scored} rows" if o.status == "success" else str(o.error_message))
            for o in self.outcomes
        ]


def _run_name() -> str:
    game_date = flow_run.parameters.get("game_date") or Settings().today()
    return f"experiment {game_date}"


def publish(summary: ExperimentSummary) -> None:
    """The run's answer in the Prefect UI: a table artifact, one version per run of the date."""
    if summary.note:
        description = f"**experiment {summary.game_date}**: {summary.note}"
    else:
        written = (
            "dry run, nothing written"
            if summary.dry_run
            else f"{summary.rows_written:,} predictions written"
        )
        slate = summary.slate.describe() if summary.slate else "no slate"
        description = (
            f"**experiment {summary.game_date}**: {slate}; scored by {len(summary.outcomes)} "
            f"models, {len(summary.failed)} failed; {written}"
        )
    create_table_artifact(
        key=f"experiment-{summary.game_date}",
        table=[
            {
                "model_id": o.model_id,
                "status": o.status,
                "rows": o.rows_scored,
                "seconds": round(o.duration_seconds, 2),
                "error": o.error_message or "",
            }
            for o in summary.outcomes
        ],
        description=description,
    )


# A hung run (a stuck warehouse job, a lost Ray node) ends instead of holding the next day's.
@flow(
    name="experiment",
    flow_run_name=_run_name,
    validate_parameters=True,
    timeout_seconds=3600,
)
def experiment(
    game_date: date | None = None,
    models: list[str] | None = None,
    dry_run: bool = False,
    min_edge: float | None = None,
    warehouse: str | None = None,
) -> ExperimentSummary:
    """Score every enabled model (or just the registry ids in `models`, enabled or not) on
    `game_date`'s slate (default: today in Eastern time) and write the predictions; a rerun
    replaces those models' rows for that date, and the run log keeps both runs."""
    settings = Settings()
    if min_edge is not None:
        check_min_edge(min_edge)
    with (
        warehouse_for_run(warehouse or settings.warehouse) as store,
        scorers_for_run(settings) as scorers,
    ):
        summary = _experiment(
            store, scorers, game_date or settings.today(), models or [], dry_run,
            settings.min_edge if min_edge is None else min_edge,
        )  # fmt: skip
    publish(summary)
    return summary


def _experiment(
    warehouse: Warehouse,
    scorers: ScorerPool,
    game_date: date,
    models: list[str],
    dry_run: bool,
    min_edge: float,
) -> ExperimentSummary:
    logger = get_run_logger()
    started = datetime.now(UTC)
    summary = ExperimentSummary(game_date, str(uuid.uuid4()), dry_run)

    if dry_run:  # the same rows, computed without touching the feature store
        batch = compute_features(warehouse, game_date)
    else:
        build_features(warehouse, game_date, game_date)
        batch = read_feature_batch(warehouse, game_date)
    registered = read_models(warehouse, models)
    summary.slate = make_slate(batch, read_prop_players(warehouse, game_date))
    slate = summary.slate.rows
    if not registered:
        summary.note = (
            "no enabled models in nba_predictions.ml_model_registry: register one "
            "(`shadowline train ... --register`) or run `shadowline demo`"
        )
    elif slate.num_rows == 0:
        summary.note = (
            f"no players to score on {game_date}: no games in nba_raw.schedule that day, "
            "or no prop lines, recent box scores or injury report for their teams"
        )
    if summary.note:
        logger.warning(summary.note)
        return summary

    # A model_id on two registry rows would write every prediction twice: refuse it.
    refused = [
        ScoreResult(m.spec.model_id, None, m.duplicate_error, 0.0)
        for m in {m.spec.model_id: m for m in registered}.values()
        if m.duplicate_error
    ]
    specs = [m.spec for m in registered if not m.duplicate_error]
    logger.info("scoring %s with %d models", summary.slate.describe(), len(specs))
    results = refused + score_models(scorers, specs, slate)
    rows, summary.outcomes = collect_predictions(
        results,
        specs,
        slate,
        game_date=game_date,
        min_edge=min_edge,
        run_id=summary.run_id,
        now=started,
    )
    summary.predictions = rows
    for outcome in summary.failed:
        logger.warning("model %s failed: %s", outcome.model_id, outcome.error_message)
    if dry_run:
        return summary
    if rows is not None:
        # A rerun of a date already graded keeps it graded: the new rows replace graded ones.
        was_graded = read_grading_status(warehouse, game_date)
        summary.rows_written = write_predictions(warehouse, rows)
        if was_graded.graded + was_graded.void > 0:
            summary.regraded = grade_predictions(warehouse, game_date)
    write_run_log(
        warehouse,
        run_log_rows(
            summary.outcomes,
            run_id=summary.run_id,
            flow_run_id=flow_run.id,
            game_date=game_date,
            slate=summary.slate,
            started_at=started,
            finished_at=datetime.now(UTC),
        ),
    )
    logger.info("wrote %d predictions for %s", summary.rows_written, game_date)
    return summary
