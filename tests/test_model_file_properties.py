"""Property tests of damaged model files (hypothesis): a real file of each library, truncated,
with bytes overwritten, or with a piece of itself or of another library's file spliced in.

`registry add` of any such file either registers it (the damage left a model that loads and fits
its feature set) or refuses it in one line naming the file, exit 1; a run with such files beside a
good model writes one run-log row per model, each `success` or `failed` with its reason, and the
good model's predictions. Never a traceback: model libraries abort, print raw bytes and raise
their own errors on such files.

The suite draws a few dozen files; `make fuzz` draws hundreds.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shadowline.flows.cli import main
from shadowline.tasks.models.files import ModelSpec
from shadowline.tasks.registry.entries import register_model
from shadowline.tasks.warehouse import open_warehouse
from tests.samples import DEMO_WINDOW, FRAMEWORKS

FUZZ = os.environ.get("SHADOWLINE_HYPOTHESIS_PROFILE") == "fuzz"
ADDS = 150 if FUZZ else 8  # files per library given to `registry add`
RUNS = 20 if FUZZ else 2  # runs, each of a few damaged files beside a good model
EXAMPLES = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=not FUZZ,  # the suite meets the same files every time; the fuzz run new ones
)
_names = itertools.count()


@dataclass(frozen=True)
class Damage:
    """One way to damage a file; positions are shares of its length, so one draw fits any file."""

    how: str  # truncate | overwrite | splice
    at: float  # where the cut, the overwrite or the insertion is
    piece: tuple[float, float]  # splice: the piece of `source`, as shares of it
    source: str  # splice: whose file the piece comes from
    overwrite: bytes  # overwrite: the bytes written at `at`

    def apply(self, files: dict[str, bytes], kind: str) -> bytes:
        data = files[kind]
        at = int(self.at * len(data))
        if self.how == "truncate":
            return data[:at]
        if self.how == "overwrite":
            return data[:at] + self.overwrite + data[at + len(self.overwrite) :]
        source = files[self.source]
        start, end = sorted(int(share * len(source)) for share in self.piece)
        return data[:at] + source[start:end] + data[at:]


SHARE = st.floats(0.0, 1.0, exclude_max=True)
DAMAGE = st.builds(
    Damage,
    how=st.sampled_from(["truncate", "overwrite", "splice"]),
    at=SHARE,
    piece=st.tuples(SHARE, SHARE),
    source=st.sampled_from(FRAMEWORKS),
    # bytes a text format never has, digits and separators that parse, and a newline
    overwrite=st.binary(min_size=1, max_size=16) | st.sampled_from([b"9", b"-1", b" ", b"\n"]),
)


@pytest.fixture(scope="module")
def originals(trained: dict[str, Path]) -> dict[str, bytes]:
    return {kind: path.read_bytes() for kind, path in trained.items()}


def _write(folder: Path, trained: dict[str, Path], kind: str, content: bytes) -> tuple[str, Path]:
    model_id = f"damaged_{kind}_{next(_names)}"
    path = folder / f"{model_id}{trained[kind].suffix}"
    path.write_bytes(content)
    return model_id, path


@pytest.mark.parametrize("kind", FRAMEWORKS)
@settings(EXAMPLES, max_examples=ADDS)
@given(damage=DAMAGE)
def test_registry_add_registers_a_damaged_file_or_refuses_it_in_one_line(
    kind: str,
    damage: Damage,
    originals: dict[str, bytes],
    trained: dict[str, Path],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    model_id, path = _write(tmp_path, trained, kind, damage.apply(originals, kind))
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    capfd.readouterr()
    args = ["--warehouse", url, "registry", "add", "--model-id", model_id,
            "--model-type", kind, "--feature-version", "v1_basic", "--file", str(path)]  # fmt: skip
    code = main(args)
    out, err = capfd.readouterr()
    with open_warehouse(url) as warehouse:
        registered = warehouse.query(
            "select model_id from nba_predictions.ml_model_registry where model_id = @model_id",
            {"model_id": model_id},
        ).num_rows
    event(f"{damage.how}: {'registered' if code == 0 else 'refused'}")
    if code == 0:
        assert registered == 1 and "Traceback" not in out + err
    else:
        assert code == 1 and registered == 0 and out == ""
        assert err.startswith("shadowline: error: ") and len(err.splitlines()) == 1, err
        assert str(path) in err


@pytest.mark.usefixtures("scorers", "prefect_server")
@settings(EXAMPLES, max_examples=RUNS)
@given(damaged=st.lists(st.tuples(st.sampled_from(FRAMEWORKS), DAMAGE), min_size=3, max_size=6))
def test_a_run_with_damaged_files_logs_each_and_writes_the_good_models_rows(
    damaged: list[tuple[str, Damage]],
    originals: dict[str, bytes],
    trained: dict[str, Path],
    demo_url: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    folder, url = tmp_path / "models", demo_url
    folder.mkdir(exist_ok=True)
    ids = []
    with open_warehouse(url) as warehouse:
        for kind, damage in damaged:  # as the seed's INSERT would: no check on the way in
            model_id, path = _write(folder, trained, kind, damage.apply(originals, kind))
            register_model(warehouse, ModelSpec(model_id, kind, str(path), "v1_basic"))
            ids.append(model_id)
    day = str(DEMO_WINDOW[1])
    capfd.readouterr()
    code = main(["--warehouse", url, "run", "--date", day, "--model", "catboost_v1",
                 *itertools.chain.from_iterable(("--model", i) for i in ids)])  # fmt: skip
    out, err = capfd.readouterr()
    assert code == 0 and "Traceback" not in out + err, err[-2000:]
    with open_warehouse(url) as warehouse:
        log = warehouse.query(
            "select model_id, status, error_message from nba_predictions.ml_experiment_runs "
            "where run_id in (select run_id from nba_predictions.ml_experiment_runs "
            "where model_id = @first)",
            {"first": ids[0]},
        ).to_pylist()
        good = warehouse.query(
            "select count(*) as n from nba_predictions.ml_model_predictions "
            "where game_date = @day and model_id = 'catboost_v1'",
            {"day": DEMO_WINDOW[1]},
        ).to_pylist()[0]["n"]
    by_model = {row["model_id"]: row for row in log}
    assert sorted(by_model) == sorted([*ids, "catboost_v1"]) and len(log) == len(by_model)
    assert by_model["catboost_v1"]["status"] == "success" and good > 0
    for model_id in ids:
        row = by_model[model_id]
        event(f"a damaged model's run: {row['status']}")
        assert row["status"] in ("success", "failed"), row
        assert row["status"] == "success" or row["error_message"], row
