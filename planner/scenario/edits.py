"""Edited copies of a validated scenario: budgets scaled or raised, a goal's target moved.

The advisors ask "what if" by changing the typed tables of a copy and building
the model again; the original scenario is never touched. Edits keep the
workbook's Excel rows, so a rebuilt model still speaks in ``Sheet!row``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from planner.scenario.data import POOLED, Scenario


def with_tables(scenario: Scenario, settings: dict[str, Any] | None = None, **tables: pd.DataFrame) -> Scenario:
    """A copy of ``scenario`` with some tables (and settings) replaced."""
    new_tables = dict(scenario.tables)
    new_tables.update(tables)
    new_settings = dict(scenario.settings)
    new_settings.update(settings or {})
    return dataclasses.replace(scenario, tables=new_tables, settings=new_settings)


def _scope_column(budgets: pd.DataFrame) -> pd.Series:
    region = budgets["region"]
    return region.where(region.notna(), POOLED).map(lambda r: POOLED if r is None else str(r))


def scale_budgets(scenario: Scenario, factor: float, funds: Iterable[str] | None = None) -> Scenario:
    """Every Budgets amount of ``funds`` (all funds when None) multiplied by ``factor``."""
    budgets = scenario.tables["Budgets"].copy()
    chosen = budgets["fund"].isin(list(funds)) if funds is not None else pd.Series(True, index=budgets.index)
    amounts = budgets["amount"].astype(float)
    budgets["amount"] = np.where(chosen, amounts * factor, amounts)
    return with_tables(scenario, Budgets=budgets)


def add_money(scenario: Scenario, extra: dict[tuple[str, str, int], float]) -> Scenario:
    """Add money to (fund, scope, year) budgets; a missing Budgets row is created (row None)."""
    budgets = scenario.tables["Budgets"].copy()
    budgets["amount"] = budgets["amount"].astype(float)
    scope = _scope_column(budgets)
    new_rows = []
    for (fund, where, year), amount in extra.items():
        hit = (budgets["fund"] == fund) & (scope == where) & (budgets["year"].astype(int) == int(year))
        if hit.any():
            budgets.loc[hit, "amount"] = budgets.loc[hit, "amount"] + float(amount)
        else:
            new_rows.append({"fund": fund, "year": int(year), "region": None if where == POOLED else where,
                             "amount": float(amount), "row": None})
    if new_rows:
        budgets = pd.concat([budgets, pd.DataFrame(new_rows)], ignore_index=True)
    return with_tables(scenario, Budgets=budgets)


def set_goal_target(scenario: Scenario, goal: str, target: float) -> Scenario:
    """The copy in which goal ``goal`` has target ``target``."""
    goals = scenario.tables["Goals"].copy()
    goals.loc[goals["goal"] == goal, "target"] = float(target)
    return with_tables(scenario, Goals=goals)


def budget_total(scenario: Scenario, funds: Iterable[str] | None = None) -> float:
    """Money of ``funds`` (all when None) budgeted over the planning years."""
    budgets = scenario.tables["Budgets"]
    years = set(scenario.years)
    chosen = budgets["year"].astype(int).isin(years)
    if funds is not None:
        chosen &= budgets["fund"].isin(list(funds))
    total = float(budgets.loc[chosen, "amount"].astype(float).sum())
    return 0.0 if math.isnan(total) else total
