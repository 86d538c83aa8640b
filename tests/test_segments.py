"""`shadowline segments`: the head-to-head split by slate, side, venue and line, each segment
the same comparison on its own rows."""

from __future__ import annotations

import json

import pytest

from shadowline.flows.cli import main
from shadowline.tasks.warehouse import open_warehouse

PAIRED = """
select a.prediction_error - b.prediction_error as difference, a.betting_line, g.home
from nba_predictions.ml_model_predictions as a
join nba_predictions.ml_model_predictions as b using (player_lookup, game_date)
join nba_analytics.player_game_summary as g using (player_lookup, game_date)
where a.model_id = 'lightgbm_v3' and b.model_id = 'catboost_v2'
  and a.prediction_error is not null and b.prediction_error is not null
"""


def test_each_dimension_splits_the_shared_rows_and_each_segment_is_its_own_comparison(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--warehouse", demo_url, "segments", "lightgbm_v3", "catboost_v2",
                 "--format", "json"]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    with open_warehouse(demo_url) as warehouse:
        paired = warehouse.query(PAIRED).to_pylist()
    by_dimension: dict[str, int] = {}
    for r in rows:
        by_dimension[r["dimension"]] = by_dimension.get(r["dimension"], 0) + r["rows"]
    lined = sum(p["betting_line"] is not None for p in paired)
    assert by_dimension == {"slate": len(paired), "venue": len(paired), "line": len(paired),
                            "direction": lined}  # fmt: skip
    segment = {r["segment"]: r for r in rows}
    home = [p["difference"] for p in paired if p["home"]]
    assert segment["home"]["rows"] == len(home)
    assert segment["home"]["mae_difference"] == pytest.approx(sum(home) / len(home))
    high = [p["difference"] for p in paired if (p["betting_line"] or 0) >= 20]
    assert segment["line 20+"]["mae_difference"] == pytest.approx(sum(high) / len(high))
    for r in rows:
        if r["ci_lower"] is not None:
            assert r["ci_lower"] <= r["mae_difference"] <= r["ci_upper"]
        assert r["verdict"] in {"not distinguishable", "too early", "lightgbm_v3 better",
                                "catboost_v2 better"}  # fmt: skip

    assert main(["--warehouse", demo_url, "segments", "lightgbm_v3", "catboost_v2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("a = lightgbm_v3, b = catboost_v2")
    assert all(len(line) <= 100 for line in out.splitlines())
    assert main(["--warehouse", demo_url, "segments", "lightgbm_v3", "nope_v9"]) == 1
    assert "no graded predictions for nope_v9" in capsys.readouterr().err
