"""Compact scenarios for hand-solved tests: a few projects, one fund, two regions.

``scenario(projects, impacts, budgets, ...)`` states a whole workbook in a few lines;
``project``, ``impact`` and ``pooled`` build its rows; the ``*_case`` functions are
the investment-family cases that several test modules solve.
"""

from __future__ import annotations

import itertools

import numpy as np

from tests.builders import settings, solve_tables


def scenario(projects, impacts, budgets, *, horizon=2, objective="benefit", funds=None,
             goals=None, baseline=None, regions=("A", "B"), indicators=None, **extra):
    """A compact scenario: indicator ``grp`` worth 1 per unit unless told otherwise."""
    return {
        "Settings": settings(name="case", start_year=2026, horizon=horizon, objective=objective,
                             **extra),
        "Regions": [{"region": r, "population": 100} for r in regions],
        "Indicators": indicators or [{"indicator": "grp", "value": 1}],
        "Baseline": baseline or [],
        "Funds": funds or [{"fund": "F"}],
        "Budgets": budgets,
        "Projects": projects,
        "Impacts": impacts,
        "Goals": goals or [],
    }


def project(pid, cost, region="A", **more):
    return {"project": pid, "kind": "other", "region": region, "cost": cost, **more}


def impact(pid, value, indicator="grp", **more):
    return {"project": pid, "indicator": indicator, "value": value, **more}


def pooled(amounts: dict[int, float], fund="F"):
    return [{"fund": fund, "year": y, "amount": a} for y, a in amounts.items()]


def solve_ok(tmp_path, tables, *extra):
    code, answer = solve_tables(tmp_path, tables, "scenario.xlsx", *extra)
    assert code == 0, answer
    assert answer["status"] == "optimal"
    return answer


def partner_case(cap):
    # P (cost 10, partner pays 50%, so own cost 5) brings 3; budget 5. Partner money 5 a year.
    tables = scenario([project("P", 10, kind="crossborder", partner="KAZ", partner_share=0.5)],
                      [impact("P", 3)], pooled({2026: 5}))
    tables["Regions"][0]["borders"] = "KAZ"
    tables["Partners"] = [{"partner": "KAZ", "name": "Kazakhstan", "max_per_year": cap}]
    return tables


def joint_case(budget_b):
    # J (cost 10) is split 50/50 between A and B, paid from a regional fund; A has 5.
    tables = scenario([project("J", 10)], [impact("J", 3)],
                      [{"fund": "F", "year": 2026, "region": "A", "amount": 5},
                       {"fund": "F", "year": 2026, "region": "B", "amount": budget_b}])
    tables["CostShares"] = [{"project": "J", "region": "A", "share": 0.5},
                            {"project": "J", "region": "B", "share": 0.5}]
    return tables


# --- a small road network: five regions, four links (the transport family's cases) ------------

POP = {"X": 1000, "Y": 10, "Z": 10, "W": 1000, "V": 10}
LINKS = [("XY", "X", "Y", 2.0), ("YZ", "Y", "Z", 2.0), ("ZW", "Z", "W", 2.0), ("ZV", "Z", "V", 2.0)]


def floyd(links) -> dict:
    """All-pairs shortest times, written out independently of the planner."""
    nodes = list(POP)
    t = {(a, b): (0.0 if a == b else np.inf) for a in nodes for b in nodes}
    for _, a, b, time in links:
        t[a, b] = t[b, a] = min(t[a, b], time)
    for k, i, j in itertools.product(nodes, nodes, nodes):
        t[i, j] = min(t[i, j], t[i, k] + t[k, j])
    return t


def accessibility(links) -> dict:
    t = floyd(links)
    return {i: sum(POP[j] / t[i, j] for j in POP if j != i and np.isfinite(t[i, j])) for i in POP}


def upgraded(links, changes):
    return [(name, a, b, changes.get(name, time)) for name, a, b, time in links]


def transport_case(budget=10, projects=None):
    projects = projects or [project("U_YZ", 10, region="Y", kind="transport", link="YZ", new_time=1),
                            project("U_ZV", 10, region="Z", kind="transport", link="ZV", new_time=1)]
    tables = scenario(projects, [], pooled({2026: budget}), regions=list(POP), horizon=2,
                      indicators=[{"indicator": "accessibility", "value": 1}])
    tables["Regions"] = [{"region": r, "population": p} for r, p in POP.items()]
    tables["Network"] = [{"link": n, "from": a, "to": b, "time": t} for n, a, b, t in LINKS]
    return tables
