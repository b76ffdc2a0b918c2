"""Near-optimal alternatives: plans almost as good as the optimum that differ from it most.

Planners choose among plans; one optimum hides how much freedom there is. After
the scenario is solved, every objective stage is held within ``slack``
(relative) of its optimum -- for the ``goals`` objective each priority level
and the tie-break, for ``benefit`` / ``cost`` the objective and (by default) its
hidden tie-break, which keeps alternatives from buying projects that add
nothing. Then, ``count`` times, HiGHS finds the plan that maximises the
smallest Hamming distance, on which projects are chosen, to every plan found so
far (ties broken by the sum of the distances). A search stops early when no
plan within the slack differs by at least ``min_distance`` projects.

Projects chosen in every plan are **core**, in none **never**, the rest
**borderline**. See models/advice.md, section 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd

from planner.model import AllocationModel, build_model
from planner.model.objectives import stage_value
from planner.results import Answer, extract
from planner.scenario import Scenario
from planner.solver import STAGE_TOLERANCE, SolveOptions, SolveResult, hand_off, solve, solver_output_to_stderr
from planner.status import Status, describe_highs, read_highs, stop_requested

#: A project counts as chosen in a plan when its share is above this.
CHOSEN = 1e-6


class AlternativesError(Exception):
    """The scenario has no plan to start from; ``status`` says why (infeasible, no_solution, ...)."""

    def __init__(self, result: SolveResult):
        self.status = Status(result.status)
        super().__init__(f"no plan to start from: {result.status} {result.message}".strip())


@dataclass
class Plan:
    """One plan: the optimum (number 0) or an alternative."""

    number: int
    stages: list[tuple[str, float]]
    shares: dict[str, float]  # project -> share chosen (summed over start years)
    distance: float  # Hamming distance to the optimum, on project choices
    answer: Answer

    @property
    def label(self) -> str:
        return "optimum" if self.number == 0 else f"alternative {self.number}"

    @property
    def objective(self) -> float | None:
        return self.stages[-1][1] if self.stages else None

    @property
    def projects(self) -> list[str]:
        return sorted(p for p, s in self.shares.items() if s > CHOSEN)

    def starts(self) -> dict[str, tuple[int, ...]]:
        """project -> its start years in this plan."""
        plan = self.answer.projects
        if plan.empty:
            return {}
        return {p: tuple(sorted(int(y) for y in group["start"])) for p, group in plan.groupby("project")}

    def differences(self, optimum: Plan) -> dict[str, list[str]]:
        """What this plan changes against ``optimum``: projects added, dropped, and moved in time
        (``"P: 2027 -> 2029"``)."""
        mine, theirs = self.starts(), optimum.starts()
        added = sorted(set(mine) - set(theirs))
        dropped = sorted(set(theirs) - set(mine))
        moved = [f"{p}: {_years(theirs[p])} -> {_years(mine[p])}" for p in sorted(set(mine) & set(theirs))
                 if mine[p] != theirs[p]]
        return {"added": added, "dropped": dropped, "moved": moved}

    def losses(self, optimum: Plan, signs: dict[str, float]) -> dict[str, float]:
        """How much worse each stage is than the optimum, in the stage's own units (0 = as good)."""
        best = dict(optimum.stages)
        return {name: max(0.0, signs.get(name, 1.0) * (value - best[name])) if name in best else 0.0
                for name, value in self.stages}


@dataclass
class Alternatives:
    """The optimum, the alternatives found, and the projects' robustness classes."""

    scenario: str
    slack: float
    plans: list[Plan] = field(default_factory=list)
    message: str = ""
    signs: dict[str, float] = field(default_factory=dict)  # stage -> +1 minimised, -1 maximised

    def classes(self) -> pd.DataFrame:
        """project, class (core | borderline | never), plans (how many of them choose it), in_optimum."""
        projects = sorted({p for plan in self.plans for p in plan.shares})
        rows = []
        for p in projects:
            count = sum(1 for plan in self.plans if plan.shares.get(p, 0.0) > CHOSEN)
            kind = "core" if count == len(self.plans) else "never" if count == 0 else "borderline"
            rows.append({"project": p, "class": kind, "plans": count,
                         "in_optimum": bool(self.plans and self.plans[0].shares.get(p, 0.0) > CHOSEN)})
        return pd.DataFrame(rows, columns=["project", "class", "plans", "in_optimum"])

    def overview(self) -> pd.DataFrame:
        """One row per plan: its stages, what it gives up in each stage against the optimum (in the
        stage's units), its differences from the optimum (projects added, dropped, moved in time),
        the distance (number of projects chosen differently, a divisible one counting its share),
        projects and cost."""
        rows = []
        optimum = self.plans[0] if self.plans else None
        for plan in self.plans:
            row: dict[str, Any] = {"plan": plan.label}
            for name, value in plan.stages:
                row[name] = value
            row["objective"] = plan.objective
            if optimum is not None:
                for name, loss in plan.losses(optimum, self.signs).items():
                    row[f"loss {name}"] = loss
                changes = plan.differences(optimum)
                row["added"] = ", ".join(changes["added"])
                row["dropped"] = ", ".join(changes["dropped"])
                row["moved"] = "; ".join(changes["moved"])
            row["distance_to_optimum"] = plan.distance
            row["projects"] = ", ".join(plan.projects)
            row["cost"] = float(plan.answer.projects["cost"].sum()) if len(plan.answer.projects) else 0.0
            rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        classes = self.classes()
        return {
            "scenario": self.scenario, "slack": self.slack, "message": self.message,
            "plans": [{"plan": p.label, "objective": p.objective,
                       "stages": [{"name": n, "value": v} for n, v in p.stages],
                       "distance_to_optimum": p.distance, "distance_unit": "projects chosen differently",
                       "projects": p.projects,
                       **(p.differences(self.plans[0]) | {"losses": p.losses(self.plans[0], self.signs)}
                          if self.plans else {}),
                       "plan_rows": p.answer.to_json()["projects"]} for p in self.plans],
            "core": list(classes.loc[classes["class"] == "core", "project"]),
            "borderline": list(classes.loc[classes["class"] == "borderline", "project"]),
            "never": list(classes.loc[classes["class"] == "never", "project"]),
        }


def find_alternatives(scenario: Scenario, slack: float = 0.05, count: int = 5,
                      options: SolveOptions | None = None, include_tie_break: bool = True,
                      min_distance: float = 0.5, model: AllocationModel | None = None) -> Alternatives:
    """The optimum and up to ``count`` near-optimal alternatives, as different as possible."""
    if slack < 0:
        raise ValueError("slack must be at least 0")
    options = options or SolveOptions()
    model = model or build_model(scenario)
    base = solve(model, options)
    if base.values is None:
        raise AlternativesError(base)
    found = Alternatives(scenario.name, slack, signs={s.name: s.sign for s in model.stages if s.reported})
    found.plans.append(_plan(model, base.values, base, 0, None))
    with solver_output_to_stderr():
        matrix = hand_off(model, options)
    highs = matrix.highs
    if options.time_limit:
        highs.setOptionValue("time_limit", float(options.time_limit))
    _hold_stages(model, matrix, base.values, slack, include_tie_break)
    starts = model.index.starts
    x_cols = matrix.positions[model.columns.col("x", starts["x"])]
    project_of = starts["project"].to_numpy()
    projects = list(dict.fromkeys(project_of))
    # D: the smallest distance to the plans found so far, to be maximised.
    highs.addCol(-1.0, 0.0, float(len(projects)), 0, np.array([], dtype=np.int32), np.array([]))
    d_col = highs.getNumCol() - 1
    chosen_sets: list[set[str]] = []
    for number in range(1, count + 1):
        chosen = set(found.plans[-1].projects)
        chosen_sets.append(chosen)
        inside = np.array([p in chosen for p in project_of])
        coefs = np.where(inside, 1.0, -1.0)
        # D - sum_{p not in C} c_p + sum_{p in C} c_p <= |C|
        index = np.concatenate([[d_col], x_cols]).astype(np.int32)
        matrix.add_row(index, np.concatenate([[1.0], coefs]), -highspy.kHighsInf, float(len(chosen)))
        epsilon = 1.0 / (len(chosen_sets) * (len(projects) + 1))
        cost = np.zeros(highs.getNumCol())
        cost[d_col] = -1.0
        for previous in chosen_sets:
            np.add.at(cost, x_cols, epsilon * np.where([p in previous for p in project_of], 1.0, -1.0))
        matrix.set_costs(cost)
        with solver_output_to_stderr():
            highs.run()
        if stop_requested():
            found.message = "search stopped by Ctrl-C or a termination signal"
            break
        status, has_plan = read_highs(highs)
        if not has_plan or status not in (Status.optimal, Status.feasible):
            found.message = f"search stopped: {describe_highs(highs)}"
            break
        solution = np.asarray(highs.getSolution().col_value, dtype=float)
        if matrix.solution()[d_col] < min_distance:
            found.message = (f"no other plan within {slack:.0%} of the optimum differs by at least "
                             f"{min_distance:g} project(s) from the {len(found.plans)} found")
            break
        values = matrix.column_values(solution, len(model.columns.vars))
        found.plans.append(_plan(model, values, None, number, found.plans[0]))
    return found


def _hold_stages(model: AllocationModel, matrix, values: np.ndarray, slack: float, hidden: bool) -> None:
    """Add stage <= optimum + slack * |optimum| (+ tolerance) for every stage (internal sense)."""
    for stage in model.stages:
        if not stage.reported and not hidden:
            continue
        optimum = float(np.dot(stage.coefs, values[stage.cols]))
        limit = optimum + (slack + STAGE_TOLERANCE) * abs(optimum)
        dense = np.zeros(matrix.num_col)
        positions = matrix.positions[stage.cols]
        keep = positions >= 0
        np.add.at(dense, positions[keep], stage.coefs[keep])
        cols = np.flatnonzero(dense)
        if len(cols):
            matrix.add_row(cols, dense[cols], -highspy.kHighsInf, limit)


def _plan(model: AllocationModel, values: np.ndarray, result: SolveResult | None, number: int,
          optimum: Plan | None) -> Plan:
    stages = [(s.name, stage_value(s, values)) for s in model.stages if s.reported]
    status = result.status if result is not None else Status.feasible
    answer = extract(model, SolveResult(status, values, stages))
    starts = model.index.starts
    share = values[model.columns.col("x", starts["x"])]
    shares = pd.Series(share, index=starts.index).groupby(starts["project"]).sum()
    shares = {p: 1.0 if s > 1 - CHOSEN else 0.0 if s < CHOSEN else float(s) for p, s in shares.items()}
    distance = 0.0 if optimum is None else float(sum(
        abs(shares.get(p, 0.0) - optimum.shares.get(p, 0.0)) for p in set(shares) | set(optimum.shares)))
    return Plan(number, stages, shares, distance, answer)


def _years(years: tuple[int, ...]) -> str:
    return ", ".join(map(str, years))


__all__ = ["Alternatives", "AlternativesError", "Plan", "find_alternatives"]
