"""Sparse index sets of the allocation model, prepared with pandas.

Only what can happen gets an index: a start variable for each year a project
may start in (the set S_p), a payment variable for each (project, payer,
fund, year) where the project could be active and the fund's scope has money,
and so on. Every frame keeps the ids the planner wrote, so results and
diagnoses can be told in workbook terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model.investments import InvestmentIndex, build_investment_index
from planner.scenario import Scenario
from planner.scenario.data import POOLED
from planner.scenario.goals import level_target, shortfall_scale


@dataclass
class ModelIndex:
    """Everything the constraint builders need, as tidy frames.

    projects: one row per project (index = project id) with own_cost_per_year c_p,
        duration d_p, start window [first_start, last_start], flags and lists.
    starts: the feasible (project, start) pairs, column ``x`` numbering them.
    payers: who pays each project's own cost: (project, payer, share, row), row = the
        CostShares row (None for a host paying alone).
    budgets: (fund, scope, year, amount, carry_over, pooled, row, available), complete for
        every scope that has a budget row; scope is the region for regional funds, POOLED
        otherwise; row = the Budgets row (None where the workbook has none: 0).
    payments: (project, payer, fund, scope, year) with column ``y`` numbering them.
    impacts: (project, indicator, region, value) with blank regions resolved.
    goals: one row per goal with resolved year, scope regions, scale and hard flag.
    """

    years: np.ndarray
    discount: pd.Series
    projects: pd.DataFrame
    starts: pd.DataFrame
    payers: pd.DataFrame
    budgets: pd.DataFrame
    payments: pd.DataFrame
    impacts: pd.DataFrame
    goals: pd.DataFrame
    baseline: pd.DataFrame
    indicators: pd.DataFrame
    investments: InvestmentIndex

    @property
    def first_year(self) -> int:
        return int(self.years[0])

    @property
    def last_year(self) -> int:
        return int(self.years[-1])


def build_index(scenario: Scenario, all_goals_hard: bool = False) -> ModelIndex:
    """Prepare the sparse index sets for ``scenario``."""
    years = np.array(scenario.years, dtype=int)
    discount = pd.Series([scenario.discount(int(t)) for t in years], index=years)
    projects = _projects(scenario)
    starts = _starts(projects)
    payers = _payers(projects, scenario)
    budgets = _budgets(scenario)
    payments = _payments(projects, starts, payers, budgets, scenario)
    baseline = _baseline(scenario)
    investments = build_investment_index(scenario, projects, starts, baseline)
    impacts = pd.concat([_impacts(scenario, projects), investments.transport_impacts], ignore_index=True)
    return ModelIndex(
        years=years,
        discount=discount,
        projects=projects,
        starts=starts,
        payers=payers,
        budgets=budgets,
        payments=payments,
        impacts=impacts,
        goals=_goals(scenario, all_goals_hard),
        baseline=baseline,
        indicators=scenario.tables["Indicators"].set_index("indicator"),
        investments=investments,
    )


def _projects(scenario: Scenario) -> pd.DataFrame:
    table = scenario.tables["Projects"].set_index("project")
    y0, last = scenario.start_year, scenario.last_year
    frame = pd.DataFrame(index=table.index)
    frame["name"] = table["name"]
    frame["kind"] = table["kind"]
    frame["region"] = table["region"]
    frame["cost"] = table["cost"].astype(float)
    frame["duration"] = table["duration"].astype(int)
    partner_share = table["partner_share"] if "partner_share" in table else 0.0
    frame["partner_share"] = pd.Series(partner_share, index=table.index).fillna(0.0).astype(float)
    frame["own_cost_per_year"] = (1.0 - frame["partner_share"]) * frame["cost"] / frame["duration"]
    earliest = table["earliest_start"].fillna(y0).astype(int).clip(lower=y0)
    latest = table["latest_start"].fillna(last).astype(int)
    frame["first_start"] = earliest
    frame["last_start"] = np.minimum(latest, last - frame["duration"] + 1)
    frame["mandatory"] = table["mandatory"].astype(bool)
    frame["divisible"] = table["divisible"].astype(bool)
    frame["requires"] = table["requires"]
    frame["excludes"] = table["excludes"]
    frame["funds"] = table["funds"]
    for column in ("cluster", "role", "link", "new_time", "partner"):
        frame[column] = table[column]
    frame["row"] = table["row"]
    return frame


def _starts(projects: pd.DataFrame) -> pd.DataFrame:
    """S_p for every project, numbered: column ``x`` is the start variable's index."""
    count = (projects["last_start"] - projects["first_start"] + 1).clip(lower=0).to_numpy()
    project = np.repeat(projects.index.to_numpy(), count)
    first = np.repeat(projects["first_start"].to_numpy(), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    starts = pd.DataFrame({"project": project, "start": first + offset})
    starts["duration"] = projects["duration"].reindex(starts["project"]).to_numpy()
    starts["x"] = np.arange(len(starts))
    return starts


def _payers(projects: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Who pays each project's own cost: the CostShares rows, else the host region alone."""
    shares = scenario.tables["CostShares"]
    shared = shares.rename(columns={"region": "payer"})[["project", "payer", "share", "row"]]
    shared = shared.assign(share=shared["share"].astype(float))
    alone = projects.index.difference(pd.Index(shared["project"].unique()))
    host = pd.DataFrame({"project": alone, "payer": projects["region"].reindex(alone).to_numpy(),
                         "share": 1.0, "row": None})
    payers = pd.concat([host, shared], ignore_index=True)
    return payers[payers["share"] > 0].reset_index(drop=True)


def _budgets(scenario: Scenario) -> pd.DataFrame:
    """Budget per (fund, scope, year), zero-filled over the horizon for every known scope."""
    funds = scenario.tables["Funds"].set_index("fund")
    rows = scenario.tables["Budgets"].copy()
    rows["scope"] = rows["region"].fillna(POOLED).astype(str)
    rows["amount"] = rows["amount"].astype(float)
    amounts = rows.groupby(["fund", "scope", "year"])["amount"].sum()
    scopes = rows[["fund", "scope"]].drop_duplicates()
    grid = scopes.merge(pd.DataFrame({"year": scenario.years}), how="cross")
    grid["amount"] = amounts.reindex(pd.MultiIndex.from_frame(grid[["fund", "scope", "year"]])).fillna(0.0).to_numpy()
    grid["carry_over"] = funds["carry_over"].reindex(grid["fund"]).astype(bool).to_numpy()
    grid["pooled"] = grid["scope"] == POOLED
    first_row = rows.groupby(["fund", "scope", "year"])["row"].first()
    grid["row"] = first_row.reindex(pd.MultiIndex.from_frame(grid[["fund", "scope", "year"]])).to_numpy()
    grid = grid.sort_values(["fund", "scope", "year"], kind="stable").reset_index(drop=True)
    grid["available"] = np.where(grid["carry_over"],
                                 grid.groupby(["fund", "scope"])["amount"].cumsum(), grid["amount"])
    return grid


def _eligible_funds(projects: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    all_funds = tuple(scenario.tables["Funds"]["fund"])
    funds = projects["funds"].map(lambda f: f if f else all_funds)
    return funds.rename("fund").explode().dropna().rename_axis("project").reset_index()


def _payments(projects: pd.DataFrame, starts: pd.DataFrame, payers: pd.DataFrame,
              budgets: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """(project, payer, fund, scope, year) where money could flow; ``y`` numbers them."""
    paid = projects[projects["own_cost_per_year"] > 0]
    window = starts[starts["project"].isin(paid.index)]
    active = window.loc[window.index.repeat(window["duration"])].copy()
    active["year"] = active["start"] + active.groupby(level=0).cumcount()
    active = active[["project", "year"]].drop_duplicates()
    flows = active.merge(payers, on="project").merge(_eligible_funds(paid, scenario), on="project")
    pooled = budgets.groupby("fund")["pooled"].first()
    flows["scope"] = np.where(pooled.reindex(flows["fund"]).fillna(True).to_numpy(), POOLED, flows["payer"])
    money = budgets.set_index(["fund", "scope", "year"])["available"]
    available = money.reindex(pd.MultiIndex.from_frame(flows[["fund", "scope", "year"]])).fillna(0.0)
    flows = flows[available.to_numpy() > 0].sort_values(["project", "payer", "year", "fund"])
    flows = flows.reset_index(drop=True)
    flows["y"] = np.arange(len(flows))
    return flows[["project", "payer", "fund", "scope", "year", "share", "y"]]


def _impacts(scenario: Scenario, projects: pd.DataFrame) -> pd.DataFrame:
    """Impacts rows of projects (cluster synergy rows are handled by the cluster family)."""
    impacts = scenario.tables["Impacts"]
    impacts = impacts[impacts["project"].isin(projects.index)].copy()
    host = projects["region"].reindex(impacts["project"]).to_numpy()
    impacts["region"] = impacts["region"].where(impacts["region"].notna(), pd.Series(host, index=impacts.index))
    impacts["value"] = impacts["value"].astype(float)
    return impacts[["project", "indicator", "region", "value", "row"]].reset_index(drop=True)


def _baseline(scenario: Scenario) -> pd.DataFrame:
    base = scenario.tables["Baseline"]
    return base.assign(value=base["value"].astype(float))[["region", "indicator", "value"]]


def _goals(scenario: Scenario, all_goals_hard: bool) -> pd.DataFrame:
    """Goals with resolved year and scope, and the level target their basis implies.

    The basis rule and the shortfall scale are :mod:`planner.scenario.goals`.
    """
    goals = scenario.tables["Goals"].copy().reset_index(drop=True)
    goals["year"] = goals["year"].fillna(scenario.last_year).astype(int)
    goals["written_target"] = goals["target"].astype(float)
    goals["weight"] = goals["weight"].astype(float)
    goals["priority"] = goals["priority"].astype(int)
    goals["hard"] = goals["hard"].astype(bool) | all_goals_hard
    goals["scope"] = goals["region"].map(lambda r: tuple(scenario.scope_regions(r)))
    basis = goals["basis"].fillna("level")
    base = scenario.tables["Baseline"]
    values = base.assign(value=base["value"].astype(float)).groupby(["region", "indicator"])["value"].sum()
    baseline = np.array([sum(values.get((r, k), 0.0) for r in scope)
                         for k, scope in zip(goals["indicator"], goals["scope"])], dtype=float)
    written = goals["written_target"].to_numpy()
    goals["target"] = level_target(written, baseline, basis.to_numpy(dtype=str))
    goals["scale"] = shortfall_scale(written, baseline, basis.to_numpy(dtype=str))
    return goals
