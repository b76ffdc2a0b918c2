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


def random_family_tables(seed: int) -> dict:
    """A small random scenario that exercises every family: a cluster, three links, a partner,
    a joint project, goals on every basis, one equity rule of a random kind, and a random
    objective. Valid by construction (it may still be infeasible when goals are hard)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    regions = ["R1", "R2", "R3", "R4"][: int(rng.integers(3, 5))]
    people = 1e6 if seed % 3 == 0 else 1.0  # populations in persons for a third of the seeds
    objective = ["goals", "benefit", "cost", "maxmin"][seed % 4]
    horizon = int(rng.integers(3, 5))
    years = list(range(2026, 2026 + horizon))

    def r(low, high):
        return float(np.round(rng.uniform(low, high), 1))

    tables: dict = {
        "Settings": settings(name=f"family-{seed}", start_year=2026, horizon=horizon, objective=objective,
                             discount_rate=[0, 0.05][seed % 2], mip_gap=1e-9,
                             tie_break=["min_cost", "max_benefit", "none"][seed % 3]),
        "Regions": [{"region": g, "population": int(rng.integers(500, 5000) * people),
                     "group": "Z1" if i < 2 else None, "borders": "KZ" if g == "R1" else None}
                    for i, g in enumerate(regions)],
        "Indicators": [{"indicator": "grp", "value": 1}, {"indicator": "jobs", "value": 0.05},
                       {"indicator": "accessibility", "value": 0}],
        "Baseline": [{"region": g, "indicator": k, "value": r(100, 500) * (people if k == "grp" else 1)}
                     for g in regions for k in ("grp", "jobs")],
        "Funds": [{"fund": "national", "carry_over": "yes"}, {"fund": "regional", "carry_over": "no"},
                  {"fund": "foreign", "carry_over": "no"}],
        "Budgets": ([{"fund": "national", "year": y, "amount": r(15, 50)} for y in years]
                    + [{"fund": "regional", "year": y, "region": g, "amount": r(3, 15)}
                       for y in years for g in regions if rng.random() < 0.6]
                    + [{"fund": "foreign", "year": 2026, "amount": r(5, 25)}]),
        "Clusters": [{"cluster": "Q1", "region": "R1", "role": "research", "min_count": 1},
                     {"cluster": "Q1", "region": "R1", "role": "training", "min_count": 1}],
        "Network": [{"link": "L1", "from": "R1", "to": "R2", "time": 2},
                    {"link": "L2", "from": "R2", "to": "R3", "time": 3},
                    {"link": "L3", "from": "R1", "to": "R3", "time": 4}],
        "Partners": [{"partner": "KZ", "max_per_year": None if rng.random() < 0.5 else r(2, 8)}],
        "CostShares": [{"project": "P8", "region": "R2", "share": 0.5},
                       {"project": "P8", "region": "R3", "share": 0.5}],
    }
    projects = [
        {"project": "P1", "kind": "cluster", "region": "R1", "cluster": "Q1", "role": "research"},
        {"project": "P2", "kind": "cluster", "region": "R1", "cluster": "Q1", "role": "training"},
        {"project": "P3", "kind": "cluster", "region": "R1", "cluster": "Q1", "role": "training"},
        {"project": "P4", "kind": "transport", "region": "R2", "link": "L1", "new_time": 1},
        {"project": "P5", "kind": "transport", "region": "R3", "link": "L2", "new_time": 1.5},
        {"project": "P6", "kind": "crossborder", "region": "R1", "partner": "KZ", "partner_share": 0.3},
        {"project": "P7", "kind": "other", "region": regions[-1], "divisible": "yes" if seed % 2 else "no"},
        {"project": "P8", "kind": "other", "region": "R2"},
        {"project": "P9", "kind": "other", "region": "R3",
         **({"requires": "P7"} if seed % 3 == 1 else {"excludes": "P8"} if seed % 3 == 2 else {})},
    ]
    for p in projects:
        p["cost"] = r(5, 35)
        p["duration"] = int(rng.integers(1, 3))
        if p["kind"] in ("cluster", "transport"):
            p["funds"] = "national,foreign"
        elif p["project"] == "P8":
            p["funds"] = "regional,national"
    tables["Projects"] = projects
    impacts = []
    for p in projects:
        impacts.append({"project": p["project"], "indicator": "grp", "value": r(1, 10) * people})
        impacts.append({"project": p["project"], "indicator": "jobs", "value": r(1, 20),
                        "region": regions[int(rng.integers(len(regions)))] if rng.random() < 0.3 else None})
    impacts.append({"project": "Q1", "indicator": "grp", "value": r(2, 8) * people})
    tables["Impacts"] = impacts
    grp = sum(b["value"] for b in tables["Baseline"] if b["indicator"] == "grp")
    tables["Goals"] = [
        {"goal": "G1", "indicator": "grp", "target": round(grp + r(5, 30) * people, 1), "priority": 1},
        {"goal": "G2", "indicator": "jobs", "region": "Z1", "basis": "change", "target": r(5, 30), "priority": 2,
         "weight": 2},
        {"goal": "G3", "indicator": "jobs", "region": "R2", "basis": "percent", "target": r(1, 8), "priority": 2,
         "hard": "yes" if seed % 5 == 0 else "no"},
    ]
    kind = ["per_capita_floor", "max_gap", "max_ratio", "min_share", "max_share", "gini_cap"][seed % 6]
    per_person = grp / sum(g["population"] for g in tables["Regions"])
    value = {"per_capita_floor": per_person * 0.5, "max_gap": per_person, "max_ratio": 4.0, "min_share": 0.2,
             "max_share": 0.7, "gini_cap": 0.3}[kind]
    tables["Equity"] = [{"rule": "E1", "indicator": None if kind.endswith("share") else "grp", "kind": kind,
                         "value": value, "regions": "Z1" if kind.endswith("share") else None,
                         "hard": "yes" if seed % 4 == 1 else "no", "priority": 1 + seed % 2}]
    return tables
