"""The demo's market as the README states it, read back through shadowline: the noon lines are
efficient but for one thing (a teammate scratched late), and only the model that reads the team's
news feed prices it."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint

from shadowline.flows.demo import NEWS_FEATURE, NEWS_MINUTES, NEWS_SET, news_bets
from shadowline.tasks.warehouse import open_warehouse
from tests.samples import DEMO_MODEL_IDS

# README, "What the demo's market is": the 2025-26 season's noon consensus lines on the
# player-games that had one, split by the team's news feed.
README = {"line_mae": 4.77, "over_with_news": 0.623, "over_without_news": 0.496}
BREAK_EVEN = 110 / 210  # at -110

SEASON = f"""
select coalesce(n.{NEWS_FEATURE}, 0) >= @news_minutes as news, count(*) as rows,
  countif(g.points > f.betting_line) as overs, sum(abs(g.points - f.betting_line)) as errors
from nba_predictions.ml_feature_store as f
join nba_analytics.player_game_summary as g using (game_date, player_lookup)
left join team_features.news_feed as n using (game_date, player_lookup)
where f.betting_line is not null and g.minutes_played > 0 and f.game_date >= @start
group by news
"""


def test_the_noon_line_is_efficient_except_after_a_late_scratch(demo_url: str) -> None:
    from shadowline.flows.demo import WINDOW_START

    with open_warehouse(demo_url) as warehouse:
        split = warehouse.query(SEASON, {"news_minutes": NEWS_MINUTES, "start": WINDOW_START})
    by_news = {r["news"]: r for r in split.to_pylist()}
    rows = sum(r["rows"] for r in by_news.values())
    assert rows > 15_000
    assert sum(r["errors"] for r in by_news.values()) / rows == pytest.approx(
        README["line_mae"], abs=0.01
    )
    for news, name in ((True, "over_with_news"), (False, "over_without_news")):
        r = by_news[news]
        low, high = proportion_confint(r["overs"], r["rows"], alpha=0.05, method="wilson")
        assert low <= README[name] <= high, (name, low, high)
        if news:  # a real edge: the over beats -110 after a late scratch
            assert low > BREAK_EVEN
        else:  # none: the over is a coin flip
            assert low <= 0.5 <= high


@pytest.fixture(scope="module")
def season_url(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo warehouse with the rest of the season backfilled at the demo's 2+
    points of edge: a season of late scratches (a couple of game days hold only a few)."""
    from shadowline.flows.cli import main
    from shadowline.flows.demo import DEMO_MIN_EDGE
    from shadowline.tasks.demo.schedule import DEFAULT_SEASON_END
    from tests.samples import DEMO_WINDOW

    copy = tmp_path_factory.mktemp("season") / "demo.duckdb"
    shutil.copy(demo_file, copy)
    url = f"duckdb:///{copy}"
    start = str(DEMO_WINDOW[1] + timedelta(days=1))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHADOWLINE_MIN_EDGE", str(DEMO_MIN_EDGE))
        backfill = ["backfill", "--start", start, "--end", str(DEFAULT_SEASON_END)]
        assert main(["--warehouse", url, *backfill]) == 0
    return url


def test_only_the_model_reading_the_news_prices_it(season_url: str) -> None:
    """Over the season, the edge is where it was put: only lightgbm_v3 (NEWS_SET) moves its
    prediction above the line after a late scratch; the others agree with the noon line there
    as they do elsewhere (it prices none of the news)."""
    with open_warehouse(season_url) as warehouse:
        table, truth = news_bets(warehouse)
        (reader,) = warehouse.query(
            "select model_id from nba_predictions.ml_model_registry where feature_version = @v",
            {"v": NEWS_SET},
        ).to_pylist()
    edges = {r["model_id"]: r["news_edge"] for r in table.to_pylist()}
    assert set(edges) == DEMO_MODEL_IDS and "with news" in truth
    others = [edge for model, edge in edges.items() if model != reader["model_id"]]
    assert all(abs(edge) < 0.75 for edge in others), edges
    assert edges[reader["model_id"]] > max(others) + 0.75, edges


def test_over_the_season_tiers_find_the_one_edge_where_it_was_put(
    season_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`shadowline tiers` over the season sets lightgbm_v3's OVER edges of 3+ points (its
    late-scratch bets: a scratched star's points go to his teammates, not on top of them, so
    the news is worth ~2-5 points to a line) above break-even, with every tier read at once,
    and sets no tier of a model without the news apart from break-even either way."""
    from shadowline.flows.cli import main
    from shadowline.flows.demo import DEMO_MIN_EDGE

    monkeypatch.setenv("SHADOWLINE_MIN_EDGE", str(DEMO_MIN_EDGE))
    args = ["--warehouse", season_url]
    capsys.readouterr()
    assert main([*args, "tiers", "--format", "json"]) == 0
    tiers = json.loads(capsys.readouterr().out)
    above = {(t["model_id"], t["direction"], t["edge_tier"]) for t in tiers
             if t["verdict"] == "above break-even"}  # fmt: skip
    found = sorted(tier for model, side, tier in above if (model, side) == ("lightgbm_v3", "OVER"))
    assert set(found) & {"3-5", "5+"}, above
    assert {model for model, _, _ in above} == {"lightgbm_v3"}, above
    set_apart = {(t["model_id"], t["direction"], t["edge_tier"], t["verdict"]) for t in tiers
                 if t["model_id"] != "lightgbm_v3"
                 and t["verdict"] not in ("not distinguishable", "too early")}  # fmt: skip
    assert not set_apart, set_apart
    assert main([*args, "tiers"]) == 0
    words = " ".join(capsys.readouterr().out.split())
    assert all(f"lightgbm_v3 OVER {tier}: above break-even" in words for tier in found), words
