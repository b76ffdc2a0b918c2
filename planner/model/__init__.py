"""The allocation model: ``build_model(scenario) -> AllocationModel``.

The model is built in a visible order: index sets, variables, constraint
families (one ``add_<id>`` function each, ids as in ``models/allocation.md``),
then the objective stages. Nothing here solves anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.model import constraints, equity, investment_constraints
from planner.model.build import AllocationModel, Stage
from planner.model.index import ModelIndex, build_index
from planner.model.objectives import add_objectives
from planner.model.rows import linear_objective, paused_garbage_collection
from planner.scenario import Scenario

#: Constraint families in build order; each is a Pyomo component and an id in models/.
CONSTRAINT_FAMILIES = ("one_start", "payment", "budget", "carry_over", "requires", "excludes", "portfolio",
                       "tranche", "level", "goal",
                       "cluster_role", "cluster_complete", "transport_pair", "partner_cap",
                       "equity_floor", "equity_spread", "equity_gap", "equity_share", "equity_gini",
                       "maxmin_floor")
BUILDER_MODULES = (constraints, investment_constraints, equity)



__all__ = ["AllocationModel", "CONSTRAINT_FAMILIES", "Stage", "build_model", "ModelIndex"]


def build_model(scenario: Scenario) -> AllocationModel:
    """Build the mixed-integer allocation model of a validated scenario."""
    with paused_garbage_collection():
        return _build(scenario)


def _build(scenario: Scenario) -> AllocationModel:
    objective = scenario.settings["objective"]
    all_hard = objective in ("benefit", "cost", "maxmin")
    index = build_index(scenario, all_goals_hard=all_hard)
    model = pyo.ConcreteModel(name=scenario.name)
    b = AllocationModel(scenario=scenario, index=index, model=model)
    b.index_balances = _balances(index)
    b.extra_exclusions.append(_same_link_pairs(index))
    b.equity = equity.equity_rules(b, all_hard)
    add_variables(b)
    equity.add_equity_variables(b)
    constraints.add_level_variables(b)
    for family in CONSTRAINT_FAMILIES:
        builder = next(getattr(m, f"add_{family}") for m in BUILDER_MODULES if hasattr(m, f"add_{family}"))
        builder(b)
    add_objectives(b)
    _add_pyomo_objectives(b)
    b.trivially_infeasible = [_never_true_message(b, family, i, miss) for family, i, miss in b.never_true]
    return b


def _never_true_message(b: AllocationModel, family: str, i: int, miss: float) -> str:
    """Why a constant row makes the scenario infeasible before any solve, at its Sheet!row."""
    r = b.rows[family].iloc[i]
    where = f"{r['sheet']}!{r['excel_row']}" if r.get("excel_row") is not None else str(r["sheet"])
    if family == "goal":
        g = b.index.goals.iloc[i]
        return (f"{where}: hard goal {g['goal']} can never be met: no project moves {g['indicator']} there "
                f"and the baseline {r['base']:g} misses the target {g['target']:g}")
    if family.startswith("equity") and r.get("rule") is not None:
        region = f" in region {r['region']}" if isinstance(r.get("region"), str) else ""
        return (f"{where}: hard equity rule {r['rule']} can never hold{region}: no project moves it "
                f"and it misses by {miss:g}")
    return f"{where}: {family} row {i} can never hold: no decision moves it and it misses by {miss:g}"


def _balances(index: ModelIndex) -> pd.DataFrame:
    """(fund, scope, year) of carry-over funds whose scope pays for something (or repays a loan)."""
    budgets = index.budgets[index.budgets["carry_over"]]
    used = index.charges[["fund", "scope"]].drop_duplicates()
    balances = budgets.merge(used, on=["fund", "scope"])
    balances = balances[["fund", "scope", "year", "amount"]].reset_index(drop=True)
    balances["bal"] = np.arange(len(balances))
    return balances


def _same_link_pairs(index: ModelIndex) -> pd.DataFrame:
    """Two projects on the same link exclude each other (models/families.md, section 2)."""
    on_link = index.projects[index.projects["link"].notna()].rename_axis("project").reset_index()
    pairs = on_link[["project", "link"]].merge(on_link[["project", "link"]], on="link")
    pairs = pairs[pairs["project_x"] < pairs["project_y"]]
    return pd.DataFrame({"first": pairs["project_x"].to_numpy(), "second": pairs["project_y"].to_numpy()})


def add_variables(b: AllocationModel) -> None:
    """x (starts), y (payments), bal (balances), u (shortfalls), s, w (clusters), v (pairs), tu (tranches)."""
    m = b.model
    starts = b.index.starts
    m.x = pyo.Var(range(len(starts)), within=pyo.Binary, doc="x[p,s]: project p starts in year s")
    divisible = starts["project"].map(b.index.projects["divisible"]).to_numpy()
    for i in np.flatnonzero(divisible):
        m.x[int(i)].domain = pyo.UnitInterval
    m.y = pyo.Var(range(len(b.index.payments)), within=pyo.NonNegativeReals,
                  doc="y[p,r,f,t]: money fund f pays for p on behalf of payer r in year t")
    m.bal = pyo.Var(range(len(b.index_balances)), within=pyo.NonNegativeReals,
                    doc="bal[f,r,t]: unspent money of a carry-over fund after year t")
    soft = int((~b.index.goals["hard"]).sum())
    m.u = pyo.Var(range(soft), within=pyo.NonNegativeReals, doc="u[g]: shortfall of soft goal g")
    investments = b.index.investments
    m.s = pyo.Var(range(len(investments.cluster_roles)), within=pyo.Binary,
                  doc="s[q,r,t]: role r of cluster q has enough complete components in year t")
    m.w = pyo.Var(range(len(investments.cluster_years)), within=pyo.Binary,
                  doc="w[q,t]: cluster q is complete in year t")
    m.v = pyo.Var(range(len(investments.pair_years)), bounds=(0, 1),
                  doc="v[p,q,t]: transport projects p and q are both complete in year t")
    m.tu = pyo.Var(range(len(b.index.tranches)), within=pyo.Binary,
                   doc="tu[p,s]: divisible project p funds a tranche starting in year s")
    for name in ("x", "y", "bal", "u", "s", "w", "v", "tu"):
        b.columns.add(name, getattr(m, name))


def _add_pyomo_objectives(b: AllocationModel) -> None:
    """Each stage as a Pyomo Objective (only the first active), for inspection and LP export."""
    for number, stage in enumerate(b.stages):
        component = pyo.Objective(expr=linear_objective(b.columns, stage.cols, stage.coefs),
                                  sense=pyo.minimize, doc=f"stage {number + 1}: {stage.name}")
        b.model.add_component(f"stage_{number + 1}", component)
        if number > 0:
            component.deactivate()
