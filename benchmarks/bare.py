"""The bare references `make bench` measures shadowline against: the same useful work as a plain
script, with no orchestration, no Ray and no SQL transpiling (the harness hands it shadowline's
statements already rendered for DuckDB). It imports nothing from shadowline.

    python benchmarks/bare.py daily WAREHOUSE SQL_JSON DATE
    python benchmarks/bare.py grade WAREHOUSE SQL_JSON DATE
    python benchmarks/bare.py loop  WAREHOUSE SQL_JSON START END   # date by date
    python benchmarks/bare.py set   WAREHOUSE SQL_JSON START END   # the range at once

daily: build the date's features, read its slate, score every enabled model, write the
predictions (replacing the date's rows). grade: the grading MERGE for one date. loop: daily and
grade for every game date of a range, models loaded once. set: the same range with each step
run once over all its dates.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NAMESPACE = uuid.UUID("6f0c1a52-4a8e-4d7b-9a59-6c1d2b7e5f10")  # shadowline's prediction ids
PREDICTIONS = "nba_predictions.ml_model_predictions"


def run(con: duckdb.DuckDBPyConnection, statements: list[dict], params: dict) -> pa.Table | None:
    result = None
    for s in statements:
        values = {p: params[p] for p in s["params"]}
        if s["is_query"]:
            result = con.sql(s["sql"], params=values or None).to_arrow_table()
        else:
            con.execute(s["sql"], values or None)
    return result


def load(model_type: str, path: str, threads: int = 1) -> Any:
    """A model file's predict function, with the library's own `threads` threads."""
    if model_type == "catboost":
        from catboost import CatBoostRegressor

        model = CatBoostRegressor()
        model.load_model(path, format="cbm")
        return lambda x: model.predict(x, thread_count=threads)
    if model_type == "xgboost":
        import xgboost as xgb

        booster = xgb.Booster(model_file=path)
        booster.set_param({"nthread": threads})
        return booster.inplace_predict
    import lightgbm as lgb

    booster = lgb.Booster(model_file=path)
    return lambda x: booster.predict(x, num_threads=threads)


def models(con: duckdb.DuckDBPyConnection, features: dict[str, list[str]]) -> list[tuple]:
    rows = con.execute(
        "select model_id, model_type, model_path, feature_version, feature_names "
        "from nba_predictions.ml_model_registry where enabled order by model_id"
    ).fetchall()
    return [
        (model_id, load(kind, path), list(names or features[version]), version)
        for model_id, kind, path, version, names in rows
    ]


def predictions(slate: pa.Table, loaded: list[tuple]) -> pa.Table:
    tables = []
    now = datetime.now(UTC)
    players = slate["player_lookup"].to_pylist()
    days = slate["game_date"].to_pylist()
    line = pc.fill_null(slate["betting_line"].cast(pa.float64()), np.nan).to_numpy()
    for model_id, predict, names, version in loaded:
        x = np.column_stack(
            [slate[n].cast(pa.float64()).to_numpy(zero_copy_only=False) for n in names]
        )
        points = np.clip(np.asarray(predict(x), dtype=np.float64).reshape(-1), 0.0, 70.0)
        edge = points - line
        bet = np.where(edge > 0, "OVER", np.where(edge < 0, "UNDER", "PASS"))
        side = np.where(np.isnan(line), "NO_LINE", bet)
        over, under = side == "OVER", side == "UNDER"
        odds = np.where(over, column(slate, "best_over_odds"),
                        np.where(under, column(slate, "best_under_odds"), None))  # fmt: skip
        book = np.where(over, column(slate, "best_over_book"),
                        np.where(under, column(slate, "best_under_book"), None))  # fmt: skip
        n = slate.num_rows
        tables.append(
            pa.table(
                {
                    "prediction_id": [
                        str(uuid.uuid5(NAMESPACE, f"{model_id}|{p}|{d.isoformat()}"))
                        for p, d in zip(players, days, strict=True)
                    ],
                    "model_id": [model_id] * n,
                    "player_lookup": slate["player_lookup"],
                    "game_date": slate["game_date"],
                    "game_id": slate["game_id"],
                    "team_abbr": slate["team_abbr"],
                    "opponent_team_abbr": slate["opponent_team_abbr"],
                    "predicted_points": points,
                    "betting_line": slate["betting_line"],
                    "line_books": slate["line_books"],
                    "recommendation": side,
                    "edge_vs_line": pa.array(edge, from_pandas=True),
                    "min_edge": np.zeros(n),
                    "feature_version": [version] * n,
                    "prediction_time": pa.array([now] * n, pa.timestamp("us", "UTC")),
                    "run_id": ["bare"] * n,
                    "bet_odds": pa.array(odds.tolist(), pa.int64()),
                    "bet_book": pa.array(book.tolist(), pa.string()),
                }
            )
        )
    return pa.concat_tables(tables)


def column(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table[name].to_pylist(), dtype=object)


def write(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> None:
    con.register("staged", rows)
    columns = ", ".join(rows.column_names)
    con.execute("begin transaction")
    con.execute(
        f"delete from {PREDICTIONS} where game_date in (select distinct game_date from staged) "
        "and model_id in (select distinct model_id from staged)"
    )
    con.execute(f"insert into {PREDICTIONS} ({columns}) select {columns} from staged")
    con.execute("commit")
    con.unregister("staged")


def score_range(con: duckdb.DuckDBPyConnection, sql: dict, start: date, end: date,
                loaded: list[tuple]) -> pa.Table | None:  # fmt: skip
    params = {"start_date": start, "end_date": end, **sql["constants"]}
    run(con, sql["build_features"], params)
    batch = run(con, sql["feature_batch"], params)
    assert batch is not None
    slate = batch.filter(pc.invert(pc.fill_null(pc.equal(batch["injury_status"], "OUT"), False)))
    if slate.num_rows == 0:
        return None
    rows = predictions(slate, loaded)
    write(con, rows)
    return rows


def main(argv: list[str]) -> None:
    command, path, sql_file = argv[:3]
    days = [date.fromisoformat(a) for a in argv[3:]]
    sql = json.loads(open(sql_file).read())
    con = duckdb.connect(path)
    run(con, sql["session"], {})
    if command == "grade":
        run(con, sql["grade"], {"start_date": days[0], "end_date": days[0]})
        return
    loaded = models(con, sql["feature_sets"])
    if command == "daily":
        score_range(con, sql, days[0], days[0], loaded)
    elif command == "set":
        score_range(con, sql, days[0], days[1], loaded)
        run(con, sql["grade"], {"start_date": days[0], "end_date": days[1]})
    elif command == "loop":
        found = con.execute(
            "select distinct game_date from nba_raw.schedule where game_date between $s and $e "
            "order by game_date",
            {"s": days[0], "e": days[1]},
        ).fetchall()
        for (day,) in found:
            if score_range(con, sql, day, day, loaded) is not None:
                run(con, sql["grade"], {"start_date": day, "end_date": day})
    con.close()


if __name__ == "__main__":
    main(sys.argv[1:])
