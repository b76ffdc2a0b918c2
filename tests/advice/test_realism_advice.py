"""Decision support with the rules of investment realism: a binding Portfolio rule or running-cost budget is
named in a diagnosis, running costs have a marginal value, and frontier, alternatives and compare work on
cost profiles, running costs, tranches and loans. Each scenario is worked out by hand in its comment."""

from __future__ import annotations

import numpy as np
import pytest

import planner
from planner.advice.alternatives import find_alternatives
from planner.advice.diagnose import diagnose
from planner.advice.frontier import budget_frontier
from planner.advice.marginal import marginal_table
from planner.scenario import load_scenario
from tests.builders import write_workbook
from tests.cases import impact, pooled, project, scenario


def load(tmp_path, tables, name="s.xlsx"):
    return load_scenario(write_workbook(tmp_path / name, tables))


def portfolio_case(budget):
    # Budget `budget` in 2026. A1 (cost 3, +3) in A, B1 (cost 5, +1) in B. The rule "at least one
    # project hosted in B" (Portfolio!2) needs B1, which costs 5.
    tables = scenario([project("A1", 3), project("B1", 5, region="B")], [impact("A1", 3), impact("B1", 1)],
                      pooled({2026: budget}))
    tables["Portfolio"] = [{"rule": "border_min", "region": "B", "at_least": 1}]
    return tables


def test_diagnosis_names_a_binding_portfolio_rule(tmp_path):
    # With 4 of money B1 cannot be paid: the Portfolio rule conflicts with the 2026 budget. Repairs:
    # 1 more money in 2026, or the rule loosened by one project (at least 1 -> 0).
    result = diagnose(load(tmp_path, portfolio_case(4)))
    assert result.status == "infeasible"
    where = {c["rule"]: f"{c['sheet']}!{c['row']}" for c in result.conflict}
    assert where["portfolio border_min"] == "Portfolio!2"
    assert where["budget F pooled 2026"] == "Budgets!2"
    text = result.explanation()
    assert "Portfolio rule border_min (at least 1 of the projects hosted in B: B1) [Portfolio!2]" in text
    repairs = {r["rule"]: r for r in result.repairs}
    assert repairs["budget F pooled 2026"]["amount"] == pytest.approx(1)
    assert repairs["portfolio border_min"]["amount"] == pytest.approx(1)
    assert "at least 1 -> 0" in repairs["portfolio border_min"]["text"]
    # The repaired workbook solves, with B1 beside nothing else (5 of 5).
    answer = planner.solve(load(tmp_path, portfolio_case(5), "fixed.xlsx"))
    assert set(answer.plan["project"]) == {"B1"}


def test_diagnosis_names_a_budget_that_cannot_pay_a_running_cost(tmp_path):
    # Mandatory M (cost 4, runs at 3 a year once complete, 2027 on) and 2 of money in 2027: the running
    # cost cannot be paid. The conflict is the mandatory flag and Budgets F 2027, with M's running-cost
    # payment told in words; 1 more in 2027 repairs it.
    tables = scenario([project("M", 4, mandatory="yes", running_cost=3)], [impact("M", 1)],
                      pooled({2026: 10, 2027: 2}))
    result = diagnose(load(tmp_path, tables))
    assert result.status == "infeasible"
    kinds = {c["rule"]: c for c in result.conflict}
    assert "budget F pooled 2027" in kinds and "mandatory M" in kinds
    running = [c for c in result.conflict if c["kind"] == "definition"]
    assert any("project M's running cost in 2027 (3 a year) is paid from F" in c["text"] for c in running)
    repairs = {r["rule"]: r for r in result.repairs}
    assert repairs["budget F pooled 2027"]["amount"] == pytest.approx(1)


def test_marginal_value_of_a_budget_that_pays_running_costs(tmp_path):
    # Benefit objective, horizon 2026-2028. D (divisible, cost 10, +10, runs at 2 a year) is complete in
    # 2027 and 2028; 2027 has 1 of money, so 2 x share <= 1: share 0.5, benefit 0.5 x 10 x 2 = 10. Money
    # of 2027 binds: each unit more pays half a unit of share, worth 10 x 2 / 2 = 10.
    tables = scenario([project("D", 10, divisible="yes", running_cost=2)], [impact("D", 10)],
                      pooled({2026: 10, 2027: 1, 2028: 10}), horizon=3, tie_break="none")
    table = marginal_table(load(tmp_path, tables), step=0.05).set_index("year")
    assert table.loc[2027, "binding"] and table.loc[2027, "per_money"] == pytest.approx(10)
    assert not table.loc[2026, "binding"]


def realism_case():
    # Benefit objective, horizon 2026-2029, 10 a year. Roads R1, R2 (cost 12 over two years, 20/80 %,
    # running 1 a year) and two parks (divisible, cost 8, at least 50% a tranche); "at most one road".
    projects = [project("R1", 12, duration=2, running_cost=1, kind="transport"),
                project("R2", 12, duration=2, running_cost=1, kind="transport"),
                project("K1", 8, divisible="yes", min_tranche=0.5), project("K2", 8, divisible="yes", max_tranches=1)]
    tables = scenario(projects, [impact("R1", 6), impact("R2", 5), impact("K1", 3), impact("K2", 2)],
                      pooled({2026: 10, 2027: 10, 2028: 10, 2029: 10}), horizon=4)
    tables["CostProfiles"] = [{"project": p, "year_offset": k, "share": s} for p in ("R1", "R2")
                              for k, s in ((0, 0.2), (1, 0.8))]
    tables["Portfolio"] = [{"rule": "one_road", "kind": "transport", "at_most": 1}]
    return tables


def test_frontier_and_alternatives_respect_the_new_rules(tmp_path):
    sc = load(tmp_path, realism_case())
    frontier = budget_frontier(sc, "F", start=0.5, stop=1.5, steps=3)
    objective = frontier.points["objective"].to_numpy(dtype=float)
    assert (frontier.points["status"] == "optimal").all() and (np.diff(objective) >= -1e-6).all()
    found = find_alternatives(sc, slack=0.2, count=3)
    assert found.plans
    for plan in found.plans:
        roads = {"R1", "R2"} & set(plan.projects)
        assert len(roads) <= 1  # the Portfolio rule holds in every alternative
        tranches = plan.answer.projects
        k1 = tranches[tranches["project"] == "K1"]["share"]
        assert (k1 >= 0.5 - 1e-6).all()
        assert len(tranches[tranches["project"] == "K2"]) <= 1


def test_compare_a_scenario_with_and_without_running_costs(tmp_path):
    base = realism_case()
    cheap = realism_case()
    for row in cheap["Projects"]:
        row.pop("running_cost", None)
    result = planner.compare([write_workbook(tmp_path / "with.xlsx", base),
                              write_workbook(tmp_path / "without.xlsx", cheap)])
    overview = result.overview.set_index("scenario")
    assert len(overview) == 2 and (overview["status"] == "optimal").all()
    assert not result.inputs.empty  # the running_cost cells differ


def test_diagnosis_names_a_tranche_limit_and_its_repair(tmp_path):
    # Mandatory divisible D (cost 10) must be funded in full, but each of 2026 and 2027 has only 5:
    # two tranches of 50% would do, max_tranches allows one. Repairs: one more tranche (1 -> 2), or 5
    # more money in one of the years, or D made optional.
    tables = scenario([project("D", 10, divisible="yes", mandatory="yes", max_tranches=1)], [impact("D", 1)],
                      pooled({2026: 5, 2027: 5}), horizon=3)
    result = diagnose(load(tmp_path, tables))
    assert result.status == "infeasible"
    where = {c["rule"]: f"{c['sheet']}!{c['row']}" for c in result.conflict}
    assert where["max_tranches D"] == "Projects!2"
    repairs = {r["rule"]: r for r in result.repairs}
    assert repairs["max_tranches D"]["amount"] == pytest.approx(1)
    assert "(1 -> 2)" in repairs["max_tranches D"]["text"]
