"""Feature sets: each `feature_version` is an ordered list of feature columns; a model trained on
a version expects exactly those columns in that order. The sets live in the warehouse
(`nba_predictions.ml_feature_sets`, `tasks/features/catalog.py`); the two shadowline ships are
below, seeded into that table by `sql/migrations/007_feature_sets_and_lineage.sql` (a test keeps
the two the same).

Scoring actors import this module: it needs pyarrow and the errors, nothing more.
"""

from __future__ import annotations

import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError

SHIPPED_SETS: dict[str, tuple[str, ...]] = {
    # Rolling scoring and minutes: what a 5-game average knows, and a little more.
    "v1_basic": (
        "pts_avg_last_5",
        "pts_avg_last_10",
        "pts_avg_season",
        "min_avg_last_5",
        "min_avg_season",
        "games_played_season",
    ),
    # Adds role, volatility, rest, home/away, opponent defence, injuries and the market's line.
    "v2_context": (
        "pts_avg_last_5",
        "pts_avg_last_10",
        "pts_avg_season",
        "pts_std_last_10",
        "min_avg_last_5",
        "min_avg_last_10",
        "min_avg_season",
        "fga_avg_last_10",
        "fta_avg_last_10",
        "starter_rate_last_10",
        "games_played_season",
        "rest_days",
        "is_back_to_back",
        "is_home",
        "opp_pts_allowed_avg_last_10",
        "teammates_out",
        "betting_line",
    ),
}


class FeatureSetError(ShadowlineError):
    """A feature_version that is not defined, or feature names no table holds."""


def undefined(feature_version: str, known: list[str] | None = None) -> FeatureSetError:
    listed = f"defined sets are {', '.join(known)}; " if known else ""
    return FeatureSetError(
        f"unknown feature_version {feature_version!r}: {listed}define it with "
        f"`shadowline features define {feature_version} --columns a,b,c` or an INSERT into "
        "nba_predictions.ml_feature_sets (`shadowline features list` shows the sets)"
    )


def project(batch: pa.Table, names: tuple[str, ...]) -> pa.Table:
    """`player_lookup` plus the feature columns `names`, in order, as float64."""
    missing = [n for n in names if n not in batch.column_names]
    if missing:
        raise FeatureSetError(
            f"no feature column(s) {', '.join(missing)} in nba_predictions.ml_feature_store "
            "or a registered feature source: register the table that holds them "
            "(`shadowline features source add`) or fix the set's feature_names"
        )
    columns = [batch["player_lookup"]] + [batch[n].cast(pa.float64()) for n in names]
    return pa.table(columns, names=["player_lookup", *names])
