"""Prediction rows: deterministic ids, the consensus line, recommendation and edge; the run log."""

from __future__ import annotations

import hashlib
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
    return _format_uuids(model_id, _uuid_names([player_lookup], [game_date]))[0].as_py()


def _uuid_names(players: Sequence[str], dates: Sequence[date]) -> list[bytes]:
    return [f"|{p}|{d.isoformat()}".encode() for p, d in zip(players, dates, strict=True)]


def _format_uuids(model_id: str, names: Sequence[bytes]) -> pa.Array:
    """uuid5(_NAMESPACE, model_id + name) of each name, as strings: the SHA-1s in a loop, the
    version bits and the formatting in numpy (a season's rows of dozens of models are millions
    of ids)."""
    prefix = _NAMESPACE.bytes + model_id.encode()
    digests = b"".join([hashlib.sha1(prefix + name).digest()[:16] for name in names])
    raw = np.frombuffer(digests, np.uint8).reshape(-1, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x50  # version 5
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = np.frombuffer(raw.tobytes().hex().encode(), "S1").reshape(-1, 32)
    text = np.full((len(names), 36), b"-", "S1")
    text[:, _HEX_AT] = hexed
    return pa.array(text.view("S36").ravel(), pa.binary()).cast(pa.string())


_HEX_AT = [i for i in range(36) if i not in (8, 13, 18, 23)]  # 8-4-4-4-12


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


@dataclass(frozen=True)
class _Slate:
    """What every model's rows share, computed once per slate: the rows in the table's order
    (game date, player), their line, and the columns no model changes."""

    order: pa.Array
    rows: pa.Table
    line: np.ndarray
    names: list[bytes]
    shared: dict[str, pa.Array | pa.ChunkedArray]

    @classmethod
    def of(cls, slate: pa.Table, run_ids: Mapping[date, str], now: datetime) -> _Slate:
        order = pc.sort_indices(
            slate, sort_keys=[("game_date", "ascending"), ("player_lookup", "ascending")]
        )
        rows = slate.take(order)
        days = list(run_ids)
        at = pc.index_in(rows["game_date"], value_set=pa.array(days, pa.date32()))
        shared = {
            c: rows[c]
            for c in ("player_lookup", "game_date", "game_id", "team_abbr",
                      "opponent_team_abbr", "betting_line", "line_books")
        }  # fmt: skip
        shared["run_id"] = pc.take(pa.array([run_ids[d] for d in days], pa.string()), at)
        shared["provenance"] = _provenance(rows, now)
        line = pc.fill_null(rows["betting_line"].cast(pa.float64()), np.nan).to_numpy()
        names = _uuid_names(rows["player_lookup"].to_pylist(), rows["game_date"].to_pylist())
        return cls(order, rows, line, names, shared)


def assemble_predictions(
    result: ScoreResult, spec: ModelSpec, slate: _Slate, min_edge: float, now: datetime
) -> pa.Table:
    """One model's prediction rows, in the predictions table's columns (result columns empty).
    `result` holds one prediction per slate row, in the slate's own order."""
    assert result.predictions is not None
    if result.predictions.num_rows != slate.rows.num_rows:
        raise ValueError(
            f"{spec.model_id}: {result.predictions.num_rows} predictions for "
            f"{slate.rows.num_rows} rows"
        )
    points = result.predictions["predicted_points"].take(slate.order)
    recommendation, edge = recommend(points.to_numpy(), slate.line, min_edge)
    rec = pa.array(recommendation, pa.string())
    n = slate.rows.num_rows
    return table_from_columns(
        PREDICTIONS,
        {
            **slate.shared,
            "prediction_id": _format_uuids(spec.model_id, slate.names),
            "model_id": pa.repeat(spec.model_id, n),
            "predicted_points": points,
            "recommendation": rec,
            "edge_vs_line": pa.array(edge, pa.float64(), from_pandas=True),
            "min_edge": pa.repeat(min_edge, n),
            "feature_version": pa.repeat(spec.feature_version, n),
            "prediction_time": pa.repeat(pa.scalar(now, pa.timestamp("us", "UTC")), n),
            **_prices(slate.rows, rec),
        },
    )


def _provenance(scored: pa.Table, now: datetime) -> pa.Array:
    """`live` where the row was scored by its game's line cutoff, as a daily run is, else
    `backfill`: a backfill or a late rerun, whose features may hold news a live run lacked."""
    if "line_cutoff_at" not in scored.column_names:
        return pa.repeat("backfill", scored.num_rows)
    cutoff = scored["line_cutoff_at"].cast(pa.timestamp("us", "UTC"))
    live = pc.fill_null(pc.less_equal(pa.scalar(now, pa.timestamp("us", "UTC")), cutoff), False)
    return pc.if_else(live, "live", "backfill")


def _prices(scored: pa.Table, recommendation: pa.Array) -> dict[str, pa.Array]:
    """The price a recommendation gets and its book: the best at the line for its side."""
    if not all(c in scored.column_names for c in _PRICE_COLUMNS):
        return {}  # a feature batch from before prices were stored: no price
    over, under = pc.equal(recommendation, "OVER"), pc.equal(recommendation, "UNDER")

    def side(over_column: str, under_column: str) -> pa.Array:
        none = pa.nulls(scored.num_rows, scored[over_column].type)
        return pc.if_else(over, scored[over_column], pc.if_else(under, scored[under_column], none))

    return {
        "bet_odds": side("best_over_odds", "best_under_odds"),
        "bet_book": side("best_over_book", "best_under_book"),
    }


_PRICE_COLUMNS = ("best_over_odds", "best_over_book", "best_under_odds", "best_under_book")


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
    shared = (
        _Slate.of(slate, run_ids, now) if any(r.predictions is not None for r in results) else None
    )
    tables, entries = [], []
    for result in results:
        if result.predictions is None:
            entries.append(
                RunLogEntry(
                    result.model_id, "failed", result.error, 0, result.seconds, result.ray_node_id
                )
            )
            continue
        assert shared is not None
        rows = assemble_predictions(result, by_id[result.model_id], shared, min_edge, now)
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
        grouped = rows.group_by(["model_id", "game_date"]).aggregate([([], "count_all")])
        keys = zip(grouped["model_id"].to_pylist(), grouped["game_date"].to_pylist(), strict=True)
        counts.update(dict(zip(keys, grouped["count_all"].to_pylist(), strict=True)))
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
