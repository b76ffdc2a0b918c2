"""Objective stages: goal priorities, then a tie-break; or benefit; or cost.

Each stage is a linear function of the start variables x (or the shortfalls u),
always minimised internally; maximised objectives carry ``sign = -1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.model.build import AllocationModel, Stage
from planner.model.index import BUILD, RUN


def discounted_cost(b: AllocationModel) -> np.ndarray:
    """Coefficient of x[p,s] in discounted own spending inside the horizon: sum_t delta_t (c[p,s,t] + m[p,s,t]),
    construction and running costs (nominal, the payment rows' amounts).

    A start paid evenly at base-year prices inside the horizon (every contract-v1 start) keeps the
    closed form c_p * sum_{t=s}^{s+d_p-1} delta_t, so its coefficient is the very number it always was.
    """
    starts = b.index.starts
    projects = b.index.projects
    cumulative = _cumulative_discount(b)
    c = starts["project"].map(projects["own_cost_per_year"]).to_numpy()
    first = starts["start"].to_numpy()
    last = first + starts["duration"].to_numpy() - 1
    closed = c * (cumulative(last) - cumulative(first - 1))
    schedule = b.index.schedule
    even = ~starts["project"].isin(set(b.scenario.tables["CostProfiles"]["project"])).to_numpy() \
        & ~starts["project"].map(projects["under_way"]).to_numpy(dtype=bool) \
        & bool((b.index.escalation == 1.0).all())
    summed = schedule["own"] * schedule["year"].map(b.index.discount).to_numpy(dtype=float)
    build = summed[schedule["part"] == BUILD].groupby(schedule["x"]).sum().reindex(starts["x"]).fillna(0.0)
    run = summed[schedule["part"] == RUN].groupby(schedule["x"]).sum().reindex(starts["x"]).fillna(0.0)
    return np.where(even, closed, build.to_numpy()) + run.to_numpy()


def discounted_benefit(b: AllocationModel) -> np.ndarray:
    """Coefficient of x[p,s] in discounted benefit: W_p * sum_{t=s+d_p}^{Y} delta_t.

    W_p = sum over p's impacts of value_k * v, the money worth of one complete year.
    """
    starts = b.index.starts
    impacts = b.index.impacts
    worth = impacts["indicator"].map(b.index.indicators["value"].fillna(0.0)).astype(float)
    per_project = (worth * impacts["value"]).groupby(impacts["project"]).sum()
    w = starts["project"].map(per_project).fillna(0.0).to_numpy()
    cumulative = _cumulative_discount(b)
    complete = (starts["start"] + starts["duration"]).to_numpy()
    return w * (cumulative(b.index.last_year) - cumulative(complete - 1))


def benefit_terms(b: AllocationModel) -> tuple[np.ndarray, np.ndarray]:
    """Columns and coefficients of discounted benefit, family variables included.

    A family variable with level contribution c to indicator k in year t adds
    delta_t * value_k * c.
    """
    x_cols = b.columns.col("x", b.index.starts["x"])
    extra = b.extra_levels()
    if extra.empty:
        return x_cols, discounted_benefit(b)
    worth = extra["indicator"].map(b.index.indicators["value"].fillna(0.0)).astype(float).to_numpy()
    delta = extra["year"].map(b.index.discount).astype(float).to_numpy()
    coefs = worth * delta * extra["coef"].to_numpy(dtype=float)
    return (np.concatenate([x_cols, extra["col"].to_numpy(dtype=np.int64)]),
            np.concatenate([discounted_benefit(b), coefs]))


def _cumulative_discount(b: AllocationModel):
    """F(t) = sum_{y0 <= t' <= t} delta_t' for any integer t (0 before y0, constant after Y)."""
    years = b.index.years
    totals = np.concatenate([[0.0], np.cumsum(b.index.discount.to_numpy())])

    def cumulative(t: np.ndarray | int) -> np.ndarray:
        position = np.clip(np.asarray(t) - years[0] + 1, 0, len(years))
        return totals[position]

    return cumulative


def goal_stages(b: AllocationModel) -> list[Stage]:
    """One stage per priority level of soft goals and soft equity rules.

    A goal scores weight_g * u_g / |target_g|; an equity rule weight * u / |value|.
    """
    goals = b.index.goals
    soft = goals[~goals["hard"]].reset_index(drop=True)
    scored = pd.DataFrame({"priority": soft["priority"].to_numpy(dtype=int),
                           "col": b.columns.col("u", soft.index.to_numpy()),
                           "score": (soft["weight"] / soft["scale"]).to_numpy(dtype=float)})
    units = b.equity_units
    if len(units):
        scored = pd.concat([scored, pd.DataFrame({
            "priority": units["priority"].to_numpy(dtype=int), "col": b.columns.col("eq_u", units["u"]),
            "score": units["score"].to_numpy(dtype=float)})], ignore_index=True)
    stages = []
    for priority in sorted(scored["priority"].unique()):
        level = scored[scored["priority"] == priority]
        stages.append(Stage(f"priority {int(priority)}", level["col"].to_numpy(dtype=np.int64),
                            level["score"].to_numpy(dtype=float)))
    return stages


def add_objectives(b: AllocationModel) -> None:
    """Fill ``b.stages`` from Settings ``objective`` and ``tie_break``."""
    objective = b.scenario.settings["objective"]
    x_cols = b.columns.col("x", b.index.starts["x"])
    tie_break = b.scenario.settings["tie_break"]
    if objective == "benefit":
        cols, coefs = benefit_terms(b)
        b.stages = [Stage("benefit", cols, -coefs, sign=-1.0)]
        if tie_break == "min_cost":
            b.stages.append(Stage("min_cost", x_cols, discounted_cost(b), reported=False))
    elif objective == "maxmin":
        b.stages = [Stage("maxmin", b.columns.col("z", [0]), np.array([-1.0]), sign=-1.0)]
        cols, coefs = benefit_terms(b)
        b.stages.append(Stage("benefit", cols, -coefs, sign=-1.0))
        if tie_break == "min_cost":
            b.stages.append(Stage("min_cost", x_cols, discounted_cost(b), reported=False))
    elif objective == "cost":
        b.stages = [Stage("cost", x_cols, discounted_cost(b))]
        if tie_break == "max_benefit":
            cols, coefs = benefit_terms(b)
            b.stages.append(Stage("max_benefit", cols, -coefs, sign=-1.0, reported=False))
    else:
        b.stages = goal_stages(b)
        if tie_break == "min_cost":
            b.stages.append(Stage("min_cost", x_cols, discounted_cost(b)))
        elif tie_break == "max_benefit":
            cols, coefs = benefit_terms(b)
            b.stages.append(Stage("max_benefit", cols, -coefs, sign=-1.0))


def stage_value(stage: Stage, values: np.ndarray) -> float:
    """Reported value of a stage for a solution (global column values)."""
    return float(stage.sign * np.dot(stage.coefs, values[stage.cols]))


__all__ = ["add_objectives", "discounted_benefit", "discounted_cost", "stage_value"]
