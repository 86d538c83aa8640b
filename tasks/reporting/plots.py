"""The report: each model's graded results over time as PNG plots, and a report.md and a
self-contained report.html showing them.

Beside the PNGs (`figures`), report.json lists each one's pixel size and the series it draws (one
per model, and the reference line apart), for programs and tests to check.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.errors import ShadowlineError
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.reporting.figures import Days, Plot, draw
from shadowline.tasks.reporting.html import write_html
from shadowline.tasks.reporting.tables import format_markdown
from shadowline.tasks.warehouse import Warehouse, sql_text


class NothingToReport(ShadowlineError):
    """No graded predictions in the report's range."""


@dataclass(frozen=True)
class Report:
    folder: Path
    start: date
    end: date
    models: list[str]
    plots: list[Plot]
    summary: str

    @property
    def files(self) -> list[Path]:
        names = [p.file for p in self.plots] + ["report.md", "report.html", "report.json"]
        return [self.folder / name for name in names]


def write_report(
    warehouse: Warehouse,
    reports_dir: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    out: Path | None = None,
    tiers: pa.Table | None = None,
    reliability: pa.Table | None = None,
) -> Report:
    """Draw the report for the graded game days from `start` to `end` (default: all of them)
    into `out` (default: reports_dir/<end>), with the edge tiers' plot when `tiers` are given
    (`tasks.evaluation.tiers.read_tiers` over the same days) and the over probabilities' when
    `reliability` is (`tasks.evaluation.calibration.reliability`)."""
    rows = warehouse.query(sql_text("reports/report_days")).to_pylist()
    if not rows:
        raise NothingToReport(
            "no graded predictions yet: nothing to report (grade a game day first with "
            "`shadowline grade --date YYYY-MM-DD`)"
        )
    graded = (rows[0]["game_date"], rows[-1]["game_date"])
    start, end = start or graded[0], end or graded[1]
    rows = [r for r in rows if start <= r["game_date"] <= end]
    if not rows:
        raise NothingToReport(
            f"no graded predictions from {start} to {end} (graded game days: "
            f"{graded[0]} to {graded[1]})"
        )
    days = Days.from_rows(rows)
    span = {"start": start, "end": end}
    monitor = warehouse.query(sql_text("reports/report_monitor"), span).to_pylist()
    errors = warehouse.query(sql_text("reports/report_errors"), span)
    health = warehouse.query(sql_text("reports/report_feature_health"), span).to_pylist()
    folder = out or reports_dir / end.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    tier_rows = tiers.to_pylist() if tiers is not None else None
    bins = reliability.to_pylist() if reliability is not None else None
    plots = draw(folder, days, monitor, errors, health, Settings(), tier_rows, bins)
    table = _totals(days)
    report = Report(folder, start, end, days.models, plots, _summary(days, table))
    (folder / "report.md").write_text(_markdown(report, table))
    write_html(folder, _title(report), report.summary, table, plots)
    manifest = {"start": start.isoformat(), "end": end.isoformat(), "models": days.models}
    manifest["plots"] = [asdict(p) for p in plots]
    (folder / "report.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return report


# --- the words around them --------------------------------------------------------------------


def _totals(days: Days) -> pa.Table:
    """Each model over the report's range, lowest MAE first."""
    c = days.columns
    graded, lined = c["graded_predictions"].sum(1), c["lined_predictions"].sum(1)
    decided = (c["wins"] + c["losses"]).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns = {
            "model_id": days.models,
            "graded_predictions": graded.astype(int),
            "mae": (c["mae"] * c["graded_predictions"]).sum(1) / graded,
            "lined_predictions": lined.astype(int),
            "mae_on_lined": (c["mae_on_lined"] * c["lined_predictions"]).sum(1) / lined,
            "line_mae": (c["line_mae"] * c["lined_predictions"]).sum(1) / lined,
            "bets_decided": decided.astype(int),
            "bet_accuracy": c["wins"].sum(1) / decided,
        }
    # NaN (no rows with a line, no bets) becomes NULL: an empty cell
    table = pa.table({n: pa.array(v, from_pandas=True) for n, v in columns.items()})
    return table.take(np.argsort(table["mae"].to_numpy(), kind="stable"))


def _summary(days: Days, table: pa.Table) -> str:
    best = table.slice(0, 1).to_pylist()[0]
    text = (
        f"{len(days.models)} models over {len(days.dates)} game "
        f"day{'s' if len(days.dates) != 1 else ''}, {days.dates[0]} to "
        f"{days.dates[-1]}: {int(days.columns['graded_predictions'].sum()):,} graded predictions. "
        f"Lowest MAE {best['model_id']} ({best['mae']:.3f})"
    )
    if best["mae_on_lined"] is not None:
        text += (
            f"; on its rows with a line {best['mae_on_lined']:.3f} against the line's "
            f"{best['line_mae']:.3f}"
        )
    return text + "."


def _title(report: Report) -> str:
    return f"shadowline report, {report.start} to {report.end}"


def _markdown(report: Report, table: pa.Table) -> str:
    parts = [f"# {_title(report)}", report.summary]
    parts.append(format_markdown(table))
    for plot in report.plots:
        parts += [f"## {plot.title}", plot.caption, f"![{plot.title}]({plot.file})"]
    return "\n\n".join(parts) + "\n"
