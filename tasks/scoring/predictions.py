"""Prediction rows: deterministic ids, the consensus line, recommendation and edge; the run log."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.features.slate import Slate
from shadowline.tasks.models.files import ModelSpec
from shadowline.tasks.scoring.scorer import ScoreResult
from shadowline.tasks.warehouse import Warehouse
from shadowline.tasks.warehouse.schemas import table_from_columns

PREDICTIONS = "nba_predictions.ml_model_predictions"
RUN_LOG = "nba_predictions.ml_experiment_runs"
# Fixed namespace: the same model, player and date always get the same prediction_id.
_NAMESPACE = uuid.UUID("6f0c1a52-4a8e-4d7b-9a59-6c1d2b7e5f10")


def prediction_id(model_id: str, player_lookup: str, game_date: date) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{model_id}|{player_lookup}|{game_date.isoformat()}"))


def recommend(
    predicted: np.ndarray, line: np.ndarray, min_edge: float
) -> tuple[list[str], np.ndarray]:
    """(recommendation, edge_vs_line) per row; `line` holds NaN where there is no line.

    OVER when predicted - line >= min_edge, UNDER when line - predicted >= min_edge, else PASS;
    a prediction exactly on the line is PASS; NO_LINE without a line.
    """
    edge = predicted - line
    recommendation = np.where(
        np.isnan(line),
        "NO_LINE",
        np.where(
            (edge > 0) & (edge >= min_edge),
            "OVER",
            np.where((edge < 0) & (-edge >= min_edge), "UNDER", "PASS"),
        ),
    )
    return recommendation.tolist(), edge


def assemble_predictions(
    result: ScoreResult,
    spec: ModelSpec,
    slate: pa.Table,
    min_edge: float,
    run_ids: Mapping[date, str],
    now: datetime,
) -> pa.Table:
    """One model's prediction rows, in the predictions table's columns (result columns empty).
    `result` holds one prediction per slate row, in the slate's order; the slate may span
    several game dates, each with its run's id in `run_ids`."""
    assert result.predictions is not None
    if result.predictions.num_rows != slate.num_rows:
        raise ValueError(
            f"{spec.model_id}: {result.predictions.num_rows} predictions for {slate.num_rows} rows"
        )
    scored = slate.append_column("predicted_points", result.predictions["predicted_points"])
    scored = scored.sort_by([("game_date", "ascending"), ("player_lookup", "ascending")])
    predicted = scored["predicted_points"].to_numpy()
    line = pc.fill_null(scored["betting_line"].cast(pa.float64()), np.nan).to_numpy()
    recommendation, edge = recommend(predicted, line, min_edge)
    players = scored["player_lookup"].to_pylist()
    dates = scored["game_date"].to_pylist()
    n = scored.num_rows
    return table_from_columns(
        PREDICTIONS,
        {
            "prediction_id": [
                prediction_id(spec.model_id, p, d) for p, d in zip(players, dates, strict=True)
            ],
            "model_id": [spec.model_id] * n,
            "player_lookup": players,
            "game_date": dates,
            "game_id": scored["game_id"],
            "team_abbr": scored["team_abbr"],
            "opponent_team_abbr": scored["opponent_team_abbr"],
            "predicted_points": scored["predicted_points"],
            "betting_line": scored["betting_line"],
            "line_books": scored["line_books"],
            "recommendation": recommendation,
            "edge_vs_line": pa.array(edge, pa.float64(), from_pandas=True),
            "min_edge": [min_edge] * n,
            "feature_version": [spec.feature_version] * n,
            "prediction_time": [now] * n,
            "run_id": [run_ids[d] for d in dates],
            "provenance": _provenance(scored, now),
            **_prices(scored, recommendation),
        },
    )


def _provenance(scored: pa.Table, now: datetime) -> list[str]:
    """`live` where the row was scored by its game's line cutoff, as a daily run is, else
    `backfill`: a backfill or a late rerun, whose features may hold news a live run lacked."""
    if "line_cutoff_at" not in scored.column_names:
        return ["backfill"] * scored.num_rows
    return [
        "live" if cutoff is not None and now <= cutoff else "backfill"
        for cutoff in scored["line_cutoff_at"].to_pylist()
    ]


def _prices(scored: pa.Table, recommendation: list[str | None]) -> dict[str, list[object]]:
    """The price a recommendation gets and its book: the best at the line for its side."""
    sides = {"OVER": ("best_over_odds", "best_over_book"),
             "UNDER": ("best_under_odds", "best_under_book")}  # fmt: skip
    if not all(c in scored.column_names for pair in sides.values() for c in pair):
        return {}  # a feature batch from before prices were stored: no price
    columns = {c: scored[c].to_pylist() for pair in sides.values() for c in pair}
    odds, books = [], []
    for i, side in enumerate(recommendation):
        odds_column, book_column = sides.get(side or "", (None, None))
        odds.append(columns[odds_column][i] if odds_column else None)
        books.append(columns[book_column][i] if book_column else None)
    return {"bet_odds": odds, "bet_book": books}


@dataclass(frozen=True)
class RunLogEntry:
    model_id: str
    status: str  # success | failed
    error_message: str | None
    rows_scored: int
    duration_seconds: float
    ray_node_id: str | None = None


def run_log_rows(
    entries: Sequence[RunLogEntry],
    *,
    run_id: str,
    flow_run_id: str | None,
    game_date: date,
    slate: Slate,
    started_at: datetime,
    finished_at: datetime,
) -> pa.Table:
    """One run-log row per model, with the slate's counts: who was scored, who was left out
    and why."""
    n = len(entries)
    return table_from_columns(
        RUN_LOG,
        {
            "run_id": [run_id] * n,
            "flow_run_id": [flow_run_id] * n,
            "game_date": [game_date] * n,
            "model_id": [e.model_id for e in entries],
            "status": [e.status for e in entries],
            "error_message": [e.error_message for e in entries],
            "rows_scored": [e.rows_scored for e in entries],
            "players_skipped_out": [slate.skipped_out] * n,
            "players_with_line": [slate.with_line] * n,
            "players_without_line": [slate.without_line] * n,
            "props_unmatched": [slate.props_unmatched] * n,
            "props_without_game": [slate.props_without_game] * n,
            "props_before_cutoff": [slate.props_before_cutoff] * n,
            "props_after_cutoff": [slate.props_after_cutoff] * n,
            "duration_seconds": [e.duration_seconds for e in entries],
            "started_at": [started_at] * n,
            "finished_at": [finished_at] * n,
            "ray_node_id": [e.ray_node_id for e in entries],
        },
    )


def write_predictions(warehouse: Warehouse, rows: pa.Table) -> int:
    """Replace the date's rows of every model in `rows` with `rows`, in one transaction."""
    return warehouse.write(PREDICTIONS, rows, replace_by=("game_date", "model_id"))


def write_run_log(warehouse: Warehouse, rows: pa.Table) -> int:
    return warehouse.write(RUN_LOG, rows)


def collect_predictions(
    results: Sequence[ScoreResult],
    specs: Sequence[ModelSpec],
    slate: pa.Table,
    *,
    min_edge: float,
    run_ids: Mapping[date, str],
    now: datetime,
) -> tuple[pa.Table | None, list[RunLogEntry]]:
    """All models' prediction rows as one table, and one run-log entry per model over the whole
    slate (`entries_by_date` splits them by game date)."""
    by_id = {spec.model_id: spec for spec in specs}
    tables, entries = [], []
    for result in results:
        if result.predictions is None:
            entries.append(
                RunLogEntry(
                    result.model_id, "failed", result.error, 0, result.seconds, result.ray_node_id
                )
            )
            continue
        rows = assemble_predictions(result, by_id[result.model_id], slate, min_edge, run_ids, now)
        tables.append(rows)
        entries.append(
            RunLogEntry(
                result.model_id, "success", None, rows.num_rows, result.seconds, result.ray_node_id
            )
        )
    return (pa.concat_tables(tables) if tables else None), entries


def entries_by_date(
    entries: Sequence[RunLogEntry], rows: pa.Table | None, dates: Sequence[date]
) -> dict[date, list[RunLogEntry]]:
    """Each date's run-log entries from whole-slate ones: a model's rows on that date, and its
    time shared out by rows; a model that failed failed on every date."""
    counts: Counter[tuple[str, date]] = Counter()
    if rows is not None:
        counts.update(zip(rows["model_id"].to_pylist(), rows["game_date"].to_pylist(), strict=True))
    out: dict[date, list[RunLogEntry]] = {}
    for day in dates:
        out[day] = []
        for e in entries:
            if e.status != "success":
                out[day].append(e)
                continue
            n = counts.get((e.model_id, day), 0)
            share = e.duration_seconds * n / e.rows_scored if e.rows_scored else 0.0
            out[day].append(RunLogEntry(e.model_id, e.status, None, n, share, e.ray_node_id))
    return out
