"""Disparity measures and the price of fairness.

Measures of per-capita levels y_i with populations p_i (P = sum p_i):

* Gini: sum_i sum_j p_i p_j |y_i - y_j| / (2 P^2 mu), mu = sum p_i y_i / P;
* max/min ratio: max y_i / min y_i;
* coefficient of variation: population-weighted standard deviation / mu.

The price of fairness compares the most beneficial plan without the Equity
rules (the efficient plan) with the most beneficial plan that obeys them all
(the fair plan): both use the ``benefit`` objective, so the price is never
negative.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from planner.results import Answer
from planner.scenario import Scenario
from planner.solve import SolveOptions


def disparity(per_capita: np.ndarray, population: np.ndarray) -> dict[str, float | None]:
    """Gini, max/min ratio and coefficient of variation of per-capita levels."""
    y = np.asarray(per_capita, dtype=float)
    p = np.asarray(population, dtype=float)
    keep = np.isfinite(y) & (p > 0)
    y, p = y[keep], p[keep]
    if len(y) == 0:
        return {"gini": None, "max_min_ratio": None, "cv": None}
    total = p.sum()
    mean = float((p * y).sum() / total)
    gini = float((p[:, None] * p[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * total**2 * mean)) \
        if mean != 0 else None
    ratio = float(y.max() / y.min()) if y.min() > 0 else None
    std = float(np.sqrt((p * (y - mean) ** 2).sum() / total))
    return {"gini": gini, "max_min_ratio": ratio, "cv": std / mean if mean != 0 else None}


def per_capita_levels(answer: Answer, indicator: str) -> pd.DataFrame:
    """Per region: population, baseline and end-of-horizon per-capita level of ``indicator``."""
    regions = answer.region_info[["region", "population"]].copy()
    regions["population"] = pd.to_numeric(regions["population"], errors="coerce").fillna(0.0)
    levels = answer.regions[answer.regions["indicator"] == indicator] if not answer.regions.empty else None
    if levels is None or levels.empty:
        return pd.DataFrame()
    last = levels[levels["year"] == levels["year"].max()].set_index("region")
    pop = regions.set_index("region")["population"]
    with np.errstate(divide="ignore", invalid="ignore"):
        regions["baseline_per_capita"] = regions["region"].map(last["baseline"]).to_numpy(dtype=float) / pop.to_numpy()
        regions["end_per_capita"] = regions["region"].map(last["level"]).to_numpy(dtype=float) / pop.to_numpy()
    regions.loc[regions["population"] <= 0, ["baseline_per_capita", "end_per_capita"]] = np.nan
    return regions


def equity_summary(answer: Answer, indicator: str | None) -> dict[str, Any]:
    """Always reported: per-capita levels by region and the measures before and after the plan."""
    if not indicator:
        return {}
    table = per_capita_levels(answer, indicator)
    if table.empty:
        return {}
    before = disparity(table["baseline_per_capita"], table["population"])
    after = disparity(table["end_per_capita"], table["population"])
    return {
        "indicator": indicator,
        "regions": table,
        "measures": {name: {"before": before[name], "after": after[name]} for name in before},
    }


def price_of_fairness(scenario: Scenario, options: SolveOptions) -> dict[str, Any]:
    """Benefit lost, region gains and disparity under the efficient and the fair plan."""
    from planner.pipeline import solve_scenario

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
    eff = per_capita_levels(efficient, indicator)
    fair_levels = per_capita_levels(fair, indicator)
    if not eff.empty:
        regions = eff[["region", "population", "baseline_per_capita"]].copy()
        regions["gain_per_capita_efficient"] = eff["end_per_capita"] - eff["baseline_per_capita"]
        regions["gain_per_capita_fair"] = fair_levels["end_per_capita"].to_numpy() - eff["baseline_per_capita"].to_numpy()
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
