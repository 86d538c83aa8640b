"""The promotion gate: a verdict on making a model production, with its numbers, and the
promotions and rollbacks it allows, each one transaction with its audit row.

The verdict reads the same evidence as the daily monitor (`tasks/evaluation/monitor.py`): each
shared game day's mean error difference against production, and the anytime-valid 95% confidence
sequence over them, so the gate may be asked every day without crying wolf.

- PROMOTE: enough shared evidence (settings: promotion_min_rows, promotion_min_days) and the
  sequence's lower bound above 0 (the model's MAE is lower than production's);
- REJECT: its upper bound below 0 (worse);
- HOLD: not enough evidence yet, or no detectable difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

import numpy as np
import pyarrow.compute as pc

from shadowline.tasks.core.errors import ShadowlineError, WarehouseError
from shadowline.tasks.core.settings import Settings
from shadowline.tasks.evaluation.monitor import confidence_sequence
from shadowline.tasks.registry.entries import REGISTRY, RegistryError, actor, require_registered
from shadowline.tasks.warehouse import Warehouse, sql_text

PROMOTE, HOLD, REJECT, NO_GATE, ROLLBACK = "PROMOTE", "HOLD", "REJECT", "NO-GATE", "ROLLBACK"


class NotPromoted(ShadowlineError):
    """The gate held or rejected a promotion; nothing changed."""


@dataclass(frozen=True)
class Verdict:
    model_id: str
    production: str | None
    decision: str
    shared_rows: int = 0
    game_days: int = 0
    estimate: float | None = None  # production's MAE - the model's, mean over shared game days
    lower: float | None = None  # 95% confidence sequence (None while unbounded)
    upper: float | None = None
    # per model: bets, accuracy, roi at -110, roi at the stored prices
    bets: dict[str, tuple[int, float | None, float | None, float | None]] | None = None
    missing: str = ""  # what a HOLD lacks
    live_only: bool = True  # counted the rows scored live only (promotion_include_backfill off)
    backfill_days: int = 0  # shared game days with graded rows it did not count (backfill)

    def numbers(self) -> str:
        """The evidence in one line, as the audit row keeps it."""
        if self.production is None:
            return "no production model yet: promoted without a gate"
        parts = [f"{self.shared_rows:,} shared graded rows over {self.game_days} game days"]
        parts[0] += (
            f" (live rows only; {self.backfill_days} more game days of backfill rows not counted:"
            " SHADOWLINE_PROMOTION_INCLUDE_BACKFILL=true counts them)"
            if self.live_only and self.backfill_days
            else " (live rows only)"
            if self.live_only
            else " (live and backfill rows: SHADOWLINE_PROMOTION_INCLUDE_BACKFILL)"
        )
        if self.estimate is not None:
            better = "better" if self.estimate >= 0 else "worse"
            interval = (
                f"95% CS {self.lower:+.2f} to {self.upper:+.2f}"
                if self.lower is not None and self.upper is not None
                else "95% CS not bounded yet"
            )
            parts.append(f"{abs(self.estimate):.2f} {better} so far, {interval}")
        for model, (bets, accuracy, roi, at_odds) in (self.bets or {}).items():
            if bets:
                money = f"ROI {roi:+.1%} at -110"
                if at_odds is not None:
                    money += f", {at_odds:+.1%} at the prices taken"
                parts.append(f"{model} {bets:,} bets, {accuracy:.1%} won, {money}")
        return "; ".join(parts)

    def line(self) -> str:
        """`HOLD: 3 of 7 game days; 0.08 better so far, 95% CS -0.11 to 0.27; ...`"""
        if self.production is None:
            return f"{NO_GATE}: {self.numbers()}"
        head = f"{self.decision} {self.model_id} against production {self.production}"
        return f"{head}: " + "; ".join(p for p in (self.missing, self.numbers()) if p)


def production_model(warehouse: Warehouse) -> str | None:
    found = warehouse.query(sql_text("registry/production"))["model_id"].to_pylist()
    return found[0] if found else None


def evaluate(warehouse: Warehouse, model_id: str, settings: Settings | None = None) -> Verdict:
    """The gate's verdict on making `model_id` production (changes nothing)."""
    settings = settings or Settings()
    require_registered(warehouse, model_id)
    production = production_model(warehouse)
    if production is None:
        return Verdict(model_id, None, NO_GATE)
    if production == model_id:
        raise RegistryError(f"{model_id} is already the production model")
    live_only = not settings.promotion_include_backfill
    days = _shared_days(warehouse, model_id, live_only)
    backfill_days = len(_shared_days(warehouse, model_id, False)) - len(days) if live_only else 0
    bets = {
        r["model_id"]: (r["bets"] or 0, r["bet_accuracy"], r["roi"], r["roi_at_odds"])
        for r in warehouse.query(sql_text("registry/gate_bets")).to_pylist()
    }
    ordered = {m: bets[m] for m in (model_id, production) if m in bets}
    if not days:
        missing = "no game day graded for both yet" + (" from live runs" if live_only else "")
        return Verdict(model_id, production, HOLD, bets=ordered, missing=missing,
                       live_only=live_only, backfill_days=backfill_days)  # fmt: skip
    mean, lower, upper = confidence_sequence(np.array([d["difference"] for d in days]))
    rows, count = int(sum(d["shared_rows"] for d in days)), len(days)
    lo, hi = float(lower[-1]), float(upper[-1])
    bounded = np.isfinite(lo) and np.isfinite(hi)
    short = []
    if count < settings.promotion_min_days:
        short.append(f"{count} of {settings.promotion_min_days} game days")
    if rows < settings.promotion_min_rows:
        short.append(f"{rows:,} of {settings.promotion_min_rows:,} shared rows")
    if bounded and hi < 0:
        decision, missing = REJECT, "worse than production"
    elif short:
        decision, missing = HOLD, ", ".join(short)
    elif bounded and lo > 0:
        decision, missing = PROMOTE, ""
    else:
        decision, missing = HOLD, "no detectable difference yet"
    return Verdict(
        model_id, production, decision, rows, count, float(mean[-1]),
        lo if bounded else None, hi if bounded else None, ordered, missing, live_only,
        backfill_days,
    )  # fmt: skip


def _shared_days(warehouse: Warehouse, model_id: str, live_only: bool) -> list[dict]:
    """The model's shared game days with production, in order: rows of a day, its difference."""
    days = warehouse.query(sql_text("monitor/daily_differences"), {"live_only": live_only})
    return days.filter(pc.equal(days["model_id"], model_id)).sort_by("game_date").to_pylist()


def _make_production(
    warehouse: Warehouse, model_id: str, previous: str | None, action: str, verdict: str,
    detail: str, reason: str,
) -> None:  # fmt: skip
    try:
        warehouse.execute(
            sql_text("registry/promote"),
            {"model_id": model_id, "previous_model_id": previous or "", "action": action,
             "verdict": verdict, "detail": detail, "reason": reason, "changed_by": actor()},
        )  # fmt: skip
    except WarehouseError as error:
        if "conflict" not in str(error).lower():
            raise
        raise RegistryError(  # the other change won; this transaction was rolled back whole
            f"another registry change ran at the same moment as this one for {model_id}; "
            "nothing was changed by this one: check `shadowline registry list` and run it again"
        ) from None
    now = production_model(warehouse)
    if now != model_id:
        raise RegistryError(
            f"production changed to {now or 'none'} while {model_id} was being considered "
            f"(expected {previous or 'none'}); nothing was changed: run it again"
        )


def decide(
    warehouse: Warehouse, model_id: str, *, force: bool = False, reason: str = "",
    settings: Settings | None = None,
) -> tuple[Verdict, bool]:  # fmt: skip
    """The gate's verdict on `model_id`, and whether it was made production: on PROMOTE or
    NO-GATE, or with `force` and a reason. The verdict, its numbers, the reason and the actor are
    audited with the change; a HOLD or REJECT changes nothing."""
    if force and not reason.strip():
        raise RegistryError('--force needs --reason "...": the audit trail keeps why')
    verdict = evaluate(warehouse, model_id, settings)
    if verdict.decision in (HOLD, REJECT) and not force:
        return verdict, False
    _make_production(
        warehouse, model_id, verdict.production, "promote", verdict.decision, verdict.numbers(),
        reason,
    )  # fmt: skip
    return verdict, True


def promote(
    warehouse: Warehouse, model_id: str, *, force: bool = False, reason: str = "",
    settings: Settings | None = None,
) -> Verdict:  # fmt: skip
    """`decide`, raising NotPromoted with the verdict when it holds or rejects."""
    verdict, promoted = decide(warehouse, model_id, force=force, reason=reason, settings=settings)
    if not promoted:
        raise NotPromoted(
            f'{verdict.line()}. Nothing changed; promote anyway with --force --reason "..."'
        )
    return verdict


def rollback(warehouse: Warehouse, reason: str = "") -> tuple[str, str]:
    """Make the model production had before the latest promotion production again; (the
    model rolled back from, the model now in production)."""
    current = production_model(warehouse)
    if current is None:
        raise RegistryError(f"no production model in {REGISTRY}: nothing to roll back")
    last = warehouse.query(sql_text("registry/last_promotion"), {"model_id": current}).to_pylist()
    previous = last[0]["previous_model_id"] if last else None
    if not previous:
        raise RegistryError(
            f"{current} is production, but the audit trail names no model before it "
            "(`shadowline registry history`); promote one with `shadowline registry promote`"
        )
    require_registered(warehouse, previous)
    when = last[0]["changed_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    _make_production(
        warehouse, previous, current, "rollback", ROLLBACK,
        f"rolled back the {last[0]['action']} of {current} made {when}", reason,
    )  # fmt: skip
    return current, previous


def unaudited_production(warehouse: Warehouse) -> str | None:
    """Why the registry's production flag does not match its audit trail, if it does not."""
    row = warehouse.query(sql_text("registry/production_changes")).to_pylist()[0]
    production, audited = row["production"], row["audited"]
    if (row["production_models"] or 0) > 1:
        return f"{row['production_models']} models are flagged production ({production}); " \
            "promote one with `shadowline registry promote`"  # fmt: skip
    if production and production != audited:
        said = f"the last audited promotion made {audited} production" if audited else (
            "no promotion is audited")  # fmt: skip
        return (
            f"production is {production} but {said}: the flag was changed outside shadowline "
            "(e.g. SQL); see `shadowline registry history`"
        )
    return None
