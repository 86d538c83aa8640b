"""The report's plots, drawn from the daily view's rows: one PNG each, the same colour per model.

matplotlib is imported only when a report is drawn (`shadowline --help` stays fast), and only its
object-oriented `Figure` is used: no pyplot, so no display and no global state shared between
flow runs in threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from shadowline.tasks.core.settings import Settings

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 1200, 600, 100  # every PNG: 12 x 6 inches at 100 dots per inch
ROLLING_DAYS = 7
BREAK_EVEN = 110 / 210  # the bet accuracy that breaks even at -110
LINE_LABEL = "consensus line"
BREAK_EVEN_LABEL = "break-even at -110 (52.38%)"


@dataclass(frozen=True)
class Plot:
    """One PNG, as report.json lists it."""

    file: str
    title: str
    width: int
    height: int
    series: list[str]  # one label per model drawn
    reference: str | None  # the reference line's label, when the plot has one
    caption: str


@dataclass
class Days:
    """The daily view's rows as arrays: one row per model, one column per game day."""

    dates: list[date]
    models: list[str]
    columns: dict[str, np.ndarray]  # 0 where a model has no row that day

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> Days:
        dates = sorted({r["game_date"] for r in rows})
        models = sorted({r["model_id"] for r in rows})
        names = ("graded_predictions", "mae", "lined_predictions", "mae_on_lined", "line_mae")
        columns = {n: np.zeros((len(models), len(dates))) for n in (*names, "wins", "losses")}
        for r in rows:
            at = (models.index(r["model_id"]), dates.index(r["game_date"]))
            for name in columns:
                columns[name][at] = r[name] or 0.0
        return cls(dates, models, columns)

    def cumulative(self, mean: str, rows: str) -> np.ndarray:
        """Each model's mean over all its rows up to each day."""
        return _running_mean(self.columns[mean], self.columns[rows])


def _running_mean(means: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The mean over all rows up to each day (last axis), from daily means and their rows; NaN
    before the first row."""
    total, count = np.cumsum(means * rows, axis=-1), np.cumsum(rows, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def draw(
    folder: Path,
    days: Days,
    monitor: list[dict[str, Any]],
    errors: pa.Table,
    health: list[dict[str, Any]],
    settings: Settings,
    tiers: list[dict[str, Any]] | None = None,
    reliability: list[dict[str, Any]] | None = None,
) -> list[Plot]:
    """The plots, written into `folder` (the edge tiers' and the over probabilities' when their
    rows are given)."""
    colors = _colors(days.models)
    drawn = [
        _cumulative_mae(days, colors),
        _rolling_accuracy(days, colors),
        _monitor(monitor, colors),
        _errors(errors, days.models, colors),
        _feature_health(health, settings),
    ]
    if tiers:
        drawn.append(_edge_tiers(tiers, colors))
    if reliability:
        drawn.append(_reliability(reliability, colors))
    return [_save(figure, folder, *about) for figure, *about in drawn]


# --- the five plots ---------------------------------------------------------------------------
# Each returns (figure, file name, title, reference label or None, caption).

Drawn = tuple["Figure", str, str, str | None, str]


def _figure(columns: int = 1) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
    axes = figure.subplots(1, columns, squeeze=False, sharey=True)[0]
    return figure, list(axes)


def _colors(models: Sequence[str]) -> dict[str, Any]:
    """One colour per model, the same in every plot."""
    from matplotlib import colormaps

    palette = colormaps["tab10" if len(models) <= 10 else "tab20"]
    return {m: palette(i % palette.N) for i, m in enumerate(models)}


def _dates(axes: Axes) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.grid(alpha=0.3)


def _cumulative_mae(days: Days, colors: dict[str, Any]) -> Drawn:
    figure, (every, lined) = _figure(2)
    mae = days.cumulative("mae", "graded_predictions")
    on_lined = days.cumulative("mae_on_lined", "lined_predictions")
    for i, model in enumerate(days.models):
        every.plot(days.dates, mae[i], marker=".", color=colors[model], label=model)
        lined.plot(days.dates, on_lined[i], marker=".", color=colors[model], label=model)
    # Every model scores the same slate, so the line's MAE pooled over the models' lined rows is
    # its MAE on each model's rows (and a fair average if a model skipped some).
    lined_rows = days.columns["lined_predictions"]
    line = _running_mean(
        (days.columns["line_mae"] * lined_rows).sum(0) / np.maximum(lined_rows.sum(0), 1),
        lined_rows.sum(0),
    )
    lined.plot(days.dates, line, color="black", linestyle="--", linewidth=2, label=LINE_LABEL)
    every.set(title="all graded rows", ylabel="cumulative MAE (points)")
    lined.set(title="graded rows with a line, beside the line")
    for axes in (every, lined):
        _dates(axes)
        axes.legend(fontsize="small")
    title = "Cumulative MAE by model"
    figure.suptitle(title)
    caption = (
        "Each model's MAE over all its graded rows up to each game day (left), and on the rows "
        "with a line beside the consensus line's MAE on the same rows (right): only the right "
        "panel compares a model with the line."
    )
    return figure, "cumulative_mae.png", title, LINE_LABEL, caption


def _rolling_accuracy(days: Days, colors: dict[str, Any]) -> Drawn:
    figure, (axes,) = _figure()
    wins, losses = days.columns["wins"], days.columns["losses"]

    def rolling(x: np.ndarray) -> np.ndarray:
        total = np.cumsum(x, axis=-1)
        before = np.zeros_like(total)
        before[:, ROLLING_DAYS:] = total[:, :-ROLLING_DAYS]
        return total - before

    won, decided = rolling(wins), rolling(wins + losses)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(decided > 0, 100 * won / decided, np.nan)
    for i, model in enumerate(days.models):
        axes.plot(days.dates, accuracy[i], marker=".", color=colors[model], label=model)
    axes.axhline(100 * BREAK_EVEN, color="black", linestyle="--", label=BREAK_EVEN_LABEL)
    title = f"Bet accuracy over the last {ROLLING_DAYS} game days"
    axes.set(title=title, ylabel="wins / (wins + losses), %")
    _dates(axes)
    axes.legend(fontsize="small")
    caption = (
        f"Each model's OVER/UNDER record over a rolling window of {ROLLING_DAYS} game days "
        "(fewer at the start; pushes left out), against the 52.38% a bet at -110 needs to break "
        "even. A week of bets is noisy: read the trend, not a day."
    )
    return figure, "bet_accuracy.png", title, BREAK_EVEN_LABEL, caption


def _monitor(rows: list[dict[str, Any]], colors: dict[str, Any]) -> Drawn:
    figure, (axes,) = _figure()
    challengers: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        challengers.setdefault(r["model_id"], []).append(r)
    for model, series in challengers.items():
        when = [r["game_date"] for r in series]
        color = colors.get(model, "grey")
        axes.plot(when, [r["estimate"] for r in series], marker=".", color=color, label=model)
        lower = np.array([np.nan if r["lower_bound"] is None else r["lower_bound"] for r in series])
        upper = np.array([np.nan if r["upper_bound"] is None else r["upper_bound"] for r in series])
        axes.fill_between(when, lower, upper, color=color, alpha=0.15, linewidth=0)
    production = sorted({r["against_model_id"] for r in rows})
    reference = f"production ({', '.join(production)})" if production else None
    if reference:
        axes.axhline(0, color="black", linestyle="--", label=reference)
        axes.legend(fontsize="small")
    else:
        axes.text(
            0.5,
            0.5,
            "no challenger shares graded game days with a production model",
            ha="center",
            transform=axes.transAxes,
        )
    title = "Each challenger against production: 95% confidence sequence"
    axes.set(title=title, ylabel="production's MAE - the model's (points; > 0: better)")
    _dates(axes)
    caption = (
        "The daily monitor: how much lower each challenger's MAE is than production's on the rows "
        "both graded (line), and its 95% confidence sequence (band, from the first game day it "
        "can be bounded). It is valid however often it is read: a band wholly above 0 means "
        "better, wholly below worse."
    )
    return figure, "monitor.png", title, reference, caption


def _errors(errors: pa.Table, models: list[str], colors: dict[str, Any]) -> Drawn:
    figure, (axes,) = _figure()
    values = np.asarray(errors["prediction_error"].to_numpy(zero_copy_only=False), dtype=float)
    ids = np.asarray(errors["model_id"].to_pylist())
    top = max(1.0, float(np.ceil(np.percentile(values, 99)))) if len(values) else 1.0
    bins = np.arange(0.0, top + 1.0, 1.0)
    for model in models:
        mine = values[ids == model]
        axes.hist(
            mine,
            bins=bins,
            density=True,
            histtype="step",
            linewidth=1.5,
            color=colors[model],
            label=model,
        )
        axes.axvline(mine.mean(), color=colors[model], linestyle=":")  # its MAE, unlabelled
    title = "Error distribution by model"
    axes.set(title=title, xlabel="|predicted - actual| (points, 1-point bins)", ylabel="share")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    caption = (
        "The share of each model's graded predictions by absolute error, up to the 99th "
        f"percentile ({top:.0f} points), its MAE dotted: a model with more mass near 0 and a "
        "thinner tail is closer more often."
    )
    return figure, "errors.png", title, None, caption


def _edge_tiers(rows: list[dict[str, Any]], colors: dict[str, Any]) -> Drawn:
    figure, panels = _figure(columns=2)
    labels = list(dict.fromkeys(r["edge_tier"] for r in rows))
    models = list(dict.fromkeys(r["model_id"] for r in rows))
    step = 0.7 / max(len(models), 1)
    for axes, side in zip(panels, ("OVER", "UNDER"), strict=True):
        for j, model in enumerate(models):
            shown = [r for r in rows if r["model_id"] == model and r["direction"] == side]
            shown = [r for r in shown if r["hit_low"] is not None]
            y = [labels.index(r["edge_tier"]) + (j - (len(models) - 1) / 2) * step for r in shown]
            x = np.array([100 * r["hit_rate"] for r in shown])
            spread = [
                x - [100 * r["hit_low"] for r in shown],
                [100 * r["hit_high"] for r in shown] - x,
            ]
            axes.errorbar(x, y, xerr=spread, fmt="o", color=colors.get(model), label=model,
                          markersize=4, capsize=2)  # fmt: skip
        axes.axvline(100 * BREAK_EVEN, color="black", linestyle="--", label=BREAK_EVEN_LABEL)
        axes.set(title=side, xlabel="hit rate, % (95% interval)", yticks=range(len(labels)))
        axes.set_yticklabels(labels)
        axes.grid(alpha=0.3)
    panels[0].set_ylabel("edge: |predicted - line|, points")
    panels[1].legend(fontsize="small")
    title = "Hit rate by edge tier and side"
    figure.suptitle(title)
    caption = (
        "Each model's bets by edge tier, OVER and UNDER apart: the hit rate with its 95% interval "
        "(game days as clusters) against the 52.38% a bet at -110 needs. An interval across the "
        "line is a tier not distinguishable from break-even; `shadowline tiers` gives the verdicts "
        "with every tier read at once (Holm)."
    )
    return figure, "edge_tiers.png", title, BREAK_EVEN_LABEL, caption


PERFECT_LABEL = "probability = win rate"
RELIABILITY_MIN_ROWS = 30  # a bin of a few rows is noise on the plot (its interval spans it all)


def _reliability(rows: list[dict[str, Any]], colors: dict[str, Any]) -> Drawn:
    figure, [axes] = _figure()
    axes.plot([0, 100], [0, 100], color="black", linestyle="--", label=PERFECT_LABEL)
    for model in dict.fromkeys(r["model_id"] for r in rows):
        shown = [r for r in rows if r["model_id"] == model and r["rows"] >= RELIABILITY_MIN_ROWS]
        x, y = (np.array([100 * r[k] for r in shown]) for k in ("probability", "over_rate"))
        spread = [y - [100 * r["low"] for r in shown], [100 * r["high"] for r in shown] - y]
        axes.errorbar(x, y, yerr=spread, fmt="o-", color=colors.get(model), label=model,
                      markersize=4, capsize=2)  # fmt: skip
    axes.set(xlabel="over probability, % (mean in each tenth)", ylabel="over won, %")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    title = "Over probabilities against how often the over won"
    caption = (
        "Each model's graded rows with an over probability, in ten bins of it (those of 30 rows "
        "or more): the mean probability against the share of overs that won, with a 95% "
        "interval. A calibrated model's points lie on the diagonal; `shadowline calibration` "
        "has the scores."
    )
    return figure, "calibration.png", title, PERFECT_LABEL, caption


SHOWN_FEATURES = 6  # per panel: the features furthest from their training rows


def _worst(by_feature: dict[str, list[dict[str, Any]]], key: str, lowest: bool) -> list[str]:
    """The features with the lowest (or highest) `key` on any day."""

    def score(name: str) -> float:
        values = [r[key] for r in by_feature[name] if r[key] is not None]
        if not values:
            return float("inf") if lowest else float("-inf")
        return min(values) if lowest else max(values)

    return sorted(by_feature, key=score, reverse=not lowest)[:SHOWN_FEATURES]


def _feature_health(rows: list[dict[str, Any]], settings: Settings) -> Drawn:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
    coverage, drift = figure.subplots(1, 2)
    by_feature: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_feature.setdefault(r["feature_name"], []).append(r)
    worst = partial(_worst, by_feature)
    from matplotlib import colormaps

    palette = colormaps["tab20"]
    color = {name: palette(i % palette.N) for i, name in enumerate(sorted(by_feature))}
    for axes, key, names in (
        (coverage, "coverage_ratio", worst("coverage_ratio", lowest=True)),
        (drift, "psi", worst("psi", lowest=False)),
    ):
        for name in names:
            series = by_feature[name]
            values = [np.nan if r[key] is None else r[key] for r in series]
            when = [r["game_date"] for r in series]
            axes.plot(when, values, marker=".", color=color[name], label=name)
        _dates(axes)
    reference = f"SHADOWLINE_HEALTH_MIN_COVERAGE ({settings.health_min_coverage:g})"
    coverage.axhline(settings.health_min_coverage, color="black", linestyle="--", label=reference)
    coverage.set(title="Coverage against training", ylabel="share with a value / training share")
    drift.set(title="Drift against training", ylabel="PSI over the training deciles")
    if settings.health_max_psi is not None:
        drift.axhline(settings.health_max_psi, color="grey", linestyle=":")
    if not rows:
        coverage.text(0.5, 0.5, "no feature health recorded", ha="center",
                      transform=coverage.transAxes)  # fmt: skip
    for axes in (coverage, drift):
        if axes.get_legend_handles_labels()[0]:  # an empty panel has nothing to name
            axes.legend(fontsize="x-small")
    title = "Feature health: coverage and drift against each model's training rows"
    caption = (
        f"Left: the {SHOWN_FEATURES} features whose share of slate rows with a value fell "
        "furthest below the share on the training rows (the lowest among the models using "
        "each); under the dashed line a run warns. Right: the features whose values moved "
        "furthest from the training deciles (PSI, the highest among the models). A daily slate "
        "moves schedule features (rest_days, games_played_season) far from a season of rows, "
        "so drift is shown, and warned only above SHADOWLINE_HEALTH_MAX_PSI when it is set."
    )
    return figure, "feature_health.png", title, reference, caption


def _save(
    figure: Figure, folder: Path, file: str, title: str, reference: str | None, caption: str
) -> Plot:
    """Write the PNG; its series are the labels actually drawn, the reference apart."""
    labels: list[str] = []
    for axes in figure.axes:
        labels += [label for label in axes.get_legend_handles_labels()[1] if label not in labels]
    figure.savefig(folder / file, dpi=DPI)
    width, height = (round(x) for x in figure.get_size_inches() * DPI)
    series = [label for label in labels if label != reference]
    return Plot(file, title, width, height, series, reference, caption)
