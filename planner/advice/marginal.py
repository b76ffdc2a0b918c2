"""What more money would buy: the value of one more unit in each binding budget.

For a MIP a dual value means little (the plan jumps when a whole project fits),
so the value is measured honestly: the scenario is solved, every fund x scope x
year budget that binds is raised by a step (default 5% of the budget) and the
whole lexicographic sequence is solved again; the value is Δobjective / Δmoney.
Budgets that do not bind are worth 0 without a re-solve. See models/advice.md.

Measured choice of method: a rebuild of the model costs about 0.3 s even for a
tiny scenario, a hand-off 3 ms. A budget that has a row in the model is
therefore raised in place (the Pyomo constraint's bound, restored afterwards)
and solved again through :func:`planner.solve.solve`; only a budget of 0, which
has no payment columns and so no row, is raised in an edited copy of the
scenario and rebuilt.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from planner.model import AllocationModel, build_model
from planner.results import plain
from planner.scenario import Scenario
from planner.scenario.data import POOLED
from planner.scenario.edits import add_money
from planner.solver import SolveOptions, SolveResult, solve

#: A budget binds when the money used is within this of the budget (or the balance is this small).
BINDING = 1e-6
#: Re-solves use at most this relative MIP gap, so that a difference is not solver noise.
MARGINAL_GAP = 1e-6


class MarginalError(Exception):
    """The scenario has no plan to start from (infeasible or stopped)."""

    def __init__(self, result: SolveResult):
        self.result = result
        super().__init__(f"no plan to measure from: {result.status} {result.message}".strip())


def marginal_table(scenario: Scenario, options: SolveOptions | None = None, step: float = 0.05,
                   model: AllocationModel | None = None) -> pd.DataFrame:
    """One row per fund x scope x year budget: whether it binds and what a step more buys.

    Columns: fund, region (blank for a pooled fund), year, budget, used (spending that year),
    balance (carry-over funds: unspent after the year), binding, step (money added),
    stage (the first stage whose value changes), change (its change, reported sense),
    per_money (change / step), gain_per_money (improvement per unit of money: more benefit or
    less shortfall or cost), status (of the re-solve), one ``Δ <stage>`` column per stage, note.
    Raises :class:`MarginalError` when the scenario itself has no plan.
    """
    options = _precise(options or SolveOptions())
    model = model or build_model(scenario)
    base = solve(model, options)
    if base.values is None:
        raise MarginalError(base)
    budgets = _budget_state(model, base.values)
    signs = {s.name: s.sign for s in model.stages if s.reported}
    names = [name for name, _ in base.stages]
    records = []
    for b in budgets.itertuples(index=False):
        record: dict[str, Any] = {"fund": b.fund, "region": None if b.scope == POOLED else b.scope,
                                  "year": int(b.year), "budget": float(b.amount), "used": float(b.used),
                                  "balance": None if not b.carry_over else float(b.balance),
                                  "binding": bool(b.binding), "step": None, "stage": None, "change": 0.0,
                                  "per_money": 0.0, "gain_per_money": 0.0, "status": "", "note": ""}
        for name in names:
            record[f"Δ {name}"] = 0.0
        if not b.binding:
            record["note"] = "does not bind: more money buys nothing"
            records.append(record)
            continue
        delta = step * (b.amount if b.amount > 0 else _typical(budgets, b.fund, b.scope))
        if delta <= 0:
            record["note"] = "no money in this fund to take a step from"
            records.append(record)
            continue
        result = _raised(scenario, model, options, (b.fund, b.scope, int(b.year)), float(b.amount), delta)
        record["step"] = delta
        record["status"] = result.status
        if not result.has_plan:
            record["note"] = f"re-solve gave {result.status}"
            records.append(record)
            continue
        new = dict(result.stages)
        for name, value in base.stages:
            change = new.get(name, value) - value
            record[f"Δ {name}"] = change if abs(change) > 1e-6 * max(1.0, abs(value)) else 0.0
        changed = [name for name in names if record[f"Δ {name}"] != 0.0]
        if changed:
            first = changed[0]
            record.update(stage=first, change=record[f"Δ {first}"], per_money=record[f"Δ {first}"] / delta,
                          gain_per_money=-signs.get(first, 1.0) * record[f"Δ {first}"] / delta)
        else:
            record["note"] = f"binds, but {delta:,.6g} more buys nothing better"
        records.append(record)
    table = pd.DataFrame(records)
    table.attrs["stages"] = names
    table.attrs["objective"] = scenario.settings.get("objective")
    return table


def _precise(options: SolveOptions) -> SolveOptions:
    return replace(options, mip_gap=min(float(options.mip_gap), MARGINAL_GAP))


def _budget_state(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """Every budget of the model's grid with the money used, the balance and whether it binds.

    A budget without carry-over binds when used >= budget - 1e-6. With carry-over, money added
    in year t is there in every later year, so it binds when the balance is 0 (<= 1e-6) in t or
    any later year; a scope nobody can spend from never binds.
    """
    budgets = model.index.budgets[["fund", "scope", "year", "amount", "carry_over"]].copy()
    flows = model.index.payments
    spent = pd.Series(values[model.columns.col("y", flows["y"])], index=flows.index)
    used = spent.groupby([flows["fund"], flows["scope"], flows["year"]]).sum()
    key = pd.MultiIndex.from_frame(budgets[["fund", "scope", "year"]])
    budgets["used"] = used.reindex(key).fillna(0.0).to_numpy()
    spendable = set(zip(flows["fund"], flows["scope"]))
    balances = model.index_balances
    if len(balances):
        bal = pd.Series(values[model.columns.col("bal", balances["bal"])],
                        index=pd.MultiIndex.from_frame(balances[["fund", "scope", "year"]]))
        budgets["balance"] = bal.reindex(key).to_numpy()
    else:
        budgets["balance"] = np.nan
    binding = []
    for b in budgets.itertuples(index=False):
        if not b.carry_over:
            spendable_now = (b.fund, b.scope) in spendable or _could_pay(model, b.fund, b.scope)
            binding.append(bool(b.used >= b.amount - BINDING and (b.amount > 0 or spendable_now)))
            continue
        if (b.fund, b.scope) not in spendable:
            binding.append(b.amount <= 0 and _could_pay(model, b.fund, b.scope))
            continue
        later = budgets[(budgets["fund"] == b.fund) & (budgets["scope"] == b.scope) & (budgets["year"] >= b.year)]
        binding.append(bool((later["balance"].fillna(0.0) <= BINDING).any()))
    budgets["binding"] = binding
    return budgets


def _could_pay(model: AllocationModel, fund: str, scope: str) -> bool:
    """Whether some project could be paid from ``fund`` in ``scope`` if it had money."""
    projects = model.index.projects
    payers = model.index.payers
    for project, payer in zip(payers["project"], payers["payer"]):
        listed = projects.loc[project, "funds"]
        if listed and fund not in listed:
            continue
        if scope == POOLED or scope == payer:
            return True
    return False


def _typical(budgets: pd.DataFrame, fund: str, scope: str) -> float:
    """The mean positive budget of the fund in the scope (else of the fund): the step base of a 0."""
    same = budgets[(budgets["fund"] == fund) & (budgets["amount"] > 0)]
    mine = same[same["scope"] == scope]
    pick = mine if len(mine) else same
    return float(pick["amount"].mean()) if len(pick) else 0.0


def _raised(scenario: Scenario, model: AllocationModel, options: SolveOptions, key: tuple,
            amount: float, delta: float) -> SolveResult:
    """Solve with budget ``key`` raised by ``delta``: in place when it has a row, else rebuilt."""
    rows = _rows_of(model, key)
    if not rows:
        return solve(build_model(add_money(scenario, {key: delta})), options)
    saved = []
    try:
        for family, i in rows:
            con = getattr(model.model, family)[i]
            saved.append((con, con.lower, con.upper))
            new = amount + delta
            con.set_value((None, con.body, new) if family == "budget" else (new, con.body, new))
        return solve(model, options)
    finally:
        for con, lower, upper in saved:
            con.set_value((lower, con.body, upper))


def _rows_of(model: AllocationModel, key: tuple) -> list[tuple[str, int]]:
    fund, scope, year = key
    found = []
    for family in ("budget", "carry_over"):
        frame = model.rows.get(family)
        if frame is None or frame.empty:
            continue
        hit = np.flatnonzero((frame["fund"] == fund).to_numpy() & (frame["scope"] == scope).to_numpy()
                             & (frame["year"].astype(int) == int(year)).to_numpy())
        component = getattr(model.model, family)
        found += [(family, int(i)) for i in hit if int(i) in component]
    return found


def marginal_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table as JSON records; the ``Δ <stage>`` columns gathered under ``changes``."""
    records = []
    delta_columns = [c for c in table.columns if c.startswith("Δ ")]
    for row in table.to_dict("records"):
        record = {k: plain(v) for k, v in row.items() if k not in delta_columns}
        record["changes"] = {c[2:]: plain(row[c]) for c in delta_columns}
        records.append(record)
    return records


__all__ = ["marginal_table", "marginal_records", "MarginalError"]
