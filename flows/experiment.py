"""The experiment flow: every enabled model scores the same game day's slate, side by side.

Local run: `shadowline run --date 2026-03-02`; deployed as `experiment-daily` (prefect.yaml).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from shadowline.tasks.core.domains import check_min_edge
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.features.catalog import feature_sets, unscorable
from shadowline.tasks.features.health import health_warnings
from shadowline.tasks.features.sets import FeatureSetError, undefined
from shadowline.tasks.features.slate import Slate, make_slate
from shadowline.tasks.flow_tasks import (
    attach_feature_sources,
    build_features,
    compute_features,
    grade_predictions,
    read_feature_batch,
    read_grading_status,
    read_models,
    read_prop_players,
    record_feature_health,
    score_models,
    update_probabilities,
    write_predictions,
    write_run_log,
)
from shadowline.tasks.models.files import ModelSpec
from shadowline.tasks.registry.entries import RegisteredModel
from shadowline.tasks.resources import scorers_for_run, warehouse_for_run
from shadowline.tasks.scoring.pool import ScorerPool
from shadowline.tasks.scoring.predictions import (
    RunLogEntry,
    collect_predictions,
    entries_by_date,
    run_log_rows,
)
from shadowline.tasks.scoring.scorer import ScoreResult
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
    warning: str | None = None  # the feed posted too much after the line cutoff
    health: list[str] = field(default_factory=list)  # features whose coverage fell, or drifted

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
        warnings = [self.warning] if self.warning else []
        warning = [f"{prefix}  warning: {w}" for w in [*warnings, *self.health]]
        return [head, *warning] + [
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
        ) + "".join(
            f"\n\n**warning**: {w}" for w in [*filter(None, [summary.warning]), *summary.health]
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
    [summary] = run_dates(warehouse, scorers, [game_date], models, dry_run, min_edge, regrade=True)
    if summary.rows_written:  # each from the rows graded before the day, as of this run
        update_probabilities(warehouse, game_date)
    return summary


def run_dates(
    warehouse: Warehouse,
    scorers: ScorerPool,
    days: Sequence[date],
    models: Sequence[str],
    dry_run: bool,
    min_edge: float,
    *,
    regrade: bool,
) -> list[ExperimentSummary]:
    """The experiment on every game date in `days` (ascending) as one set: features built and
    read for the range at once, one scoring call per model over all the dates' slates, one
    write. Each date gets the rows, run log and summary a run of that date alone would give.
    With `regrade`, dates that were already graded are graded again (the caller grades them
    otherwise)."""
    logger = get_run_logger()
    started = datetime.now(UTC)
    first, last = days[0], days[-1]
    summaries = [ExperimentSummary(d, str(uuid.uuid4()), dry_run) for d in dict.fromkeys(days)]
    batch = _feature_batch(warehouse, first, last, dry_run)
    registered = read_models(warehouse, list(models))
    names = [n for m in registered for n in _names(m.spec)]
    batch, problems = attach_feature_sources(warehouse, batch, names, first, last)
    problems.update(_undefined_sets(warehouse, registered))
    props = read_prop_players(warehouse, first, last)
    scored = _make_slates(summaries, batch, props, registered, logger)
    if not scored:
        return summaries
    single = len(days) == 1
    rows = _score_slates(scorers, scored, registered, min_edge, started, logger, single, problems)
    if dry_run:
        return summaries
    if rows is not None:
        _write_predictions(warehouse, scored, rows, first, last, regrade)
    _write_run_log(warehouse, scored, started)
    _record_health(warehouse, scored, registered, logger, single)
    if single:
        logger.info("wrote %d predictions for %s", scored[0].rows_written, first)
    return summaries


def _undefined_sets(warehouse: Warehouse, registered: list[RegisteredModel]) -> dict[str, str]:
    """Why each model whose feature_version no set defines cannot run, keyed `model:<id>`."""
    lacking = [m.spec for m in registered if not _names(m.spec)]
    known = sorted(feature_sets(warehouse)) if lacking else []
    return {f"model:{s.model_id}": str(undefined(s.feature_version, known)) for s in lacking}


def _names(spec: ModelSpec) -> tuple[str, ...]:
    try:
        return spec.expected_features()
    except FeatureSetError:
        return ()  # the scoring pool refuses the model, naming the unknown set


def _record_health(
    warehouse: Warehouse,
    scored: list[ExperimentSummary],
    registered: list[RegisteredModel],
    logger: logging.LoggerAdapter,
    single_date: bool,
) -> None:
    """Each scored model's feature health on each date's slate, and a warning per feature
    whose coverage fell (or drifted, when SHADOWLINE_HEALTH_MAX_PSI is set)."""
    settings = Settings()
    ok = {o.model_id for s in scored for o in s.outcomes if o.status == "success"}
    models = [
        (m.spec.model_id, m.spec.feature_version, _names(m.spec))
        for m in registered
        if m.spec.model_id in ok and not m.duplicate_error
    ]
    if not models:
        return
    slates = {s.game_date: s.slate.rows for s in scored if s.slate is not None}
    run_ids = {s.game_date: s.run_id for s in scored}
    rows = record_feature_health(warehouse, slates, models, run_ids, settings)
    if rows is None:
        return
    by_date = _split_by_date(rows)
    for summary in scored:
        summary.health = health_warnings(by_date.get(summary.game_date, rows.slice(0, 0)), settings)
        for line in summary.health if single_date else ():
            logger.warning(line)


def _feature_batch(warehouse: Warehouse, first: date, last: date, dry_run: bool) -> pa.Table:
    """The feature rows of the dates, stored in the feature store first (a dry run computes the
    same rows without touching it)."""
    if dry_run:
        return compute_features(warehouse, first, last)
    build_features(warehouse, first, last)
    return read_feature_batch(warehouse, first, last)


def _make_slates(
    summaries: list[ExperimentSummary],
    batch: pa.Table,
    props: pa.Table,
    registered: list[RegisteredModel],
    logger: logging.LoggerAdapter,
) -> list[ExperimentSummary]:
    """Each date's slate, or the note saying why it has nothing to score; the dates to score."""
    cutoff = Settings().line_cutoff
    batches, offers = _split_by_date(batch), _split_by_date(props)
    for summary in summaries:
        day = summary.game_date
        summary.slate = make_slate(
            batches.get(day, batch.slice(0, 0)), offers.get(day, props.slice(0, 0))
        )
        summary.warning = summary.slate.timing_warning(day, cutoff)
        if summary.warning and len(summaries) == 1:
            logger.warning(summary.warning)
        if not registered:
            summary.note = (
                "no enabled models in nba_predictions.ml_model_registry: register one "
                "(`shadowline train ... --register`) or run `shadowline demo`"
            )
        elif summary.slate.rows.num_rows == 0:
            summary.note = (
                f"no players to score on {day}: no games in nba_raw.schedule that day, "
                "or no prop lines, recent box scores or injury report for their teams"
            )
        if summary.note and len(summaries) == 1:
            logger.warning(summary.note)
    return [s for s in summaries if not s.note]


def _score_slates(
    scorers: ScorerPool,
    scored: list[ExperimentSummary],
    registered: list[RegisteredModel],
    min_edge: float,
    started: datetime,
    logger: logging.LoggerAdapter,
    single_date: bool,
    problems: dict[str, str],
) -> pa.Table | None:
    """Every model on all the dates' slates in one call; each date's outcomes and predictions
    go on its summary, and all the prediction rows are returned."""
    # A model_id on two registry rows would write every prediction twice: refuse it.
    refused = [
        ScoreResult(m.spec.model_id, None, m.duplicate_error, 0.0)
        for m in {m.spec.model_id: m for m in registered}.values()
        if m.duplicate_error
    ]
    specs = [m.spec for m in registered if not m.duplicate_error]
    slate = pa.concat_tables([s.slate.rows for s in scored])  # type: ignore[union-attr]
    # A model whose features no table holds (or whose source broke its contract) fails alone.
    for spec in list(specs):
        names = _names(spec)
        why = unscorable(names, slate, problems) if names else problems[f"model:{spec.model_id}"]
        if why:
            refused.append(ScoreResult(spec.model_id, None, why, 0.0))
            specs.remove(spec)
    what = scored[0].slate.describe() if single_date else f"{slate.num_rows:,} player-games"  # type: ignore[union-attr]
    logger.info("scoring %s with %d models", what, len(specs))
    results = refused + score_models(scorers, specs, slate)
    run_ids = {s.game_date: s.run_id for s in scored}
    rows, outcomes = collect_predictions(
        results, specs, slate, min_edge=min_edge, run_ids=run_ids, now=started
    )
    for outcome in outcomes:
        if outcome.status != "success":
            logger.warning("model %s failed: %s", outcome.model_id, outcome.error_message)
    per_date = entries_by_date(outcomes, rows, list(run_ids))
    by_date = _split_by_date(rows)
    for summary in scored:
        summary.outcomes = per_date[summary.game_date]
        summary.predictions = by_date.get(summary.game_date)
    return rows


def _write_predictions(
    warehouse: Warehouse,
    scored: list[ExperimentSummary],
    rows: pa.Table,
    first: date,
    last: date,
    regrade: bool,
) -> None:
    """Replace the dates' rows of the scored models in one write. A rerun of a date already
    graded keeps it graded: the new rows replace graded ones."""
    before = read_grading_status(warehouse, first, last) if regrade else {}
    write_predictions(warehouse, rows)
    for summary in scored:
        if summary.predictions is not None:
            summary.rows_written = summary.predictions.num_rows
        was = before.get(summary.game_date)
        if was is not None and was.graded + was.void > 0:
            summary.regraded = grade_predictions(warehouse, summary.game_date)


def _write_run_log(
    warehouse: Warehouse, scored: list[ExperimentSummary], started: datetime
) -> None:
    """One run-log row per model and date, all in one write."""
    finished = datetime.now(UTC)
    at = {"flow_run_id": flow_run.id, "started_at": started, "finished_at": finished}
    logs = [run_log_rows(s.outcomes, run_id=s.run_id, game_date=s.game_date, slate=s.slate, **at)
            for s in scored]  # fmt: skip
    write_run_log(warehouse, pa.concat_tables(logs))


def _split_by_date(rows: pa.Table | None) -> dict[date, pa.Table]:
    """Each date's rows, in their order: one stable sort and slices, not a filter per date."""
    if rows is None or not rows.num_rows:
        return {}
    rows = rows.take(pc.sort_indices(rows["game_date"]))
    days = rows["game_date"].to_numpy()
    bounds = [0, *(np.flatnonzero(days[1:] != days[:-1]) + 1).tolist(), rows.num_rows]
    return {
        rows["game_date"][a].as_py(): rows.slice(a, b - a)
        for a, b in zip(bounds, bounds[1:], strict=False)
    }
