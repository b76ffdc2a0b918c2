"""The budget–outcome frontier, and the cost of reaching each level of one goal.

``budget_frontier``: the scenario solved with the chosen fund's budgets (every
fund's when none is chosen) scaled by each factor from ``start`` to ``stop`` in
``steps`` points: money vs objective, vs each goal's attainment, and the plan
changes between neighbouring points (projects added / dropped).

``goal_frontier``: the cheapest plan (the ``cost`` objective, every goal hard)
with one goal's target scaled by each factor: what each target level costs.

Points are independent solves of edited copies of the scenario; with
``workers`` > 1 they run in worker processes (HiGHS on one thread each) through
:mod:`planner.parallel`, as ``planner compare`` does. See models/advice.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from planner.model import build_model
from planner.parallel import Done, run_tasks
from planner.results import chosen_starts, goal_table, plain, spending_table
from planner.scenario import Scenario
from planner.scenario.edits import budget_total, scale_budgets, set_goal_target, with_tables
from planner.solver import SolveOptions, solve
from planner.status import Status, worst


@dataclass
class Frontier:
    """Points of a sweep, in order of the factor.

    points: one row per point: factor, money (budgeted money of the scaled funds over the
        horizon) or target (goal sweep), spent, status, objective, one column per stage,
        ``attainment <goal>`` (achieved / target) and ``achieved <goal>`` per goal,
        projects (chosen, comma-separated), added and dropped (against the previous point).
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
    jobs = [(f, scale_budgets(scenario, f, funds)) for f in factors(start, stop, steps)]
    results = _run(jobs, options, workers, progress, funds)
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
    jobs = [(f, set_goal_target(as_cost, goal, written * f)) for f in factors(start, stop, steps)]
    results = _run(jobs, options, workers, progress, None)
    for result, (f, _) in zip(results, jobs):
        result["target"] = written * f
    points = _table(results, first=["factor", "target"]).drop(columns=["money"])
    return Frontier("goal", goal, "cost", points, list(goals["goal"]))


# --- running points ---------------------------------------------------------------------------

def _run(jobs: list[tuple[float, Scenario]], options: SolveOptions, workers: int,
         progress: Callable[[dict[str, Any]], None] | None, funds: list[str] | None) -> list[dict[str, Any]]:
    """Solve every point, in this process or in ``workers`` worker processes; results in order."""
    parallel = workers > 1 and len(jobs) > 1
    point_options = replace(options, threads=1, verbose=False) if parallel else options
    tasks = [(s, f, point_options, funds) for f, s in jobs]

    def point(done: Done[dict[str, Any]]) -> dict[str, Any]:
        if done.ok and done.value is not None:
            return done.value
        factor = jobs[done.index][0]
        return {"factor": factor, "money": budget_total(jobs[done.index][1], funds),
                "status": "interrupted" if done.stopped else "error", "reason": done.error}

    finished = run_tasks(_solve_task, tasks, workers=workers if parallel else 1,
                         progress=(lambda done: progress(point(done))) if progress else None)
    return [point(done) for done in finished]


def _solve_task(task: tuple[Scenario, float, SolveOptions, list[str] | None]) -> dict[str, Any]:
    return solve_point(*task)


def solve_point(scenario: Scenario, factor: float, options: SolveOptions,
                funds: list[str] | None = None) -> dict[str, Any]:
    """Build and solve one point; a small picklable summary (no model objects)."""
    point: dict[str, Any] = {"factor": factor, "money": budget_total(scenario, funds)}
    try:
        model = build_model(scenario)
        result = solve(model, options)
    except Exception as exc:  # a point that cannot be built is a row with its reason
        return point | {"status": "error", "reason": str(exc)}
    point |= {"status": result.status, "objective": result.objective, "stages": list(result.stages),
              "reason": "" if result.has_plan else result.message}
    if result.values is None:
        return point
    shares = chosen_starts(model, result.values)
    point["projects"] = sorted(set(shares["project"]))
    spent = spending_table(model, result.values)
    if funds is not None:
        spent = spent[spent["fund"].isin(funds)]
    point["spent"] = float(spent["amount"].sum()) if len(spent) else 0.0
    goals = goal_table(model, result.values)
    point["goals"] = {g: (float(a), float(t)) for g, a, t in zip(goals["goal"], goals["achieved"], goals["target"])}
    return point


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
        for goal, (achieved, target) in r.get("goals", {}).items():
            row[f"achieved {goal}"] = achieved
            row[f"attainment {goal}"] = achieved / target if target else np.nan
        chosen = set(r.get("projects", []))
        has_plan = "projects" in r
        row["projects"] = ", ".join(sorted(chosen)) if has_plan else ""
        if previous is not None and has_plan:
            row["added"] = ", ".join(sorted(chosen - previous))
            row["dropped"] = ", ".join(sorted(previous - chosen))
        else:
            row["added"] = row["dropped"] = ""
        row["reason"] = r.get("reason", "")
        if has_plan:
            previous = chosen
        rows.append(row)
    table = pd.DataFrame(rows)
    if first:
        table = table[first + [c for c in table.columns if c not in first]]
    return table


__all__ = ["Frontier", "budget_frontier", "goal_frontier", "factors", "solve_point"]
