"""`shadowline demo`: a synthetic season through the whole pipeline, as a user would run it.

Generate and load two seasons of feeds as they come (alternate lines, books' own spellings of
names, late tip-offs), build features, train and register models on last season with
`shadowline train`'s code path, then run the experiment and grading flows day by day over a
window of game days that opens this season.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from datetime import date, timedelta

import pyarrow as pa

from shadowline.flows.experiment import experiment
from shadowline.flows.grading import grading
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.demo import DEMO_SEASONS, generate_seasons
from shadowline.tasks.demo.tables import NEWS_FEED
from shadowline.tasks.evaluation.comparisons import compare_models
from shadowline.tasks.evaluation.monitor import read_monitor
from shadowline.tasks.evaluation.results import (
    head_to_head,
    head_to_head_text,
    leaderboard_text,
    leaderboard_with_best_set,
    monitor_text,
)
from shadowline.tasks.features.catalog import define_feature_set, register_source
from shadowline.tasks.features.store import build_features, game_days, schedule_bounds
from shadowline.tasks.ingest.loading import load_rows
from shadowline.tasks.ingest.players import matching
from shadowline.tasks.registry.entries import set_baseline
from shadowline.tasks.registry.promotion import promote
from shadowline.tasks.registry.training import train
from shadowline.tasks.reporting.tables import format_table
from shadowline.tasks.resources import lend, scorers_for_run
from shadowline.tasks.warehouse import Warehouse, open_warehouse, sql_text

# (model_id, model_type, feature_version): three frameworks, three feature sets. The demo's
# market is efficient but for one thing: the morning lines price a teammate newly ruled out only
# later in the day. lightgbm_v3 alone reads that news (NEWS_SET); the others have no real edge.
NEWS_SET = "v3_news"
NEWS_FEATURE = "teammates_scratched_minutes"  # from the team's own feed, tables.NEWS_FEED
DEMO_MODELS = (
    ("catboost_v1", "catboost", "v1_basic"),
    ("lightgbm_v1", "lightgbm", "v1_basic"),
    ("xgboost_v2", "xgboost", "v2_context"),
    ("catboost_v2", "catboost", "v2_context"),
    ("lightgbm_v3", "lightgbm", NEWS_SET),
)
BASELINE, PRODUCTION = "catboost_v1", "catboost_v2"
# The demo bets as a team would: OVER or UNDER only with 2+ points between prediction and line.
DEMO_MIN_EDGE = 2.0
WINDOW_START = DEMO_SEASONS[-1][0]  # opening night: every team's first game of the season


def run_demo(
    url: str,
    settings: Settings,
    *,
    seed: int = 7,
    days: int = 14,
    say: Callable[[str], None] = print,
) -> None:
    """Run the demo into the warehouse at `url`, telling its progress through `say`. The
    experiment and grading runs of the window share one warehouse connection and one set of
    scoring actors (each model is loaded once)."""
    began = time.perf_counter()
    with (
        open_warehouse(url) as warehouse,
        scorers_for_run(settings) as scorers,
        lend(warehouse=warehouse, scorers=scorers),
    ):
        say(f"shadowline demo -> {warehouse.url}")
        step = _Steps(say, total=4)
        _prepare(warehouse, settings, seed, step)
        window = game_days(warehouse, WINDOW_START, days)
        with step(f"running experiments and grading over {len(window)} game days"):
            _run_window(warehouse, window, step)
        _show(warehouse, say)
        after = game_days(warehouse, window[-1] + timedelta(days=1), 1) or window[-1:]
    say(f"Done in {time.perf_counter() - began:.0f}s. Try next:")
    say(f"  shadowline daily --date {window[-1]}")
    say(f"  shadowline run --date {after[0]} --dry-run")
    say('  shadowline query "select * from nba_predictions.v_ml_model_leaderboard order by mae"')
    say("  shadowline registry promote xgboost_v2   # the promotion gate's verdict")
    page = settings.reports_dir / str(window[-1]) / "report.html"
    say(f"The report, its plots and tables in one page: {page}")


def _prepare(warehouse: Warehouse, settings: Settings, seed: int, step: _Steps) -> None:
    """Load two seasons, build their features, train and register the models."""
    with step(f"generating two synthetic seasons (seed {seed})"):
        season = generate_seasons(seed=seed)
        for table, rows in season.tables().items():
            loaded = load_rows(warehouse, table, rows)
            if loaded.unmatched:
                step.detail(loaded.unmatched.describe())
        load_news_feed(warehouse, season.news_feed)
        step.detail(
            f"{season.schedule.num_rows:,} games, "
            f"{season.player_game_summary.num_rows:,} player-games, "
            f"{season.player_points_props.num_rows:,} prop lines, "
            f"{season.player_aliases.num_rows} name aliases"
        )

    bounds = schedule_bounds(warehouse)
    assert bounds is not None  # the season was just loaded
    first, last = bounds
    with step(f"building point-in-time features for {first}..{last}"):
        step.detail(f"{build_features(warehouse, first, last):,} player-game rows")

    with step(f"training {len(DEMO_MODELS)} models on games before {WINDOW_START}"):
        define_feature_set(
            warehouse,
            NEWS_SET,
            base="v2_context",
            add=[NEWS_FEATURE],
            description="v2_context and the team's news feed: minutes of teammates scratched late",
            created_by="shadowline demo",
        )
        for model_id, model_type, feature_version in DEMO_MODELS:
            trained = train(
                warehouse,
                model_type=model_type,
                feature_version=feature_version,
                train_end=WINDOW_START,
                model_id=model_id,
                models_dir=settings.models_dir,
                model_root=settings.model_root,
                register=True,
            )
            step.detail(f"{model_id:<12} {feature_version:<11} test MAE {trained.test_mae:.3f}")
        set_baseline(warehouse, BASELINE, detail="demo")
        promote(warehouse, PRODUCTION, force=True, reason="the demo's production model")
        step.detail(f"baseline {BASELINE}, production {PRODUCTION}")


def load_news_feed(warehouse: Warehouse, rows: pa.Table) -> None:
    """The team's own news feed, registered as a feature source as a team would."""
    warehouse.execute(sql_text("features/demo_news_dataset"))
    warehouse.execute(sql_text("features/demo_news_feed"))
    warehouse.write(NEWS_FEED, rows, replace_by=("player_lookup", "game_date"))
    register_source(
        warehouse,
        "team_news",
        NEWS_FEED,
        as_of_column="posted_at",
        description="the team's reporters: teammates scratched late, before the official report",
        created_by="shadowline demo",
    )


def _run_window(warehouse: Warehouse, window: list[date], step: _Steps) -> None:
    for number, game_day in enumerate(window, start=1):
        ran = experiment(game_date=game_day, warehouse=warehouse.url, min_edge=DEMO_MIN_EDGE)
        graded = grading(game_date=game_day, warehouse=warehouse.url, report=number == len(window))
        if ran.failed or ran.note:
            for line in ran.lines(prefix="    "):
                step.say(line)
        else:
            for line in ran.health:
                step.say(f"    warning: {line}")
        after = graded.after
        step.detail(
            f"[{number:>2}/{len(window)}] {game_day}  {len(ran.outcomes)} models, "
            f"{ran.rows_written:,} predictions, {after.graded:,} graded, {after.void} void"
        )


def _show(warehouse: Warehouse, say: Callable[[str], None]) -> None:
    say("")
    say("Leaderboard (nba_predictions.v_ml_model_leaderboard)")
    say(leaderboard_text(*leaderboard_with_best_set(warehouse)))
    say("")
    say(f"Head-to-head: {PRODUCTION} (production) vs {BASELINE} (baseline)")
    table = head_to_head(warehouse, PRODUCTION, BASELINE)
    say(head_to_head_text(table, compare_models(warehouse, PRODUCTION, BASELINE)))
    say("")
    say(
        "Where the edge is: bets on players whose team's news feed had teammates of "
        f"{NEWS_MINUTES:g}+ minutes\nscratched late (news), and the others"
    )
    table, truth = news_bets(warehouse)
    say(format_table(table))
    say(
        textwrap.fill(
            f"Rows with a line {truth}. edge: the mean of predicted - line; bet_accuracy with its "
            "95% interval (bets taken as independent; break-even at -110 is 52.4%). The books' "
            "noon lines price a late scratch only at the close; lightgbm_v3 alone reads the feed "
            "and prices it.",
            width=100,
        )
    )
    say("")
    say("Daily monitor: each challenger against production (nba_predictions.ml_model_monitor)")
    say(monitor_text(read_monitor(warehouse)))
    say("")
    say("Player names in the feeds (nba_raw.player_aliases; list the rest with")
    say("`shadowline players unmatched`)")
    for feed in matching(warehouse):
        say(f"  {feed.describe()}")
    say("")


NEWS_MINUTES = 15.0  # a starter's or a rotation player's minutes: news that moves a line


def news_bets(warehouse: Warehouse, news_minutes: float = NEWS_MINUTES) -> tuple[pa.Table, str]:
    """Each model on the rows with a line whose player's teammates were scratched late
    (`news_minutes`+ minutes a game, by the team's feed) and on the others: its mean edge over
    the line, and its bet accuracy with a 95% Wilson interval (bets taken as independent); and
    what happened on those rows (the truth every model faced)."""
    from statsmodels.stats.proportion import proportion_confint

    rows = warehouse.query(sql_text("reports/demo_news_bets"), {"news_minutes": news_minutes})
    out: dict[str, dict[str, object]] = {}
    truth: dict[bool, tuple[int, int]] = {}
    for r in rows.to_pylist():
        side = "news" if r["news"] else "other"
        row = out.setdefault(r["model_id"], {"model_id": r["model_id"]})
        row[f"{side}_edge"] = round(r["mean_edge"], 2)
        row[f"{side}_bets"] = r["bets"]
        if r["bets"]:
            low, high = proportion_confint(r["wins"], r["bets"], alpha=0.05, method="wilson")
            row[f"{side}_bet_accuracy"] = f"{r['wins'] / r['bets']:.1%} ({low:.1%}-{high:.1%})"
        truth[r["news"]] = (r["overs"], r["lined_rows"])
    names = [f"{side}_{n}" for side in ("news", "other") for n in ("edge", "bets", "bet_accuracy")]
    table = pa.Table.from_pylist(
        [{n: row.get(n) for n in ["model_id", *names]} for row in out.values()]
    )
    said = [
        f"{'with news' if news else 'without'}: the over won {overs / lined:.1%} of {lined:,}"
        for news, (overs, lined) in sorted(truth.items(), reverse=True)
        if lined
    ]
    return table, "; ".join(said)


class _Steps:
    """Numbered progress lines with timings: `[2/5] building features ... 3.1s`."""

    def __init__(self, say: Callable[[str], None], total: int) -> None:
        self.say, self.total, self.number = say, total, 0

    def __call__(self, title: str) -> _Steps:
        self.number += 1
        self.say(f"[{self.number}/{self.total}] {title} ...")
        return self

    def detail(self, text: str) -> None:
        self.say(f"      {text}")

    def __enter__(self) -> _Steps:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.say(f"      done in {time.perf_counter() - self.started:.1f}s")
