"""Feature health: what each feature looked like on a model's training rows (its profile), and
each run's slate measured against it: the share of rows with a value and the population
stability index (PSI) over the training deciles. A feature whose coverage falls well under its
training share is a feed or a pipeline that failed, and the model scores it as missing."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowline.tasks.core.settings import Settings
from shadowline.tasks.warehouse import Warehouse, sql_text
from shadowline.tasks.warehouse.schemas import table_from_columns

PROFILES = "nba_predictions.ml_feature_profiles"
HEALTH = "nba_predictions.ml_feature_health"
_DECILES = np.linspace(0.1, 0.9, 9)
_FLOOR = 1e-4  # a bin empty on one side would make PSI infinite


@dataclass(frozen=True)
class Profile:
    non_null_share: float
    edges: np.ndarray
    shares: np.ndarray
    reference: str


def _values(column: pa.ChunkedArray) -> np.ndarray:
    return pc.drop_null(column.cast(pa.float64())).to_numpy()


def _binned(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=edges.size + 1)
    return counts / max(values.size, 1)


def profile(column: pa.ChunkedArray, reference: str) -> Profile:
    """A feature's profile on reference rows: its non-null share, deciles and bin shares."""
    values = _values(column)
    edges = np.unique(np.quantile(values, _DECILES)) if values.size else np.empty(0)
    share = values.size / len(column) if len(column) else 0.0
    return Profile(share, edges, _binned(values, edges), reference)


def psi(profile: Profile, values: np.ndarray) -> float | None:
    """Population stability index of `values` against the profile's bins (None: no values)."""
    if values.size == 0 or profile.shares.size == 0:
        return None
    expected = np.maximum(profile.shares, _FLOOR)
    actual = np.maximum(_binned(values, profile.edges), _FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def profile_rows(model_id: str, names: Sequence[str], rows: pa.Table, reference: str) -> pa.Table:
    """The profile table rows of one model, one per feature."""
    profiles = [profile(rows[n], reference) for n in names]
    n = len(names)
    return table_from_columns(
        PROFILES,
        {
            "model_id": [model_id] * n,
            "feature_name": list(names),
            "position": list(range(n)),
            "reference": [reference] * n,
            "reference_rows": [rows.num_rows] * n,
            "non_null_share": [p.non_null_share for p in profiles],
            "bins": [
                json.dumps({"edges": p.edges.tolist(), "shares": p.shares.tolist()})
                for p in profiles
            ],
            "created_at": [datetime.now(UTC)] * n,
        },
    )


def write_profile(warehouse: Warehouse, rows: pa.Table) -> None:
    warehouse.write(PROFILES, rows, replace_by=("model_id",))


def read_profiles(warehouse: Warehouse, model_ids: Sequence[str]) -> dict[str, dict[str, Profile]]:
    """The stored profiles of `model_ids`, by model and feature."""
    if not model_ids:
        return {}
    rows = warehouse.query(sql_text("features/feature_profiles"), {"model_ids": list(model_ids)})
    out: dict[str, dict[str, Profile]] = defaultdict(dict)
    for row in rows.to_pylist():
        bins = json.loads(row["bins"] or "{}")
        out[row["model_id"]][row["feature_name"]] = Profile(
            row["non_null_share"] or 0.0,
            np.asarray(bins.get("edges", []), dtype=np.float64),
            np.asarray(bins.get("shares", []), dtype=np.float64),
            row["reference"] or "",
        )
    return dict(out)


def _state(share: float, reference: Profile, drift: float | None, settings: Settings) -> str:
    if reference.non_null_share > 0 and share < settings.health_min_coverage * (
        reference.non_null_share
    ):
        return "low_coverage"
    if (
        settings.health_max_psi is not None
        and drift is not None
        and drift > settings.health_max_psi
    ):
        return "drift"
    return "ok"


@dataclass
class _SlateValues:
    """A date's slate and each feature's non-null values, read once for all the models."""

    rows: pa.Table
    cache: dict[str, np.ndarray] = field(default_factory=dict)

    def values(self, name: str) -> np.ndarray:
        if name not in self.cache:
            self.cache[name] = _values(self.rows[name])
        return self.cache[name]


def health_rows(
    day: date,
    model_id: str,
    feature_version: str,
    slate: _SlateValues,
    profiles: dict[str, Profile],
    run_id: str,
    settings: Settings,
) -> pa.Table:
    """One model's feature health on one date's slate, one row per feature it has a profile of."""
    names = [n for n in profiles if n in slate.rows.column_names]
    shares, drifts, states, ratios = [], [], [], []
    for name in names:
        reference = profiles[name]
        values = slate.values(name)
        share = values.size / slate.rows.num_rows if slate.rows.num_rows else 0.0
        drift = psi(reference, values)
        shares.append(share)
        drifts.append(drift)
        ratios.append(share / reference.non_null_share if reference.non_null_share else None)
        states.append(_state(share, reference, drift, settings))
    n = len(names)
    return table_from_columns(
        HEALTH,
        {
            "game_date": [day] * n,
            "model_id": [model_id] * n,
            "feature_version": [feature_version] * n,
            "feature_name": names,
            "slate_rows": [slate.rows.num_rows] * n,
            "non_null_share": shares,
            "reference_non_null_share": [profiles[x].non_null_share for x in names],
            "coverage_ratio": ratios,
            "psi": drifts,
            "state": states,
            "run_id": [run_id] * n,
            "computed_at": [datetime.now(UTC)] * n,
        },
    )


def write_health(warehouse: Warehouse, rows: pa.Table) -> int:
    """Replace the dates' rows of the models in `rows`: a rerun leaves one row per feature."""
    return warehouse.write(HEALTH, rows, replace_by=("game_date", "model_id"))


def health_warnings(rows: pa.Table, settings: Settings) -> list[str]:
    """One line per date and feature that is not ok, naming the models it feeds."""
    flagged: dict[tuple[date, str, str], list[dict]] = defaultdict(list)
    for row in rows.filter(pc.not_equal(rows["state"], "ok")).to_pylist():
        flagged[(row["game_date"], row["feature_name"], row["state"])].append(row)
    lines = []
    for (day, name, state), found in sorted(flagged.items()):
        models = ", ".join(sorted(r["model_id"] for r in found))
        first = found[0]
        if state == "low_coverage":
            lines.append(
                f"{name} has a value on {first['non_null_share']:.0%} of {day}'s "
                f"{first['slate_rows']} slate rows against {first['reference_non_null_share']:.0%}"
                f" of the training rows of {models} (under SHADOWLINE_HEALTH_MIN_COVERAGE="
                f"{settings.health_min_coverage:g} of it): the feed or pipeline behind it may "
                f"have failed, and those models score it as missing; see `shadowline features "
                f"health --start {day} --end {day}`"
            )
        else:
            lines.append(
                f"{name} drifted on {day}: PSI {max(r['psi'] for r in found):.2f} against the "
                f"training rows of {models} (over SHADOWLINE_HEALTH_MAX_PSI="
                f"{settings.health_max_psi:g}); see `shadowline features health --start {day}`"
            )
    return lines


def read_health(
    warehouse: Warehouse, model_id: str | None, start: date | None, end: date | None
) -> pa.Table:
    return warehouse.query(
        sql_text("features/feature_health"),
        {"model_id": model_id or "", "start": start or date.min, "end": end or date.max},
    )


def measure(
    warehouse: Warehouse,
    slates: dict[date, pa.Table],
    models: Sequence[tuple[str, str, tuple[str, ...]]],
    run_ids: dict[date, str],
    settings: Settings,
) -> pa.Table | None:
    """Feature health of each (model_id, feature_version, names) on each date's slate, for the
    models with a stored profile (`registry.training.profile_missing` makes the others one)."""
    profiles = read_profiles(warehouse, [m for m, _, _ in models])
    tables = [
        health_rows(day, model_id, version, values, profiles[model_id], run_ids[day], settings)
        for day, values in ((d, _SlateValues(s)) for d, s in slates.items())
        for model_id, version, _ in models
        if profiles.get(model_id)
    ]
    tables = [t for t in tables if t.num_rows]
    return pa.concat_tables(tables) if tables else None
