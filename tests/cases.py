"""Compact scenarios for hand-solved tests: a few projects, one fund, two regions.

``scenario(projects, impacts, budgets, ...)`` states a whole workbook in a few lines;
``project``, ``impact`` and ``pooled`` build its rows; the ``*_case`` functions are
the investment-family cases that several test modules solve.
"""

from __future__ import annotations

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
