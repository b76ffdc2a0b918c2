"""Disparity measures: how unequal per-capita levels are, before and after a plan.

Measures of per-capita levels y_i with populations p_i (P = sum p_i):

* Gini: sum_i sum_j p_i p_j |y_i - y_j| / (2 P^2 mu), mu = sum p_i y_i / P;
* max/min ratio: max y_i / min y_i;
* coefficient of variation: population-weighted standard deviation / mu.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.results.answer import Answer


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
