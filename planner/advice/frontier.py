"""The budget–outcome frontier, and the cost of reaching each level of one goal.

``budget_frontier``: the scenario solved with the chosen fund's budgets (every
fund's when none is chosen) scaled by each factor from ``start`` to ``stop`` in
``steps`` points: money vs objective, vs each goal's attainment, and the plan
changes between neighbouring points (projects added / dropped).

``goal_frontier``: the cheapest plan (the ``cost`` objective, every goal hard)
with one goal's target scaled by each factor: what each target level costs.

The model is built once per process and each point re-solved in place (the swept rows'
bounds changed), starting from the neighbouring point's plan when it is still valid;
with ``workers`` > 1 runs of neighbouring points go to worker processes (HiGHS on one
thread each) through :mod:`planner.parallel`. Each point reports the outcomes (every
goal's progress, the plan's benefit) and which missed goals no candidate is left to move.
See models/advice.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from planner.model import AllocationModel, build_model
from planner.model.objectives import benefit_terms
from planner.parallel import Done, run_tasks
from planner.results import chosen_starts, goal_table, plain, spending_table
from planner.scenario import Scenario
from planner.scenario.edits import budget_total, with_tables
from planner.scenario.goals import level_target
from planner.solver import SolveOptions, StageSolver
from planner.status import Status, worst


@dataclass
class Frontier:
    """Points of a sweep, in order of the factor.

    points: one row per point: factor, money (budgeted money of the scaled funds over the
        horizon) or target (goal sweep), spent, status, objective, one column per stage,
        benefit (discounted money worth of the plan), ``achieved <goal>``, ``attainment <goal>``
        (achieved / target) and ``progress <goal>`` per goal, projects (chosen,
        comma-separated), added and dropped (against the previous point), note (missed goals
        that more money cannot help: no candidate left).
    """

    kind: str  # budget | goal
    subject: str  # the fund(s) or the goal swept
    objective: str
    points: pd.DataFrame
    goals: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when some point has a plan, else the code of the points' worst status."""
        statuses = [Status(s) if s in Status.__members__ else Status.no_solution for s in self.points.get("status", [])]
        if any(s.solved for s in statuses):
            return Status.optimal.exit_code
        return worst(statuses).exit_code if statuses else Status.infeasible.exit_code

    def to_json(self) -> dict[str, Any]:
        records = []
        for row in self.points.to_dict("records"):
            records.append({k: plain(v) for k, v in row.items()})
        return {"kind": self.kind, "subject": self.subject, "objective": self.objective,
                "goals": self.goals, "points": records}


def factors(start: float, stop: float, steps: int) -> list[float]:
    """``steps`` evenly spaced factors from ``start`` to ``stop`` (one point when steps == 1)."""
    if steps < 1:
        raise ValueError("steps must be at least 1")
    return [float(f) for f in np.linspace(start, stop, steps)] if steps > 1 else [float(start)]


def budget_frontier(scenario: Scenario, fund: str | None = None, start: float = 0.5, stop: float = 1.5,
                    steps: int = 11, options: SolveOptions | None = None, workers: int = 1,
                    progress: Callable[[dict[str, Any]], None] | None = None) -> Frontier:
    """Solve with the budgets of ``fund`` (all funds when None) scaled by each factor."""
    options = options or SolveOptions()
    funds = None if fund is None else [fund]
    if fund is not None and fund not in set(scenario.tables["Funds"]["fund"]):
        raise ValueError(f"unknown fund {fund!r}; the workbook has {', '.join(scenario.tables['Funds']['fund'])}")
    sweep = Sweep("budget", funds=funds)
    results = _run(scenario, sweep, factors(start, stop, steps), options, workers, progress)
    money = budget_total(scenario, funds)
    for r in results:
        r["money"] = money * r["factor"]
    points = _table(results)
    goals = list(scenario.tables["Goals"]["goal"])
    return Frontier("budget", fund or "all funds", str(scenario.settings.get("objective")), points, goals)


def goal_frontier(scenario: Scenario, goal: str, start: float = 0.5, stop: float = 1.5, steps: int = 11,
                  options: SolveOptions | None = None, workers: int = 1,
                  progress: Callable[[dict[str, Any]], None] | None = None) -> Frontier:
    """The cheapest plan meeting every goal, with goal ``goal``'s target scaled by each factor.

    Factors scale the target as written in Goals (for a goal set as a change or a percent,
    the written change). Under the ``cost`` objective every goal is hard.
    """
    options = options or SolveOptions()
    goals = scenario.tables["Goals"]
    hit = goals[goals["goal"] == goal]
    if hit.empty:
        raise ValueError(f"unknown goal {goal!r}; the workbook has {', '.join(goals['goal']) or 'no goals'}")
    written = float(hit["target"].iloc[0])
    as_cost = with_tables(scenario, settings={"objective": "cost"})
    results = _run(as_cost, Sweep("goal", goal=goal), factors(start, stop, steps), options, workers, progress)
    for result in results:
        result["target"] = written * result["factor"]
    points = _table(results, first=["factor", "target"]).drop(columns=["money"])
    return Frontier("goal", goal, "cost", points, list(goals["goal"]))


# --- running points ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Sweep:
    """What a factor changes: the budgets of ``funds`` (all when None), or goal ``goal``'s target."""

    kind: str  # budget | goal
    funds: list[str] | None = None
    goal: str | None = None

    @property
    def ascending(self) -> bool:
        """Points in the order in which each plan is a valid start for the next: more money is
        looser (ascending factors); a higher target is tighter (descending)."""
        return self.kind == "budget"


def _run(scenario: Scenario, sweep: Sweep, points: list[float], options: SolveOptions, workers: int,
         progress: Callable[[dict[str, Any]], None] | None) -> list[dict[str, Any]]:
    """Solve every point; results in factor order.

    The points are split into ``workers`` runs of neighbouring factors; each run builds the model
    once and re-solves it in place (one HiGHS instance per process), each point starting from
    the previous one's plan when that is still valid (see :class:`Sweep`).
    """
    order = sorted(range(len(points)), key=lambda k: points[k], reverse=not sweep.ascending)
    parallel = workers > 1 and len(points) > 1
    runs = _split(order, workers if parallel else 1)
    point_options = replace(options, threads=1, verbose=False) if parallel else options
    tasks = [(scenario, sweep, [points[k] for k in run], point_options) for run in runs]

    def report(done: Done[list[dict[str, Any]]]) -> None:
        if progress and done.ok and done.value is not None:
            for point in done.value:
                progress(point)

    finished = run_tasks(_solve_run, tasks, workers=workers if parallel else 1, progress=report)
    results: dict[int, dict[str, Any]] = {}
    for run, done in zip(runs, finished):
        values = done.value if done.ok and done.value is not None else \
            [{"factor": points[k], "status": "interrupted" if done.stopped else "error", "reason": done.error}
             for k in run]
        for k, point in zip(run, values):
            results[k] = point
    return [results[k] for k in range(len(points))]


def _split(order: list[int], parts: int) -> list[list[int]]:
    """``order`` in ``parts`` contiguous runs of nearly equal length."""
    size = -(-len(order) // max(1, parts))
    return [order[k:k + size] for k in range(0, len(order), size)] if order else []


def _solve_run(task: tuple[Scenario, Sweep, list[float], SolveOptions]) -> list[dict[str, Any]]:
    """Build the model once and solve each factor of the run in place, from the previous plan."""
    scenario, sweep, run, options = task
    model = build_model(scenario)
    solver = StageSolver(model, options)
    changes = _changes(model, sweep)
    results = []
    start: np.ndarray | None = None
    for factor in run:
        point, values = _solve_point(solver, sweep, changes, factor, start)
        results.append(point)
        start = values if values is not None else start
    return results


def _changes(model: AllocationModel, sweep: Sweep) -> list[tuple[str, int, float, str]]:
    """(family, row, base amount, side) of the rows a factor scales.

    Budget sweeps scale the budget rows (upper side) and carry-over rows (both sides) of the
    funds; a goal sweep the goal's row, through its written target (see ``_goal_bound``).
    """
    found = []
    if sweep.kind == "budget":
        for family in ("budget", "carry_over"):
            frame = model.rows.get(family)
            if frame is None or frame.empty:
                continue
            for i, (fund, amount) in enumerate(zip(frame["fund"], frame["amount"])):
                if sweep.funds is None or fund in sweep.funds:
                    found.append((family, i, float(amount), "upper" if family == "budget" else "both"))
    else:
        goals = model.index.goals
        i = int(np.flatnonzero(goals["goal"].to_numpy() == sweep.goal)[0])
        found.append(("goal", i, float(goals["written_target"].iloc[i]), "goal"))
    return found


def _solve_point(solver: StageSolver, sweep: Sweep, changes: list[tuple[str, int, float, str]], factor: float,
                 start: np.ndarray | None) -> tuple[dict[str, Any], np.ndarray | None]:
    """One point: scale the rows, solve from ``start``, summarise (a small picklable record)."""
    model = solver.model
    point: dict[str, Any] = {"factor": factor}
    constant_misses = []
    for family, i, amount, side in changes:
        lower, upper = (_goal_bound(model, i, amount * factor) if side == "goal" else
                        (None, amount * factor) if side == "upper" else (amount * factor, amount * factor))
        if solver.row_of(family, i) is None:  # a row no decision moves: true or false from the start
            if (lower is not None and lower > 1e-9 * max(1.0, abs(lower))) or \
                    (upper is not None and upper < -1e-9 * max(1.0, abs(upper))):
                constant_misses.append(f"{family} row {i}")
            continue
        solver.set_row_bounds(family, i, lower, upper)
    if constant_misses or model.trivially_infeasible:
        return point | {"status": str(Status.infeasible), "reason": "; ".join(constant_misses) or
                        "; ".join(model.trivially_infeasible)}, None
    result = solver.solve(start=start)
    point |= {"status": str(result.status), "objective": result.objective, "stages": list(result.stages),
              "reason": "" if result.values is not None else result.message}
    if result.values is None:
        return point, None
    values = result.values
    shares = chosen_starts(model, values)
    point["projects"] = sorted(set(shares["project"]))
    spent = spending_table(model, values)
    if sweep.funds is not None:
        spent = spent[spent["fund"].isin(sweep.funds)]
    point["spent"] = float(spent["amount"].sum()) if len(spent) else 0.0
    cols, coefs = benefit_terms(model)
    point["benefit"] = float(np.dot(coefs, values[cols]))
    goals = goal_table(model, values)
    point["goals"] = {g: (float(a), float(t), float(p)) for g, a, t, p in
                      zip(goals["goal"], goals["achieved"], goals["target"], goals["progress"])}
    point["exhausted"] = _no_candidate_left(model, goals, set(point["projects"]))
    return point, values


def _goal_bound(model: AllocationModel, i: int, written: float) -> tuple[float | None, float | None]:
    """Bounds of goal row ``i`` for a written target (its level by the goal's basis, less the baseline)."""
    goals = model.index.goals
    base = float(model.rows["goal"]["base"].iloc[i])
    level = float(level_target(written, base, str(goals["basis"].fillna("level").iloc[i])))
    rhs = level - base
    return (rhs, None) if goals["sense"].iloc[i] == ">=" else (None, rhs)


def _no_candidate_left(model: AllocationModel, goals: pd.DataFrame, chosen: set[str]) -> list[str]:
    """Missed goals that no unchosen candidate could move by their year: more money cannot help them."""
    impacts = model.index.impacts
    starts = model.index.starts
    complete = (starts["start"] + starts["duration"]).groupby(starts["project"]).min()
    stuck = []
    index = model.index.goals.set_index("goal")
    for g in goals[~goals["met"].astype(bool)].itertuples(index=False):
        scope = set(index.loc[g.goal, "scope"])
        movers = impacts[(impacts["indicator"] == g.indicator) & impacts["region"].isin(scope)
                         & ((impacts["value"] > 0) == (g.sense == ">="))]["project"]
        open_ = [p for p in set(movers) - chosen if complete.get(p, np.inf) <= int(g.year)]
        if not open_:
            stuck.append(str(g.goal))
    return stuck


def _table(results: list[dict[str, Any]], first: list[str] | None = None) -> pd.DataFrame:
    """The points as one table, with plan changes between neighbouring points."""
    rows = []
    previous: set[str] | None = None
    for r in results:
        row: dict[str, Any] = {"factor": r["factor"], "money": r.get("money"), "spent": r.get("spent"),
                               "status": r["status"], "objective": r.get("objective")}
        if "target" in r:
            row["target"] = r["target"]
        for name, value in r.get("stages", []):
            row[name] = value
        if "benefit" in r:
            row["benefit"] = r["benefit"]
        for goal, (achieved, target, reached) in r.get("goals", {}).items():
            row[f"achieved {goal}"] = achieved
            row[f"attainment {goal}"] = achieved / target if target else np.nan
            row[f"progress {goal}"] = reached
        chosen = set(r.get("projects", []))
        has_plan = "projects" in r
        row["projects"] = ", ".join(sorted(chosen)) if has_plan else ""
        if previous is not None and has_plan:
            row["added"] = ", ".join(sorted(chosen - previous))
            row["dropped"] = ", ".join(sorted(previous - chosen))
        else:
            row["added"] = row["dropped"] = ""
        row["reason"] = r.get("reason", "")
        stuck = r.get("exhausted", [])
        row["note"] = (f"more money cannot help {', '.join(stuck)}: no candidate project left that moves "
                       f"{'it' if len(stuck) == 1 else 'them'}" if stuck else "")
        if has_plan:
            previous = chosen
        rows.append(row)
    table = pd.DataFrame(rows)
    if first:
        table = table[first + [c for c in table.columns if c not in first]]
    return table


__all__ = ["Frontier", "Sweep", "budget_frontier", "factors", "goal_frontier"]
