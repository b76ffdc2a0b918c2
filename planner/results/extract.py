"""Tidy answer tables from a solved model: plan, goals, spending, regional levels.

Levels are recomputed from the chosen starts with the same rule as the model
(impacts count from the completion year s + d_p on), so every reported level
can be checked by hand against the workbook. :func:`solve_scenario` is the whole
way from a validated scenario to its :class:`Answer`: build, solve, extract.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from planner.model import AllocationModel, build_model
from planner.results.answer import Answer
from planner.results.disparity import equity_summary
from planner.results.investments import cluster_table, partner_table, transport_table
from planner.scenario import Scenario
from planner.solver import SolveOptions, SolveResult, solve
from planner.status import stops_deferred

log = logging.getLogger(__name__)

#: Values below this are solver noise, not decisions.
EPSILON = 1e-6


def solve_scenario(scenario: Scenario, options: SolveOptions) -> Answer:
    """Build, solve and extract the answer of a validated scenario."""
    started = time.perf_counter()
    model = build_model(scenario)
    built = time.perf_counter()
    result = solve(model, options)
    with stops_deferred():  # a finished solve is never lost to Ctrl-C or SIGTERM
        answer = extract(model, result)
    log.info("build %.2f s, hand-off %.2f s, solve %.2f s, extract %.2f s",
             built - started, result.handoff_seconds, result.solve_seconds,
             time.perf_counter() - built - result.handoff_seconds - result.solve_seconds)
    return answer


def extract(model: AllocationModel, result: SolveResult) -> Answer:
    """Answer tables for ``result`` (empty tables when there is no plan)."""
    answer = Answer(
        scenario=model.scenario.name,
        status=result.status,
        stages=result.stages,
        mip_gap=result.mip_gap,
        solve_seconds=result.solve_seconds,
        message=result.message,
    )
    answer.budgets = model.index.budgets[["fund", "scope", "year", "amount", "carry_over"]].copy()
    answer.project_info = _project_info(model)
    answer.region_info = model.scenario.tables["Regions"][["region", "name", "population", "group"]].copy()
    answer.movers = model.index.impacts[["project", "indicator", "region"]].drop_duplicates()
    if result.values is None:
        return answer
    flows = model.index.payments
    answer.flows = flows.assign(amount=result.values[model.columns.col("y", flows["y"])]).query(
        "amount > @EPSILON")[["project", "payer", "fund", "scope", "year", "amount"]].reset_index(drop=True)
    shares = chosen_starts(model, result.values)
    answer.projects = plan_table(model, shares)
    levels = level_table(model, shares, result.values)
    answer.regions = levels
    answer.goals = goal_table(model, result.values)
    answer.spending = spending_table(model, result.values)
    answer.clusters = cluster_table(model, result.values)
    answer.partners = partner_table(model, shares)
    answer.transport = transport_table(model, shares, result.values)
    answer.equity = equity_summary(answer, model.scenario.settings.get("output_indicator"))
    return answer


def _project_info(model: AllocationModel) -> pd.DataFrame:
    projects = model.index.projects
    info = projects[["name", "kind", "region", "cost", "duration", "partner", "partner_share"]]
    return info.rename_axis("project").reset_index()


def chosen_starts(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """(project, start, duration, share) with positive share."""
    starts = model.index.starts
    share = values[model.columns.col("x", starts["x"])]
    share = np.where(share > 1 - EPSILON, 1.0, share)
    chosen = starts.assign(share=share)
    return chosen[chosen["share"] > EPSILON].reset_index(drop=True)


def plan_table(model: AllocationModel, shares: pd.DataFrame) -> pd.DataFrame:
    """One row per chosen (project, start): project, start, share, region, kind, cost."""
    projects = model.index.projects
    plan = shares[["project", "start", "share"]].copy()
    plan["region"] = plan["project"].map(projects["region"])
    plan["kind"] = plan["project"].map(projects["kind"])
    plan["cost"] = plan["share"] * plan["project"].map(projects["cost"])
    return plan.sort_values(["start", "project"]).reset_index(drop=True)


def completed_impacts(model: AllocationModel, shares: pd.DataFrame) -> pd.DataFrame:
    """Yearly level change per (region, indicator, year) from the chosen plan."""
    years = model.index.years
    impacts = model.index.impacts.merge(shares[["project", "start", "duration", "share"]], on="project")
    if impacts.empty:
        return pd.DataFrame(columns=["region", "indicator", "year", "gain"])
    rows = impacts.loc[impacts.index.repeat(len(years))].copy()
    rows["year"] = np.tile(years, len(impacts))
    rows = rows[rows["start"] + rows["duration"] <= rows["year"]]
    rows["gain"] = rows["value"] * rows["share"]
    return rows.groupby(["region", "indicator", "year"], as_index=False)["gain"].sum()


def level_table(model: AllocationModel, shares: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Every region x indicator x year: baseline and level with the plan."""
    scenario = model.scenario
    grid = pd.MultiIndex.from_product(
        [scenario.regions, list(model.index.indicators.index), list(model.index.years)],
        names=["region", "indicator", "year"]).to_frame(index=False)
    base = model.index.baseline.groupby(["region", "indicator"])["value"].sum()
    grid["baseline"] = base.reindex(pd.MultiIndex.from_frame(grid[["region", "indicator"]])).fillna(0.0).to_numpy()
    gains = completed_impacts(model, shares)
    extra = model.extra_levels()
    if not extra.empty:
        extra = extra.assign(gain=extra["coef"].to_numpy(dtype=float) * values[extra["col"].to_numpy(dtype=np.int64)])
        gains = pd.concat([gains, extra[["region", "indicator", "year", "gain"]]], ignore_index=True)
    gains = gains.groupby(["region", "indicator", "year"])["gain"].sum()
    gain = gains.reindex(pd.MultiIndex.from_frame(grid[["region", "indicator", "year"]])).fillna(0.0)
    grid["level"] = grid["baseline"] + gain.to_numpy()
    return grid


def goal_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """Each goal: target, achieved level, shortfall and whether it is met."""
    goals = model.index.goals
    if goals.empty:
        return pd.DataFrame(columns=["goal", "indicator", "region", "year", "sense", "target",
                                     "achieved", "shortfall", "met"])
    base = model.baseline_levels(goals[["indicator", "scope"]])
    terms = model.level_terms(goals[["indicator", "scope", "year"]])
    gained = (terms["coef"] * values[terms["col"].to_numpy(dtype=np.int64)]).groupby(terms["item"]).sum()
    achieved = base + gained.reindex(range(len(goals))).fillna(0.0).to_numpy()
    target = goals["target"].to_numpy()
    shortfall = np.where(goals["sense"] == ">=", target - achieved, achieved - target)
    shortfall = np.maximum(shortfall, 0.0)
    tolerance = 1e-6 * np.maximum(1.0, np.abs(target))
    return pd.DataFrame({
        "goal": goals["goal"], "indicator": goals["indicator"], "region": goals["region"],
        "year": goals["year"], "sense": goals["sense"], "target": target,
        "achieved": achieved, "shortfall": np.where(shortfall <= tolerance, 0.0, shortfall),
        "met": shortfall <= tolerance, "priority": goals["priority"], "hard": goals["hard"],
        "basis": goals["basis"].fillna("level"), "written_target": goals["written_target"],
    })


def spending_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """Money used per (fund, region, year); region is the paying region."""
    flows = model.index.payments
    amount = values[model.columns.col("y", flows["y"])]
    spent = flows.assign(amount=amount)
    spent = spent[spent["amount"] > EPSILON]
    table = spent.groupby(["fund", "payer", "year"], as_index=False)["amount"].sum()
    return table.rename(columns={"payer": "region"})
