"""`shadowline report` and the grading run's report, on copies of the demo warehouse: real PNGs
read back, checked against report.json and against the models the warehouse graded."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from matplotlib.image import imread

from shadowline.flows.cli import main
from shadowline.tasks.features.sets import SHIPPED_SETS
from shadowline.tasks.reporting import plots
from shadowline.tasks.warehouse import open_warehouse
from tests import prefect_api
from tests.samples import DEMO_MODEL_IDS

PLOTS = (
    "cumulative_mae.png", "bet_accuracy.png", "monitor.png", "errors.png", "feature_health.png",
    "edge_tiers.png",
)  # fmt: skip


def graded(url: str) -> tuple[set[str], str, list[date]]:
    """The models with graded rows, the production model and the graded game days."""
    with open_warehouse(url) as warehouse:
        rows = warehouse.query(
            "select distinct model_id, game_date "
            "from nba_predictions.v_ml_model_prediction_results where is_graded"
        ).to_pylist()
        [production] = warehouse.query(
            "select model_id from nba_predictions.ml_model_registry where is_production"
        ).to_pylist()
    models = {r["model_id"] for r in rows}
    return models, production["model_id"], sorted({r["game_date"] for r in rows})


def test_report_draws_one_series_per_graded_model_and_the_reference_apart(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert main(["--warehouse", demo_url, "report", "--out", str(out)]) == 0
    models, production, days = graded(demo_url)
    assert set(models) == DEMO_MODEL_IDS and len(days) == 2  # the demo fixture's
    manifest = json.loads((out / "report.json").read_text())
    assert (manifest["start"], manifest["end"]) == (days[0].isoformat(), days[-1].isoformat())
    assert [p["file"] for p in manifest["plots"]] == list(PLOTS)
    references = {
        "cumulative_mae.png": "consensus line",
        "bet_accuracy.png": "break-even at -110 (52.38%)",
        "monitor.png": f"production ({production})",
        "errors.png": None,
        "feature_health.png": "SHADOWLINE_HEALTH_MIN_COVERAGE (0.6)",
        "edge_tiers.png": "break-even at -110 (52.38%)",
    }
    features = {*SHIPPED_SETS["v2_context"], "teammates_scratched_minutes"}  # + the news feed
    markdown = (out / "report.md").read_text()
    printed = capsys.readouterr().out
    for plot in manifest["plots"]:
        png = out / plot["file"]
        height, width, _ = imread(png).shape
        assert (width, height) == (plot["width"], plot["height"]) == (1200, 600), png
        # the monitor draws each challenger against production, which is the reference line
        if plot["file"] == "feature_health.png":  # one series per feature drawn
            assert 0 < len(plot["series"]) <= 12 and set(plot["series"]) <= features
        else:
            expected = models - {production} if plot["file"] == "monitor.png" else models
            assert sorted(plot["series"]) == sorted(expected), plot["file"]
        assert plot["reference"] == references[plot["file"]]
        assert plot["reference"] not in plot["series"]
        assert f"]({plot['file']})" in markdown
        assert f"wrote {png}" in printed
    assert f"wrote {out / 'report.md'}" in printed and f"wrote {out / 'report.json'}" in printed
    for model in models:
        assert f"| {model} |" in markdown


def test_default_folder_is_per_end_date_and_the_range_narrows_every_plot(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, days = graded(demo_url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHADOWLINE_REPORTS_DIR", raising=False)
    day = days[0].isoformat()
    assert main(["--warehouse", demo_url, "report", "--end", day]) == 0
    folder = tmp_path / ".shadowline" / "reports" / day  # like the default warehouse
    manifest = json.loads((folder / "report.json").read_text())
    assert (manifest["start"], manifest["end"]) == (day, day)
    assert all((folder / p).is_file() for p in PLOTS)
    assert f"over 1 game day, {day} to {day}" in (folder / "report.md").read_text()


def test_nothing_graded_is_one_line_error(
    warehouse_url: str, demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--warehouse", warehouse_url, "report"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("shadowline: error: no graded predictions yet") and "\n" not in err
    assert main(["--warehouse", demo_url, "report", "--start", "2030-01-01"]) == 1
    assert "no graded predictions from 2030-01-01" in capsys.readouterr().err
    args = ["--warehouse", demo_url, "report", "--start", "2025-10-22", "--end", "2025-10-21"]
    assert main(args) == 2
    assert "--start 2025-10-22 is after --end 2025-10-21" in capsys.readouterr().err


@pytest.mark.usefixtures("prefect_server")
def test_grading_writes_the_report_and_its_artifact_links_the_page(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shadowline.flows.grading import grading

    _, _, days = graded(demo_url)
    monkeypatch.setenv("SHADOWLINE_REPORTS_DIR", str(tmp_path / "reports"))
    state = grading(game_date=days[-1], warehouse=demo_url, return_state=True)
    folder = (tmp_path / "reports" / days[-1].isoformat()).resolve()
    summary = state.result()
    assert summary.report == folder and all((folder / p).is_file() for p in PLOTS)
    [artifact] = prefect_api.artifacts(state.state_details.flow_run_id)
    report = artifact.data.split("## Report")[1]
    assert summary.report_summary in report and f"`{folder}`" in report
    page = folder / "report.html"
    assert page.is_file() and f"[Open report.html]({page.as_uri()})" in report


@pytest.mark.usefixtures("prefect_server")
def test_a_report_that_fails_is_a_warning_not_a_failed_grading(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shadowline.flows.grading import grading

    def broken(*args: object, **kwargs: object) -> plots.Report:
        raise OSError("No space left on device")

    _, _, days = graded(demo_url)
    monkeypatch.setattr(plots, "write_report", broken)
    state = grading(game_date=days[-1], warehouse=demo_url, return_state=True)
    assert state.is_completed() and state.result().report is None
    [artifact] = prefect_api.artifacts(state.state_details.flow_run_id)
    assert "report not written: No space left on device" in artifact.data
