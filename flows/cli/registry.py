"""Commands that put models in the registry and change it: `train` and `registry ...` (list,
show, add, enable, disable, promote, rollback, history, set-baseline)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter

from shadowline.flows.cli.app import (
    ColumnNames,
    Day,
    FeatureVersion,
    Format,
    Given,
    ModelId,
    ModelType,
    NewModelId,
    Session,
    Wide,
    app,
    say,
    valid_model_id,
)
from shadowline.tasks.core.errors import UsageError
from shadowline.tasks.reporting.tables import Columns, print_table
from shadowline.tasks.warehouse import open_warehouse


@app.command
def train(
    *,
    model_type: ModelType,
    feature_version: FeatureVersion,
    train_end: Annotated[Day, Parameter(help="train on game dates before this")],
    model_id: NewModelId,
    register: Annotated[bool, Parameter(help="add it to the registry, enabled")] = False,
    require_features: Annotated[
        bool, Parameter(help="refuse to train when a feature has no value on any training row")
    ] = False,
    session: Given,
) -> int:
    """train a model on feature-store rows before a date"""
    from shadowline.tasks.registry.training import train as train_model

    say(f"training {model_type} on {feature_version} rows before {train_end} ...")
    with open_warehouse(session.warehouse) as warehouse:
        trained = train_model(
            warehouse,
            model_type=model_type,
            feature_version=feature_version,
            train_end=train_end,
            model_id=model_id,
            models_dir=session.settings.models_dir,
            model_root=session.settings.model_root,
            register=register,
            require_features=require_features,
        )
    for name in trained.empty_features:
        rows = trained.train_rows + trained.test_rows
        print(f"warning: {name} is empty in all {rows:,} training rows", file=sys.stderr)
    say(
        f"{model_id}: test MAE {trained.test_mae:.3f} on {trained.test_rows:,} held-out rows "
        f"({trained.train_rows:,} training rows); saved {trained.path}"
    )
    if register:
        say(f"registered {model_id} (enabled): the next `shadowline run` scores it")
    return 0


registry_app = app.command(App(name="registry", help="list and change registered models"))


@registry_app.command(name="list")
def registry_list(
    *, format: Format = "table", wide: Wide = False, columns: ColumnNames = None, session: Given
) -> int:
    """every registered model (model_path and updated_at: --wide, or `registry show MODEL_ID`)"""
    from shadowline.tasks.registry.entries import REGISTRY_COLUMNS, list_models
    from shadowline.tasks.registry.promotion import unaudited_production

    with open_warehouse(session.warehouse) as warehouse:
        view = Columns.parse(REGISTRY_COLUMNS, wide, columns)
        print_table(list_models(warehouse), format, columns=view)
        mismatch = unaudited_production(warehouse)
    if mismatch:
        print(f"warning: {mismatch}", file=sys.stderr)
    return 0


@registry_app.command(name="add")
def registry_add(
    *,
    model_id: NewModelId,
    model_type: ModelType,
    feature_version: FeatureVersion,
    file: Annotated[Path, Parameter(help="the model file in its native format")],
    upload: Annotated[
        str | None, Parameter(help="upload it first (gs://bucket/path)", name="--upload")
    ] = None,
    model_name: Annotated[str | None, Parameter(help="display name")] = None,
    test_mae: Annotated[float | None, Parameter(help="MAE measured when it was trained")] = None,
    notes: Annotated[str | None, Parameter(help="free text")] = None,
    session: Given,
) -> int:
    """register a model file after checking that it loads and fits its feature set"""
    from shadowline.tasks.registry.training import register_file

    with open_warehouse(session.warehouse) as warehouse:
        model_path = register_file(
            warehouse,
            file,
            model_id=model_id,
            model_type=model_type,
            feature_version=feature_version,
            upload_to=upload,
            model_root=session.settings.model_root,
            model_name=model_name,
            test_mae=test_mae,
            notes=notes,
        )
    say(f"registered {model_id} (enabled) from {model_path}")
    return 0


@registry_app.command
def enable(model_id: ModelId, /, *, session: Given) -> int:
    """include a model in experiment runs"""
    return _registry_change("enable", model_id, session)


@registry_app.command
def disable(model_id: ModelId, /, *, session: Given) -> int:
    """leave a model out of experiment runs"""
    return _registry_change("disable", model_id, session)


@registry_app.command
def promote(
    model_id: ModelId,
    /,
    *,
    force: Annotated[
        bool, Parameter(negative=(), help="promote whatever the verdict (needs --reason)")
    ] = False,
    reason: Annotated[str, Parameter(help="why, kept in the audit trail")] = "",
    session: Given,
) -> int:
    """make a model the (only) production model if the promotion gate says PROMOTE

    PROMOTE: enough game days and rows shared with production (SHADOWLINE_PROMOTION_MIN_DAYS,
    SHADOWLINE_PROMOTION_MIN_ROWS) and a lower MAE beyond the daily monitor's 95% confidence
    sequence; REJECT: worse; HOLD: not yet. Only PROMOTE (or --force --reason) changes anything.
    """
    from shadowline.tasks.registry import promotion

    if force and not reason.strip():
        raise UsageError('--force needs --reason "...": the audit trail keeps why')
    with open_warehouse(session.warehouse) as warehouse:
        verdict = promotion.promote(
            warehouse, model_id, force=force, reason=reason, settings=session.settings
        )
    say(verdict.line())
    forced = " (forced)" if verdict.decision in (promotion.HOLD, promotion.REJECT) else ""
    say(f"{model_id} is now the production model (the only one){forced}")
    return 0


@registry_app.command
def rollback(
    *, reason: Annotated[str, Parameter(help="why, kept in the audit trail")] = "",
    session: Given,
) -> int:  # fmt: skip
    """make the model that was production before the latest promotion production again"""
    from shadowline.tasks.registry import promotion

    with open_warehouse(session.warehouse) as warehouse:
        was, now = promotion.rollback(warehouse, reason)
    say(f"rolled back: {now} is the production model again (was {was})")
    return 0


@registry_app.command
def history(
    model_id: Annotated[
        str | None, Parameter(help="only this model's changes", validator=valid_model_id)
    ] = None,
    /,
    *,
    format: Format = "table",
    session: Given,
) -> int:  # fmt: skip
    """the registry's audit trail, newest first: time, action, model, previous production model,
    verdict, reason, who"""
    from shadowline.tasks.registry.entries import history as audit_trail

    with open_warehouse(session.warehouse) as warehouse:
        table = audit_trail(warehouse, model_id)
    print_table(table, format)
    return 0


@registry_app.command
def show(model_id: ModelId, /, *, session: Given) -> int:
    """one model: its registry row, lineage (training window, rows, library, hyperparameters,
    fingerprint of the training rows) and its audit history"""
    from shadowline.tasks.registry.entries import describe, require_registered
    from shadowline.tasks.registry.entries import history as audit_trail

    with open_warehouse(session.warehouse) as warehouse:
        require_registered(warehouse, model_id)
        lines = describe(warehouse, model_id)
        trail = audit_trail(warehouse, model_id)
    for line in lines:
        say(line)
    say()
    say(f"history ({trail.num_rows} changes, newest first):")
    print_table(trail)
    return 0


@registry_app.command(name="set-baseline")
def set_baseline(model_id: ModelId, /, *, session: Given) -> int:
    """make a model the (only) baseline model"""
    return _registry_change("set-baseline", model_id, session)


def _registry_change(action: str, model_id: str, session: Session) -> int:
    from shadowline.tasks.registry import entries as registry

    with open_warehouse(session.warehouse) as warehouse:
        if action in ("enable", "disable"):
            registry.set_enabled(warehouse, model_id, action == "enable")
            say(f"{model_id}: {action}d")
        else:
            registry.set_baseline(warehouse, model_id)
            say(f"{model_id} is now the baseline model (the only one)")
    return 0
