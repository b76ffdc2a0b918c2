"""Money that cannot help: budget years no candidate project can use for any goal or benefit.

A budget (fund, scope, year) can help when some candidate start (p, s) pays from it: p may
use the fund (``Projects.funds``; for its running cost ``Projects.running_funds``), one of p's
payers falls in the scope, p pays something in that year (its schedule: construction years
s <= t <= s + d_p - 1 with a share of its cost profile, running costs once complete; for a
carry-over fund in that year or any later one, since the money waits), and p either is
complete within the horizon (s + d_p <= Y, so its impacts count in some year) or is mandatory.
Money of any other budget is idle whatever the plan: in a ten-year horizon, every construction
payment in the last year is for a project that is complete only after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.model import AllocationModel
from planner.model.index import eligible_funds
from planner.scenario.data import POOLED

COLUMNS = ["fund", "scope", "year", "amount", "reason"]


def idle_money_table(model: AllocationModel) -> pd.DataFrame:
    """Budgets with money that no candidate can use: fund, scope ("" = pooled), year, amount, reason."""
    index = model.index
    budgets = index.budgets[index.budgets["amount"] > 0]
    if budgets.empty:
        return pd.DataFrame(columns=COLUMNS)
    every = _years_by_scope(_payable(model, useful_only=False))
    useful = _years_by_scope(_payable(model, useful_only=True))
    last = index.last_year
    rows = []
    for b in budgets.itertuples(index=False):
        if _can_pay(useful, b.fund, b.scope, int(b.year), bool(b.carry_over)):
            continue
        if int(b.year) == last or _can_pay(every, b.fund, b.scope, int(b.year), bool(b.carry_over)):
            reason = f"a project paid then is complete only after {last}, when its impacts no longer count"
        else:
            later = " or later" if b.carry_over else ""
            reason = (f"no candidate project may be paid from it in {int(b.year)}{later} (start windows, "
                      "Projects.funds)")
        rows.append({"fund": b.fund, "scope": b.scope, "year": int(b.year), "amount": float(b.amount),
                     "reason": reason})
    return pd.DataFrame(rows, columns=COLUMNS)


def _payable(model: AllocationModel, useful_only: bool) -> pd.DataFrame:
    """(fund, scope, year) in which some candidate start could be paid (useful starts only, or all)."""
    index = model.index
    projects = index.projects
    due = index.schedule[index.schedule["own"] > 0]
    if useful_only:
        complete = due["start"] + due["project"].map(projects["duration"]) <= index.last_year
        due = due[complete | due["project"].map(projects["mandatory"]).astype(bool)]
    if due.empty:
        return pd.DataFrame(columns=["fund", "scope", "year"])
    active = due[["project", "year", "part"]].drop_duplicates()
    eligible = eligible_funds(projects, model.scenario)
    flows = active.merge(index.payers[["project", "payer"]], on="project").merge(eligible, on=["project", "part"])
    pooled = index.budgets.groupby("fund")["pooled"].first()
    flows["scope"] = np.where(pooled.reindex(flows["fund"]).fillna(True).to_numpy(), POOLED, flows["payer"])
    return flows[["fund", "scope", "year"]].drop_duplicates()


def _years_by_scope(payable: pd.DataFrame) -> dict[tuple[str, str], set[int]]:
    years: dict[tuple[str, str], set[int]] = {}
    for fund, scope, year in payable[["fund", "scope", "year"]].itertuples(index=False):
        years.setdefault((fund, scope), set()).add(int(year))
    return years


def _can_pay(payable: dict[tuple[str, str], set[int]], fund: str, scope: str, year: int, carry_over: bool) -> bool:
    years = payable.get((fund, scope), set())
    return any(y >= year for y in years) if carry_over else year in years


def idle_summary(idle: pd.DataFrame, budgets: pd.DataFrame) -> str:
    """One sentence: how much money cannot help, of how much, where and why."""
    if idle.empty:
        return "none: every budget year can pay for some candidate that counts"
    total = float(budgets["amount"].sum())
    amount = float(idle["amount"].sum())
    share = f" ({amount / total:.1%} of the budget)" if total > 0 else ""
    groups = []
    for cause, rows in idle.groupby(idle["reason"].str.startswith("a project paid then"), sort=False):
        parts = []
        for (fund, year), group in rows.groupby(["fund", "year"], sort=True):
            scopes = sorted(str(s) for s in group["scope"] if s != POOLED)
            where = "" if not scopes else f", {', '.join(scopes)}" if len(scopes) <= 3 else f", {len(scopes)} regions"
            parts.append(f"{fund} {year} ({_number(group['amount'].sum())}{where})")
        why = (rows["reason"].iloc[0] if cause else
               "no candidate project may be paid from it then or later (start windows, Projects.funds)")
        groups.append(f"{', '.join(parts)}: {why}")
    return f"{_number(amount)} of {_number(total)}{share}; " + "; ".join(groups)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.4g}"


__all__ = ["idle_money_table", "idle_summary"]
