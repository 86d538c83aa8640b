"""A model's lineage: what it learned from (training window, rows, a fingerprint of those rows)
and how (library and version, hyperparameters), as the registry records it. `shadowline train`
knows all of it; for a file from elsewhere (`registry add`) what the file itself says is read."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Lineage:
    train_first_game_date: date | None = None
    train_last_game_date: date | None = None
    train_rows: int | None = None
    library: str | None = None
    hyperparameters: dict[str, object] | None = None
    training_fingerprint: str | None = None

    def params(self) -> dict[str, object]:
        """The registry's lineage columns as query parameters."""
        return {
            "train_first_game_date": self.train_first_game_date,
            "train_last_game_date": self.train_last_game_date,
            "train_rows": self.train_rows,
            "library": self.library,
            "hyperparameters": (
                json.dumps(self.hyperparameters, sort_keys=True, default=str)
                if self.hyperparameters is not None
                else None
            ),
            "training_fingerprint": self.training_fingerprint,
        }


def fingerprint(rows: pa.Table, names: tuple[str, ...]) -> str:
    """sha256 of the training rows as the model saw them: keys, features and actual points,
    in key order, as Arrow IPC (the same rows give the same digest on any backend)."""
    columns = ["game_date", "player_lookup", *names, "actual_points"]
    table = rows.select(columns).sort_by(
        [("game_date", "ascending"), ("player_lookup", "ascending")]
    )
    table = pa.table(
        [table[c].cast(pa.float64()) if c in names or c == "actual_points" else table[c]
         for c in columns],
        names=columns,
    ).combine_chunks()  # fmt: skip
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def window(rows: pa.Table) -> tuple[date | None, date | None]:
    if rows.num_rows == 0:
        return None, None
    bounds = pc.min_max(rows["game_date"]).as_py()
    return bounds["min"], bounds["max"]


def from_file(path: Path, model_type: str) -> Lineage:
    """What a native model file records about how it was trained (a file that says nothing
    gives an empty lineage, never an error: the file was checked already)."""
    try:
        return _READERS[model_type](path)
    except Exception:  # noqa: BLE001 (each library fails its own way on what it lacks)
        return Lineage()


def _catboost(path: Path) -> Lineage:
    from catboost import CatBoost

    model = CatBoost()
    model.load_model(str(path))
    meta = dict(model.get_metadata() or {})
    found = re.search(r"tags/v([\w.]+)", meta.get("catboost_version_info", ""))
    given = json.loads(meta["params"]).get("flat_params") if "params" in meta else None
    return Lineage(
        library=f"catboost {found.group(1)}" if found else "catboost",
        hyperparameters=given or model.get_all_params(),
    )


def _xgboost(path: Path) -> Lineage:
    import xgboost as xgb

    booster = xgb.Booster(model_file=str(path))
    config = json.loads(booster.save_config())
    made = config.get("version")
    learner = config["learner"]
    params = {
        "objective": learner["objective"]["name"],
        "num_boosted_rounds": booster.num_boosted_rounds(),
        **learner["gradient_booster"].get("tree_train_param", {}),
    }
    return Lineage(
        library=f"xgboost {'.'.join(map(str, made))}" if made else "xgboost",
        hyperparameters=params,
    )


def _lightgbm(path: Path) -> Lineage:
    text = path.read_text(errors="replace")
    params = dict(re.findall(r"^\[(\w+): (.*)\]$", text, re.MULTILINE))
    trees = len(re.findall(r"^Tree=\d+$", text, re.MULTILINE))
    form = re.search(r"^version=(\S+)$", text, re.MULTILINE)
    return Lineage(
        # a LightGBM file names its format, not the library version that wrote it
        library=f"lightgbm (model format {form.group(1)})" if form else "lightgbm",
        hyperparameters={**params, "num_trees": trees} if params else None,
    )


_READERS = {"catboost": _catboost, "xgboost": _xgboost, "lightgbm": _lightgbm}
