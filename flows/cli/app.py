"""What every command shares: the `app`, the session each command is given, the argument types
(each value's domain from the one place it is defined) and `say`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import cyclopts
from cyclopts import App, Parameter

from shadowline.tasks.core.domains import (
    MIN_EDGE_RULE,
    MODEL_ID_RULE,
    InvalidValue,
    check_min_edge,
    check_model_id,
)
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.ingest.loading import RAW_TABLES
from shadowline.tasks.models.files import MODEL_TYPES
from shadowline.tasks.reporting.tables import FORMATS

# Choices shown in --help and checked when parsing, from the one place each is defined.
ModelType = Literal[MODEL_TYPES]  # type: ignore[valid-type]
# Feature sets are data (nba_predictions.ml_feature_sets): the command checks the name there.
FeatureVersion = Annotated[
    str,
    Parameter(
        help="a feature set defined in nba_predictions.ml_feature_sets, e.g. v1_basic, "
        "v2_context (`shadowline features list`)"
    ),
]
RawTable = Literal[tuple(RAW_TABLES)]  # type: ignore[valid-type]
Format = Annotated[Literal[FORMATS], Parameter(help="output format")]  # type: ignore[valid-type]
Wide = Annotated[
    bool, Parameter(help="every column in the table (csv, json and markdown always have every one)")
]
ColumnNames = Annotated[
    str | None, Parameter(help="these columns in the table, comma-separated: model_id,mae,bets")
]


def _iso_date(type_: object, tokens: Sequence[cyclopts.Token]) -> date:
    text = tokens[0].value
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"bad date {text!r}: use YYYY-MM-DD") from None


Day = Annotated[date, Parameter(converter=_iso_date)]


def _domain(check: Callable[[Any], object], rule: str) -> Callable[[object, object], None]:
    """A cyclopts validator from a domain check: the usage error states the rule (cyclopts
    already names the argument and the value)."""

    def validate(type_: object, value: object) -> None:
        if value is None:
            return
        try:
            check(value)
        except InvalidValue:
            raise ValueError(rule) from None

    return validate


valid_model_id = _domain(check_model_id, MODEL_ID_RULE)
valid_min_edge = _domain(check_min_edge, MIN_EDGE_RULE)
ModelIds = Annotated[
    # validated one by one, so the error quotes the bad id rather than the whole list
    list[Annotated[str, Parameter(validator=valid_model_id)]] | None,
    Parameter(name="--model", help="only this model, enabled or not (repeat)"),
]
NewModelId = Annotated[
    str,
    Parameter(
        help="registry id, e.g. catboost_v3 (letters, digits, _ . -)", validator=valid_model_id
    ),
]
ModelId = Annotated[
    str, Parameter(name="MODEL_ID", help="a registered model_id", validator=valid_model_id)
]


@dataclass(frozen=True)
class Session:
    """What every command gets besides its own arguments."""

    settings: Settings
    warehouse: str
    temporary_server: Any = None  # flows.server.TemporaryServer, for commands that run flows


Given = Annotated[Session, Parameter(parse=False)]


app = App(
    name="shadowline",
    help="Run every player-points model side by side, grade them after the games, and see "
    "which one is better.",
    version_flags=[],
    default_parameter=Parameter(negative=(), show_default=False),
    result_action="return_value",
    print_error=False,
    exit_on_error=False,
    help_on_error=False,
)


def say(message: str = "") -> None:
    print(message, flush=True)
