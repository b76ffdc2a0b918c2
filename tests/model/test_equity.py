"""Equity rules, the maxmin objective and the price of fairness, on hand-sized cases.

Regions A and B have 10 inhabitants each; grp baseline A 100, B 50 (per capita 10 and 5).
PA (in A) adds grp 30, PB (in B) adds 10; each costs 5 and the budget pays for one (2026).
Without fairness the most beneficial plan is PA: per capita A 13, B 5.
Test names start with ``test_<family id>`` (see models/equity.md).
"""

from __future__ import annotations

import pytest

from tests.builders import chosen, solve_tables
from tests.cases import impact, pooled, project, scenario, solve_ok


def base(rules=(), objective="benefit", divisible=False, budget=5):
    extra = {"divisible": "yes"} if divisible else {}
    tables = scenario([project("PA", 5, **extra), project("PB", 5, region="B", **extra)],
                      [impact("PA", 30), impact("PB", 10)], pooled({2026: budget}), objective=objective,
                      baseline=[{"region": "A", "indicator": "grp", "value": 100},
                                {"region": "B", "indicator": "grp", "value": 50}])
    tables["Regions"] = [{"region": "A", "population": 10}, {"region": "B", "population": 10}]
    tables["Equity"] = [{"rule": f"E{i}", "indicator": "grp", "hard": "yes", **rule}
                        for i, rule in enumerate(rules, start=1)]
    return tables


def gini(a: float, b: float) -> float:
    """Gini of two equally populated regions with per-capita levels a, b: |a - b| / (2 (a + b))."""
    return abs(a - b) / (2 * (a + b))


def test_equity_floor_without_rules_the_efficient_plan_wins(tmp_path):
    answer = solve_ok(tmp_path, base())
    assert chosen(answer) == {"PA": 2026}
    assert answer["objective"] == pytest.approx(30)
    # Always reported: Gini before (10, 5) = 5/30, after (13, 5) = 8/36.
    assert answer["equity"]["measures"]["gini"]["before"] == pytest.approx(gini(10, 5))
    assert answer["equity"]["measures"]["gini"]["after"] == pytest.approx(gini(13, 5))
    assert answer["equity"]["measures"]["max_min_ratio"]["after"] == pytest.approx(13 / 5)


def test_equity_floor_per_capita_floor_forces_the_lagging_region(tmp_path):
    # B per capita >= 6 needs PB (50 + 10 = 60 over 10 people).
    answer = solve_ok(tmp_path, base([{"kind": "per_capita_floor", "value": 6, "regions": "B"}]))
    assert chosen(answer) == {"PB": 2026}


@pytest.mark.parametrize("rule", [
    {"kind": "max_gap", "value": 6},     # PA: 13 - 5 = 8 > 6; PB: 10 - 6 = 4
    {"kind": "max_ratio", "value": 2},   # PA: 13 / 5 = 2.6 > 2; PB: 10 / 6 = 1.67
    {"kind": "gini_cap", "value": 0.15},  # PA: 0.222; PB: 0.125; nothing: 0.167
], ids=lambda r: r["kind"])
def test_equity_gap_spread_rules_choose_the_fairer_project(tmp_path, rule):
    answer = solve_ok(tmp_path, base([rule]))
    assert chosen(answer) == {"PB": 2026}


@pytest.mark.parametrize("rule", [{"kind": "min_share", "value": 0.5, "regions": "B"},
                                  {"kind": "max_share", "value": 0.5, "regions": "A"}],
                         ids=["min_share", "max_share"])
def test_equity_share_of_investment(tmp_path, rule):
    answer = solve_ok(tmp_path, base([rule]))
    assert chosen(answer) == {"PB": 2026}


def test_equity_gini_linearisation_matches_the_direct_gini(tmp_path):
    # Divisible projects: the most beneficial plan with Gini <= 0.15 makes the cap bind.
    answer = solve_ok(tmp_path, base([{"kind": "gini_cap", "value": 0.15}], divisible=True))
    levels = {r["region"]: r["level"] for r in answer["regions"] if r["year"] == 2027}
    direct = gini(levels["A"] / 10, levels["B"] / 10)
    assert direct == pytest.approx(0.15, abs=1e-6)
    assert answer["equity"]["measures"]["gini"]["after"] == pytest.approx(direct)


def test_equity_spread_bounds_are_the_extreme_levels(tmp_path):
    # max_gap 4.5 with divisible projects: shares a (PA), b (PB), a + b <= 1; per capita A 10 + 3a,
    # B 5 + b; gap 5 + 3a - b <= 4.5, so b >= 0.5 + 3a. Max benefit 30a + 10b with b = 1 - a:
    # a <= 0.125, so a = 0.125, b = 0.875 (gap exactly 4.5).
    answer = solve_ok(tmp_path, base([{"kind": "max_gap", "value": 4.5}], divisible=True))
    shares = {p["project"]: p["share"] for p in answer["projects"]}
    assert shares == pytest.approx({"PA": 0.125, "PB": 0.875})
    assert answer["objective"] == pytest.approx(30 * 0.125 + 10 * 0.875)


def test_equity_floor_soft_rule_joins_the_goal_stages(tmp_path):
    tables = base([{"kind": "per_capita_floor", "value": 6, "regions": "B", "hard": "no", "priority": 1}],
                  objective="goals")
    tables["Settings"].append({"key": "tie_break", "value": "max_benefit"})
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"PB": 2026}
    assert answer["stages"][0] == {"name": "priority 1", "value": pytest.approx(0)}


def test_maxmin_floor_raises_the_lowest_per_capita_gain(tmp_path):
    # Shares a (PA) and b (PB) with a + b <= 1: gains per capita 3a and b. max min(3a, b) gives
    # a = 0.25, b = 0.75, z = 0.75; then benefit 30 * 0.25 + 10 * 0.75 = 15.
    answer = solve_ok(tmp_path, base(objective="maxmin", divisible=True))
    stages = {s["name"]: s["value"] for s in answer["stages"]}
    assert stages["maxmin"] == pytest.approx(0.75)
    assert answer["objective"] == pytest.approx(15)
    shares = {p["project"]: p["share"] for p in answer["projects"]}
    assert shares == pytest.approx({"PA": 0.25, "PB": 0.75})


def test_price_of_fairness_is_never_negative(tmp_path):
    tables = base([{"kind": "per_capita_floor", "value": 6, "regions": "B"}])
    code, answer = solve_tables(tmp_path, tables, "s.xlsx", "--price-of-fairness")
    pof = answer["price_of_fairness"]
    assert pof["benefit_efficient"] == pytest.approx(30)
    assert pof["benefit_fair"] == pytest.approx(10)
    assert pof["benefit_lost"] == pytest.approx(20) and pof["benefit_lost"] >= 0
    assert pof["benefit_lost_pct"] == pytest.approx(200 / 3)
    gains = {r["region"]: r["change"] for r in pof["regions"]}
    assert gains == pytest.approx({"A": -3.0, "B": 1.0})
    assert pof["measures"]["fair"]["gini"] == pytest.approx(gini(10, 6))


@pytest.mark.parametrize("rules", [[], [{"kind": "max_gap", "value": 6}],
                                   [{"kind": "gini_cap", "value": 0.2, "regions": "A,B"}]])
def test_price_of_fairness_never_negative_on_variants(tmp_path, rules):
    code, answer = solve_tables(tmp_path, base(rules, divisible=True, budget=7), "s.xlsx", "--price-of-fairness")
    assert answer["price_of_fairness"]["benefit_lost"] >= -1e-6
