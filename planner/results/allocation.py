"""Where the money goes and where the benefits fall, region by region, per person.

Money is *invested in* a region when that region's budgets (or the pooled funds on its
behalf) pay for its construction: the host region, or each paying region of a joint project by its
CostShares share. Running costs are beside it (``running_cost``, when any project has one), so the
two sum to what was paid. Partner money is invested in the host region. Benefits *fall to* the
region where the Impacts rows put them (blank = the host) and, for transport projects,
where the network's derived accessibility and output effects land, so a road hosted and
paid by one region but serving another shows the money in the first and the gain in the
second. Benefit = the money worth of the gains (``Indicators.value`` per unit and year)
in the last year.

Per-person figures are given in a readable unit stated in the column header: with
``Settings.money_unit`` = "million USD", "invested per person (USD)"; without a unit, money
per person, per 1,000 or per 1,000,000 persons, the first that shows the largest figure as a
number of at least 1 ("invested per 1,000 persons (money)").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.model.index import RUN
from planner.results.answer import Answer
from planner.scenario.units import per_person_unit


def allocation_table(answer: Answer) -> pd.DataFrame:
    """Per region: population, money invested in it (funds, partners), its share, per person;
    the gains falling to it per indicator in the last year, their money worth (benefit), per
    person, and the money invested per unit of gain."""
    regions = answer.region_info[["region", "name", "population"]].copy()
    population = pd.to_numeric(regions["population"], errors="coerce").fillna(0.0).astype(float)
    regions["population"] = population
    total_population = population.sum()
    regions["population_share"] = population / total_population if total_population > 0 else np.nan
    flows = answer.flows
    running = flows[flows["part"] == RUN] if "part" in flows else flows.iloc[0:0]
    building = flows[flows["part"] != RUN] if "part" in flows else flows
    invested = building.groupby("payer")["amount"].sum() if not building.empty else pd.Series(dtype=float)
    regions["invested"] = regions["region"].map(invested).fillna(0.0).astype(float)
    total = regions["invested"].sum()
    regions["invested_share"] = regions["invested"] / total if total > 0 else 0.0
    per_person = _per_person(regions["invested"], population)
    factor, persons, currency = per_person_unit(answer.money_unit, np.nanmax(per_person, initial=0.0))
    regions[f"invested per {persons} ({currency})"] = per_person * factor
    regions["partner_money"] = regions["region"].map(_partner_money(answer)).fillna(0.0)
    if not running.empty:
        # Running costs are spending but not investment: beside it, so the two sum to what was paid.
        regions["running_cost"] = regions["region"].map(running.groupby("payer")["amount"].sum()).fillna(0.0)
    worth = (answer.indicator_info.set_index("indicator")["value"].astype(float)
             if not answer.indicator_info.empty else pd.Series(dtype=float))
    benefit = pd.Series(0.0, index=regions.index)
    gains = _gains(answer)
    for indicator in gains.columns:
        gain = regions["region"].map(gains[indicator]).fillna(0.0)
        regions[f"gain {indicator}"] = gain
        benefit = benefit + gain * float(worth.get(indicator, 0.0) or 0.0)
    regions["benefit"] = benefit
    regions[f"benefit per {persons} ({currency} a year)"] = _per_person(benefit, population) * factor
    for indicator in gains.columns:
        regions[f"invested per {indicator}"] = _ratio(regions["invested"], regions[f"gain {indicator}"])
    return regions


def _gains(answer: Answer) -> pd.DataFrame:
    """Region x indicator: level minus baseline in the last year."""
    if answer.regions.empty:
        return pd.DataFrame()
    last = answer.regions[answer.regions["year"] == answer.regions["year"].max()]
    return (last["level"] - last["baseline"]).groupby([last["region"], last["indicator"]]).sum().unstack()


def _partner_money(answer: Answer) -> pd.Series:
    """Partner money invested in each host region: the partners' part of the construction payments inside
    the horizon (nominal), or share x partner_share x cost without the cost table."""
    if answer.projects.empty:
        return pd.Series(dtype=float)
    if not answer.costs.empty:
        region = answer.costs["project"].map(answer.project_info.set_index("project")["region"])
        return answer.costs["partner"].groupby(region).sum()
    share = answer.projects["project"].map(answer.project_info.set_index("project")["partner_share"]).fillna(0.0)
    return (answer.projects["cost"] * share.astype(float)).groupby(answer.projects["region"]).sum()


def _per_person(money: pd.Series, population: pd.Series) -> np.ndarray:
    return _ratio(money, population)


def _ratio(numerator: Any, denominator: Any) -> np.ndarray:
    a = pd.to_numeric(pd.Series(numerator), errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(pd.Series(denominator), errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(np.nan_to_num(b)) > 1e-12, a / b, np.nan)


def investment_spread(answer: Answer) -> dict[str, Any]:
    """How unevenly investment per person is spread over the regions with a population.

    ratio = highest / lowest investment per person (None when the lowest gets nothing);
    warning: the ratio exceeds ``Settings.spread_warning`` (a region with nothing counts as
    exceeding it), unless that setting is 0. Empty when no region has a population or
    nothing is invested.
    """
    table = allocation_table(answer)
    table = table[table["population"] > 0]
    if table.empty or table["invested"].sum() <= 0:
        return {}
    money_per_person = table["invested"] / table["population"]
    factor, persons, currency = per_person_unit(answer.money_unit, float(money_per_person.max()))
    table = table.assign(per_person=money_per_person * factor)
    column, unit = "per_person", f"{currency} per {persons}"
    high = table.loc[table[column].idxmax()]
    low = table.loc[table[column].idxmin()]
    ratio = float(high[column] / low[column]) if low[column] > 0 else None
    threshold = float(answer.spread_warning or 0.0)
    warning = threshold > 0 and (ratio is None or ratio > threshold)
    spread = "the lowest gets nothing" if ratio is None else f"a {ratio:,.0f}x spread" if ratio >= 10 \
        else f"a {ratio:,.1f}x spread"
    text = (f"investment per person ranges from {_figure(low[column])} {unit} in {_name(low)} "
            f"({low['population_share']:.1%} of the population, {low['invested_share']:.1%} of the money) to "
            f"{_figure(high[column])} {unit} in {_name(high)} ({high['population_share']:.1%} of the "
            f"population, {high['invested_share']:.1%} of the money): {spread}")
    if warning:
        text += (f", more than Settings spread_warning ({threshold:g}x); Equity rules (min_share, max_share "
                 "on the Equity sheet) can bound it")
    return {"ratio": ratio, "unit": unit, "threshold": threshold, "warning": bool(warning), "text": text,
            "highest": {"region": high["region"], "per_person": float(high[column]),
                        "population_share": float(high["population_share"]),
                        "investment_share": float(high["invested_share"])},
            "lowest": {"region": low["region"], "per_person": float(low[column]),
                       "population_share": float(low["population_share"]),
                       "investment_share": float(low["invested_share"])}}


def _name(region: pd.Series) -> str:
    name = region.get("name")
    return str(name) if isinstance(name, str) and name.strip() else str(region["region"])


def _figure(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


__all__ = ["allocation_table", "investment_spread", "per_person_unit"]
