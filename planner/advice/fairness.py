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
    """Benefit lost, goal scores, region gains and disparity under the efficient and the fair plan.

    Both plans follow the scenario's goal priorities (soft goals scored as in the ``goals``
    objective, hard goals hard), then maximise discounted benefit: the efficient plan without
    the Equity rules, the fair plan with every Equity rule hard (models/equity.md).
    """
    indicator = scenario.settings.get("output_indicator")
    efficient = solve_scenario(_with(scenario, drop_equity=True), options)
    fair = solve_scenario(_with(scenario, drop_equity=False), options)
    result: dict[str, Any] = {"efficient_status": str(efficient.status), "fair_status": str(fair.status)}
    if efficient.objective is None or fair.objective is None:
        missing = [f"the {name} plan is {answer.status}" + (f" ({answer.message})" if answer.message else "")
                   for name, answer in (("efficient", efficient), ("fair", fair)) if answer.objective is None]
        result["message"] = "The price of fairness cannot be computed: " + " and ".join(missing) + "."
        return result
    lost = efficient.objective - fair.objective
    result.update({
        "benefit_efficient": efficient.objective,
        "benefit_fair": fair.objective,
        "benefit_lost": lost,
        "benefit_lost_pct": (lost / efficient.objective * 100) if efficient.objective else None,
    })
    goal_stages = [(n, v) for n, v in efficient.stages if n.startswith("priority ")]
    fair_stages = dict(fair.stages)
    if goal_stages:
        result["goal_scores"] = [{"stage": n, "efficient": v, "fair": fair_stages.get(n)} for n, v in goal_stages]
    result["message"] = _sentence(result)
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


def _with(scenario: Scenario, drop_equity: bool) -> Scenario:
    """The scenario's goal priorities, then the most benefit; without the Equity rules, or with
    every one of them hard."""
    changed = copy.copy(scenario)
    changed.settings = dict(scenario.settings, objective="goals", tie_break="max_benefit")
    changed.tables = dict(scenario.tables)
    equity = scenario.tables["Equity"]
    changed.tables["Equity"] = equity.iloc[0:0] if drop_equity else equity.assign(hard=True)
    return changed


def _sentence(result: dict[str, Any]) -> str:
    """The price in words: what the goals give up first, then the benefit."""
    worse = [g for g in result.get("goal_scores", [])
             if g["fair"] is not None and g["fair"] > g["efficient"] + 1e-9 * max(1.0, abs(g["efficient"]))]
    parts = [f"{g['stage']} scores {g['fair']:,.4g} instead of {g['efficient']:,.4g}" for g in worse]
    lost = result["benefit_lost"]
    pct = result.get("benefit_lost_pct")
    money = (f"the fair plan gives {lost:,.4g} less discounted benefit"
             + (f" ({pct:.1f}% of the efficient plan's)" if pct is not None else "")) if lost > 1e-9 else \
        "the fair plan gives as much discounted benefit"
    goals = "; ".join(parts) + "; " if parts else ""
    return f"Price of fairness: {goals}{money}."
