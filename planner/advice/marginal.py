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

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import highspy
import numpy as np
import pandas as pd

from planner.model import AllocationModel, build_model
from planner.model.objectives import stage_value
from planner.parallel import Done, run_tasks
from planner.results import goal_table, plain
from planner.scenario import Scenario
from planner.scenario.data import POOLED
from planner.scenario.edits import add_money
from planner.solver import SolveOptions, SolveResult, StageSolver, solver_output_to_stderr
from planner.status import Status, read_highs

#: A budget binds when the money used is within this of the budget (or the balance is this small).
BINDING = 1e-6
#: Re-solves use at most this relative MIP gap, so that a difference is not solver noise.
MARGINAL_GAP = 1e-6
#: Re-solves go to worker processes when there are at least this many (a process costs a rebuild).
PARALLEL_FROM = 6
#: Chunks per worker (each chunk builds the model once; more chunks, a smoother progress bar).
CHUNKS_PER_WORKER = 3


class MarginalError(Exception):
    """The scenario has no plan to start from (infeasible or stopped)."""

    def __init__(self, result: SolveResult):
        self.result = result
        super().__init__(f"no plan to measure from: {result.status} {result.message}".strip())


def marginal_table(scenario: Scenario, options: SolveOptions | None = None, step: float = 0.05,
                   model: AllocationModel | None = None, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """One row per fund x scope x year budget: whether it binds and what a step more buys.

    Columns: fund, region (blank for a pooled fund), year, budget, used (spending that year),
    balance (carry-over funds: unspent after the year), binding, local_stage and
    local_per_money (the LP value of one more unit with the plan's whole projects kept: the
    first stage it moves and its rate, reported sense; instant), step (money added),
    stage (the first stage whose value changes when re-solved honestly), change (its change,
    reported sense), per_money (change / step), gain_per_money (improvement per unit of money:
    more benefit or less shortfall or cost), status (of the re-solve), one ``Δ <stage>`` column
    per stage, effects (what the step does to each goal, in the goal's units), note.
    Binding budgets are re-solved in ``workers`` processes (default: one per core when there are
    enough of them), each from the base plan, one HiGHS instance per process changed in place.
    Raises :class:`MarginalError` when the scenario itself has no plan.
    """
    options = _precise(options or SolveOptions())
    model = model or build_model(scenario)
    solver = StageSolver(model, options)
    base = solver.solve()
    if base.values is None:
        raise MarginalError(base)
    budgets = _budget_state(model, base.values)
    local = _local_values(solver, base.values)
    base_goals = goal_table(model, base.values)
    signs = {s.name: s.sign for s in model.stages if s.reported}
    names = [name for name, _ in base.stages]
    todo: list[tuple[tuple, float, float]] = []
    records = []
    for b in budgets.itertuples(index=False):
        key = (b.fund, b.scope, int(b.year))
        stage, rate = local.get(key, (None, 0.0))
        record: dict[str, Any] = {"fund": b.fund, "region": None if b.scope == POOLED else b.scope,
                                  "year": int(b.year), "budget": float(b.amount), "used": float(b.used),
                                  "balance": None if not b.carry_over else float(b.balance),
                                  "binding": bool(b.binding), "local_stage": stage, "local_per_money": rate,
                                  "step": None, "stage": None, "change": 0.0, "per_money": 0.0,
                                  "gain_per_money": 0.0, "status": "", "effects": "", "note": ""}
        for name in names:
            record[f"Δ {name}"] = 0.0
        records.append(record)
        if not b.binding:
            record["note"] = "does not bind: more money buys nothing"
            continue
        delta = step * (b.amount if b.amount > 0 else _typical(budgets, b.fund, b.scope))
        if delta <= 0:
            record["note"] = "no money in this fund to take a step from"
            continue
        record["step"] = delta
        todo.append((key, float(b.amount), delta))
    measured = _measure_all(scenario, options, solver, base.values, todo, workers, progress)
    by_key = {(r["fund"], r["region"] or POOLED, r["year"]): r for r in records}
    for (key, _, delta), outcome in zip(todo, measured):
        record = by_key[key]
        record["status"] = outcome["status"]
        if outcome.get("stages") is None:
            record["note"] = f"re-solve gave {outcome['status']}"
            continue
        new = dict(outcome["stages"])
        for name, value in base.stages:
            if name not in new:
                record[f"Δ {name}"] = None  # a later stage, not re-solved once an earlier one changed
                continue
            change = new[name] - value
            record[f"Δ {name}"] = change if abs(change) > 1e-6 * max(1.0, abs(value)) else 0.0
        changed = [name for name in names if record[f"Δ {name}"]]
        record["effects"] = _effects(base_goals, outcome.get("goals", {}), delta)
        if changed:
            first = changed[0]
            record.update(stage=first, change=record[f"Δ {first}"], per_money=record[f"Δ {first}"] / delta,
                          gain_per_money=-signs.get(first, 1.0) * record[f"Δ {first}"] / delta)
        else:
            record["note"] = f"binds, but {delta:,.6g} more buys nothing better"
    table = pd.DataFrame(records)
    table.attrs["stages"] = names
    table.attrs["objective"] = scenario.settings.get("objective")
    return table


def _measure_all(scenario: Scenario, options: SolveOptions, solver: StageSolver, start: np.ndarray,
                 todo: list[tuple[tuple, float, float]], workers: int | None,
                 progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    """Re-solve every budget of ``todo`` raised by its step: here on ``solver``, or in processes.

    The years of one carry-over fund and scope form a chain, measured in order of the year in one
    process: money added in year t is there from t on, so the plan found for an earlier year t is
    also the answer for a later year t' whenever it never spends the extra money before t'
    (checked on its yearly spending) and is then not re-solved (see models/advice.md).
    """
    chains = _chains(solver.model, todo)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    results: dict[tuple, dict[str, Any]] = {}
    counted = [0]

    def note(chain: list, outcome: list[dict[str, Any]]) -> None:
        for item, summary in zip(chain, outcome):
            results[item[0]] = summary
        counted[0] += len(chain)
        if progress:
            progress(counted[0], len(todo))

    if workers <= 1 or len(chains) < PARALLEL_FROM:
        for chain in chains:
            note(chain, _measure_chain(solver, scenario, options, start, chain))
    else:
        one_thread = replace(options, threads=1, verbose=False)
        tasks = [(scenario, one_thread, start, chain) for chain in chains]

        def finished(done: Done) -> None:
            chain = chains[done.index]
            note(chain, done.value if done.ok and done.value is not None else
                 [{"status": "error", "stages": None, "message": done.error}] * len(chain))

        run_tasks(_measure_chain_task, tasks, workers=workers, progress=finished)
    return [results[item[0]] for item in todo]


def _chains(model: AllocationModel, todo: list[tuple[tuple, float, float]]) -> list[list[tuple[tuple, float, float]]]:
    """The budgets to measure, the years of each carry-over fund and scope together in year order."""
    carry = model.index.budgets.groupby("fund")["carry_over"].first().to_dict()
    chains: dict[tuple, list] = {}
    singles = []
    for item in todo:
        fund, scope, _ = item[0]
        if carry.get(fund):
            chains.setdefault((fund, scope), []).append(item)
        else:
            singles.append([item])
    return [sorted(chain, key=lambda item: item[0][2]) for chain in chains.values()] + singles


def _measure_chain_task(task: tuple[Scenario, SolveOptions, np.ndarray, list]) -> list[dict[str, Any]]:
    """In a worker process: build the model once, then measure one chain in place."""
    scenario, options, start, chain = task
    return _measure_chain(StageSolver(build_model(scenario), options), scenario, options, start, chain)


def _measure_chain(solver: StageSolver, scenario: Scenario, options: SolveOptions, start: np.ndarray,
                   chain: list[tuple[tuple, float, float]]) -> list[dict[str, Any]]:
    """Measure the budgets of one chain in year order, reusing a plan where it is still the answer."""
    base_stages = [(s.name, stage_value(s, start)) for s in solver.model.stages if s.reported]
    outcomes: list[dict[str, Any]] = []
    last: dict[str, Any] | None = None
    for item in chain:
        key, _, delta = item
        if last is not None and _fits(solver.model, last, key, delta):
            outcomes.append(dict(last, reused=last["year"]))
            continue
        last = _measure(solver, scenario, options, start, item, base_stages)
        outcomes.append(last)
    return outcomes


def _fits(model: AllocationModel, measured: dict[str, Any], key: tuple, delta: float) -> bool:
    """Whether the plan measured for an earlier year of this carry-over chain also meets the chain's
    balances when the money comes in year ``key[2]`` instead (it never spends it earlier)."""
    fund, scope, year = key
    spent = measured.get("spent")
    if spent is None:
        return False
    budgets = model.index.budgets
    mine = budgets[(budgets["fund"] == fund) & (budgets["scope"] == scope)].sort_values("year")
    money = mine["amount"].to_numpy(dtype=float) + np.where(mine["year"].to_numpy() == year, delta, 0.0)
    used = np.array([spent.get(int(y), 0.0) for y in mine["year"]])
    balance = np.cumsum(money) - np.cumsum(used)
    return bool((balance >= -1e-7 * max(1.0, float(np.abs(money).max(initial=0.0)))).all())


def _measure(solver: StageSolver, scenario: Scenario, options: SolveOptions, start: np.ndarray,
             item: tuple[tuple, float, float], base_stages: list[tuple[str, float]]) -> dict[str, Any]:
    """Stages and goal levels with budget ``key`` raised by ``delta``, from the base plan (which
    stays feasible with more money): in place when the budget has a row, else rebuilt. The stages
    after the first whose value changes are not solved (what money buys is decided there)."""
    key, amount, delta = item

    def changed(stages: list[tuple[str, float]]) -> bool:
        return any(abs(v - b) > 1e-6 * max(1.0, abs(b)) for (_, v), (_, b) in zip(stages, base_stages))

    model = solver.model
    rows = _rows_of(model, key)
    if not rows:
        rebuilt = build_model(add_money(scenario, {key: delta}))
        return _summary(rebuilt, StageSolver(rebuilt, options).solve(stop_when=changed), key)
    saved = [(family, i, solver.row_bounds(family, i)) for family, i in rows]
    try:
        for family, i in rows:
            new = amount + delta
            solver.set_row_bounds(family, i, None if family == "budget" else new, new)
        return _summary(model, solver.solve(start=start, stop_when=changed), key)
    finally:
        for family, i, (lower, upper) in saved:
            solver.set_row_bounds(family, i, lower, upper)


def _summary(model: AllocationModel, result: SolveResult, key: tuple) -> dict[str, Any]:
    """A small picklable record of a re-solve: status, stages, each goal's level, and the yearly
    spending of the budget's fund and scope."""
    summary: dict[str, Any] = {"status": str(result.status), "message": result.message, "year": key[2],
                               "stages": list(result.stages) if result.values is not None else None}
    if result.values is not None:
        goals = goal_table(model, result.values)
        summary["goals"] = {g: float(a) for g, a in zip(goals["goal"], goals["achieved"])}
        charges = model.index.charges
        amount = charges["coef"].to_numpy(dtype=float) * result.values[model.columns.col("y", charges["y"])]
        mine = (charges["fund"] == key[0]).to_numpy() & (charges["scope"] == key[1]).to_numpy()
        summary["spent"] = {int(y): float(a) for y, a in
                            pd.Series(amount[mine]).groupby(charges["year"].to_numpy()[mine]).sum().items()}
    return summary


def _effects(base: pd.DataFrame, after: dict[str, float], delta: float) -> str:
    """What the step does to each goal, in the goal's units: "G2 grp 2035 +3.1 (shortfall -2.8%)"."""
    parts = []
    for g in base.itertuples(index=False):
        if g.goal not in after:
            continue
        change = after[g.goal] - float(g.achieved)
        if abs(change) <= 1e-9 * max(1.0, abs(float(g.achieved))):
            continue
        text = f"{g.goal} {g.indicator} {g.year} {change:+,.4g}"
        if float(g.shortfall) > 0 and g.target:
            gap = float(g.target) - float(g.achieved) if g.sense == ">=" else float(g.achieved) - float(g.target)
            remaining = max(gap - (change if g.sense == ">=" else -change), 0.0)
            text += f" (shortfall {(remaining - float(g.shortfall)) / abs(float(g.target)):+.1%} of the target)"
        parts.append(text)
    return f"{delta:,.6g} more: " + "; ".join(parts) if parts else ""


def _local_values(solver: StageSolver, values: np.ndarray) -> dict[tuple, tuple[str | None, float]]:
    """The LP value of money with the plan's whole projects kept, per budget (fund, scope, year).

    The integer columns are fixed at the plan; stage by stage the LP is solved (earlier stages
    held at their optimum) and the dual of each budget row read: the first stage whose dual is
    not 0 and that dual per unit of money, reported sense. Instant, and local: it prices money
    for divisible projects and the split between funds, not a whole project that would fit.
    """
    model, matrix = solver.model, solver.matrix
    highs = matrix.highs
    integer = np.flatnonzero(matrix.integer) if matrix.integer is not None else np.zeros(0, dtype=np.int64)
    plan = matrix.compiled(values)
    lp = highs.getLp()
    lower = np.asarray(lp.col_lower_, dtype=float)[integer]
    upper = np.asarray(lp.col_upper_, dtype=float)[integer]
    index = integer.astype(np.int32)
    rows = {}
    for family in ("budget", "carry_over"):
        frame = model.rows.get(family)
        if frame is None or frame.empty:
            continue
        for i, (f, sc, y) in enumerate(frame[["fund", "scope", "year"]].itertuples(index=False)):
            row = solver.row_of(family, i)
            if row is not None:
                rows[(f, sc, int(y))] = row
    found: dict[tuple, tuple[str | None, float]] = {}
    base_rows = highs.getNumRow()
    highs.changeColsBounds(len(index), index, np.round(plan[integer]), np.round(plan[integer]))
    try:
        with solver_output_to_stderr():
            for stage in [s for s in model.stages if s.reported]:
                cost = np.zeros(matrix.num_col)
                present = matrix.positions[stage.cols] >= 0
                np.add.at(cost, matrix.positions[stage.cols[present]], stage.coefs[present])
                matrix.set_costs(np.concatenate([cost, np.zeros(highs.getNumCol() - matrix.num_col)]))
                highs.run()
                status, has_plan = read_highs(highs)
                if status != Status.optimal or not has_plan:
                    break
                duals = matrix.row_duals()
                for key, row in rows.items():
                    if key not in found and abs(duals[row]) > 1e-9:
                        found[key] = (stage.name, float(stage.sign * duals[row]))
                optimum = float(np.dot(stage.coefs, matrix.column_values(
                    np.asarray(highs.getSolution().col_value, dtype=float), len(model.columns.vars))[stage.cols]))
                cols = np.flatnonzero(cost)
                if len(cols):
                    matrix.add_row(cols, cost[cols], -highspy.kHighsInf, optimum + 1e-9 * abs(optimum))
    finally:
        highs.changeColsBounds(len(index), index, lower, upper)
        extra = highs.getNumRow() - base_rows
        if extra > 0:
            highs.deleteRows(extra, np.arange(base_rows, highs.getNumRow(), dtype=np.int32))
            del matrix.added_rows[-extra:]
    return found


def _precise(options: SolveOptions) -> SolveOptions:
    return replace(options, mip_gap=min(float(options.mip_gap), MARGINAL_GAP))


def _budget_state(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """Every budget of the model's grid with the money used, the balance and whether it binds.

    A budget without carry-over binds when used >= budget - 1e-6. With carry-over, money added
    in year t is there in every later year, so it binds when the balance is 0 (<= 1e-6) in t or
    any later year; a scope nobody can spend from never binds.
    """
    budgets = model.index.budgets[["fund", "scope", "year", "amount", "carry_over"]].copy()
    charges = model.index.charges  # payments and loan repayments
    spent = pd.Series(charges["coef"].to_numpy(dtype=float) * values[model.columns.col("y", charges["y"])],
                      index=charges.index)
    used = spent.groupby([charges["fund"], charges["scope"], charges["year"]]).sum()
    key = pd.MultiIndex.from_frame(budgets[["fund", "scope", "year"]])
    budgets["used"] = used.reindex(key).fillna(0.0).to_numpy()
    spendable = set(zip(charges["fund"], charges["scope"]))
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
    """Whether some project could be paid from ``fund`` in ``scope`` if it had money (its construction or
    running cost), or the fund repays a loan there."""
    projects = model.index.projects
    payers = model.index.payers
    if ((model.index.loans["repaid_from"] == fund).any() if len(model.index.loans) else False):
        return True
    for project, payer in zip(payers["project"], payers["payer"]):
        listed = list(projects.loc[project, "funds"] or ())
        running = list(projects.loc[project, "running_funds"] or ()) if projects.loc[project, "running_cost"] else []
        if listed and fund not in listed + running:
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


__all__ = ["MarginalError", "marginal_records", "marginal_table"]
