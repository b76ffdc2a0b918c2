"""The price of fairness: the benefit given up to obey the Equity rules.

It compares the most beneficial plan without the Equity rules (the efficient plan)
with the most beneficial plan that obeys them all (the fair plan): both use the
``benefit`` objective, so the price is never negative (models/equity.md).
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from planner.results import disparity, per_capita_levels, solve_scenario
from planner.scenario import Scenario
from planner.solver import SolveOptions


def price_of_fairness(scenario: Scenario, options: SolveOptions) -> dict[str, Any]:
    """Benefit lost, region gains and disparity under the efficient and the fair plan."""
    indicator = scenario.settings.get("output_indicator")
    efficient_scenario = _with(scenario, objective="benefit", drop_equity=True)
    fair_scenario = _with(scenario, objective="benefit", drop_equity=False)
    efficient = solve_scenario(efficient_scenario, options)
    fair = solve_scenario(fair_scenario, options)
    result: dict[str, Any] = {"efficient_status": efficient.status, "fair_status": fair.status}
    if efficient.objective is None or fair.objective is None:
        return result
    lost = efficient.objective - fair.objective
    result.update({
        "benefit_efficient": efficient.objective,
        "benefit_fair": fair.objective,
        "benefit_lost": lost,
        "benefit_lost_pct": (lost / efficient.objective * 100) if efficient.objective else None,
    })
    eff = per_capita_levels(efficient, indicator) if indicator else pd.DataFrame()
    fair_levels = per_capita_levels(fair, indicator) if indicator else pd.DataFrame()
    if not eff.empty:
        regions = eff[["region", "population", "baseline_per_capita"]].copy()
        regions["gain_per_capita_efficient"] = eff["end_per_capita"] - eff["baseline_per_capita"]
        regions["gain_per_capita_fair"] = (fair_levels["end_per_capita"].to_numpy()
                                           - eff["baseline_per_capita"].to_numpy())
        regions["change"] = regions["gain_per_capita_fair"] - regions["gain_per_capita_efficient"]
        result["regions"] = regions
        result["measures"] = {
            "before": disparity(eff["baseline_per_capita"], eff["population"]),
            "efficient": disparity(eff["end_per_capita"], eff["population"]),
            "fair": disparity(fair_levels["end_per_capita"], fair_levels["population"]),
        }
    return result


def _with(scenario: Scenario, objective: str, drop_equity: bool) -> Scenario:
    changed = copy.copy(scenario)
    changed.settings = dict(scenario.settings, objective=objective)
    changed.tables = dict(scenario.tables)
    if drop_equity:
        changed.tables["Equity"] = scenario.tables["Equity"].iloc[0:0]
    return changed
