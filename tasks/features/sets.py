"""Feature sets: each `feature_version` is an ordered list of columns of
`nba_predictions.ml_feature_store`; a model trained on a version expects exactly those columns in
that order. This mapping is the one place where feature sets are defined.

Scoring actors import this module: it needs pyarrow and the errors, nothing more.
"""

from __future__ import annotations

import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError

FEATURE_SETS: dict[str, tuple[str, ...]] = {
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
    """A feature_version that is not defined."""


def feature_names(feature_version: str) -> tuple[str, ...]:
    """The ordered feature columns of `feature_version`."""
    try:
        return FEATURE_SETS[feature_version]
    except KeyError:
        known = ", ".join(sorted(FEATURE_SETS))
        raise FeatureSetError(
            f"unknown feature_version {feature_version!r}: known versions are {known} "
            "(defined in tasks/features/sets.py FEATURE_SETS)"
        ) from None


def project(batch: pa.Table, names: tuple[str, ...]) -> pa.Table:
    """`player_lookup` plus the feature columns `names`, in order, as float64."""
    missing = [n for n in names if n not in batch.column_names]
    if missing:
        raise FeatureSetError(
            f"the feature store has no column(s) {', '.join(missing)}; "
            "check the model's feature_names in the registry"
        )
    columns = [batch["player_lookup"]] + [batch[n].cast(pa.float64()) for n in names]
    return pa.table(columns, names=["player_lookup", *names])
