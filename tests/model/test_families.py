"""One hand-solvable case per constraint family and objective, where the family binds.

Each test states its scenario in full and works out the optimum in a comment.
Test names start with ``test_<family id>`` (see models/allocation.md); a test in
test_spec.py checks that every family has at least one.
"""

from __future__ import annotations

import pytest

from tests.builders import chosen, solve_tables, write_workbook
from tests.cases import impact, pooled, project, scenario, solve_ok

# --- one_start -------------------------------------------------------------------------------

def test_one_start_a_project_is_started_at_most_once(tmp_path):
    # P costs 5, budget 5 in each of 2026-2027, horizon 2026-2028. Started in 2026 it is
    # complete in 2027 and 2028: benefit 2 * 10 = 20. Without one_start it would also be
    # "started again" in 2027 for another 10.
    tables = scenario([project("P", 5)], [impact("P", 10)], pooled({2026: 5, 2027: 5}), horizon=3)
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2026}
    assert answer["objective"] == pytest.approx(20)


def test_one_start_mandatory_project_displaces_a_better_one(tmp_path):
    # Budget 5 in 2026 only. A (benefit 10) would win, but M is mandatory and takes the money.
    tables = scenario([project("A", 5), project("M", 5, mandatory="yes")], [impact("A", 10)],
                      pooled({2026: 5}))
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"M": 2026}
    assert answer["objective"] == pytest.approx(0)


# --- payment ---------------------------------------------------------------------------------

def test_payment_spreads_cost_over_duration_and_splits_across_eligible_funds(tmp_path):
    # Each fund has 3 a year. P (cost 10 over 2 years = 5 a year) may use F1 and F2: 3 + 2.
    # Q (worth more) may use F1 only, which cannot pay 5 a year. P starts 2026, complete 2028:
    # benefit 1.
    funds = [{"fund": "F1"}, {"fund": "F2"}]
    budgets = pooled({2026: 3, 2027: 3, 2028: 3}, "F1") + pooled({2026: 3, 2027: 3, 2028: 3}, "F2")
    tables = scenario([project("P", 10, duration=2, funds="F1, F2"),
                       project("Q", 10, duration=2, funds="F1")],
                      [impact("P", 1), impact("Q", 5)], budgets, horizon=3, funds=funds)
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2026}
    assert answer["objective"] == pytest.approx(1)
    per_year = {}
    for row in answer["spending"]:
        per_year[row["year"]] = per_year.get(row["year"], 0) + row["amount"]
        assert row["amount"] <= 3 + 1e-6
    assert per_year == pytest.approx({2026: 5, 2027: 5})


# --- budget ----------------------------------------------------------------------------------

def test_budget_regional_scope_binds_per_host_region(tmp_path):
    # Regional budgets of 5 each in 2026. In A: PA1 (5, benefit 3) or PA2 (5, benefit 2);
    # PB in B costs 8 > 5. Best: PA1, benefit 3. (A pooled budget of 10 would pick PB: 10.)
    projects = [project("PA1", 5), project("PA2", 5), project("PB", 8, region="B")]
    impacts = [impact("PA1", 3), impact("PA2", 2), impact("PB", 10)]
    regional = [{"fund": "F", "year": 2026, "region": r, "amount": 5} for r in ("A", "B")]
    answer = solve_ok(tmp_path, scenario(projects, impacts, regional))
    assert chosen(answer) == {"PA1": 2026}
    assert answer["objective"] == pytest.approx(3)
    answer = solve_ok(tmp_path, scenario(projects, impacts, pooled({2026: 10})))
    assert chosen(answer) == {"PB": 2026}
    assert answer["objective"] == pytest.approx(10)


def test_budget_missing_region_row_means_zero(tmp_path):
    # The regional fund has a row for A only: B's project cannot be paid.
    projects = [project("PA", 5), project("PB", 5, region="B")]
    impacts = [impact("PA", 1), impact("PB", 9)]
    budgets = [{"fund": "F", "year": 2026, "region": "A", "amount": 100}]
    answer = solve_ok(tmp_path, scenario(projects, impacts, budgets))
    assert chosen(answer) == {"PA": 2026}


# --- carry_over ------------------------------------------------------------------------------

@pytest.mark.parametrize("carry, expected", [("yes", {"P": 2027}), ("no", {})])
def test_carry_over_lets_unspent_money_accumulate(tmp_path, carry, expected):
    # 4 a year in 2026-2027; P costs 8 in one year. Only with carry-over can 2027 pay 4 + 4;
    # P then completes in 2028 (horizon 2026-2028): benefit 1.
    tables = scenario([project("P", 8)], [impact("P", 1)], pooled({2026: 4, 2027: 4}), horizon=3,
                      funds=[{"fund": "F", "carry_over": carry}])
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == expected
    assert answer["objective"] == pytest.approx(1 if expected else 0)


# --- requires --------------------------------------------------------------------------------

def test_requires_delays_a_project_until_its_prerequisite_starts(tmp_path):
    # P (benefit 10) requires Q, which may start from 2027 only. Alone, P would start 2026 and
    # count in 2027 and 2028 (20); with Q required, P starts no earlier than 2027: 10.
    projects = [project("P", 3, requires="Q"), project("Q", 2, earliest_start=2027)]
    tables = scenario(projects, [impact("P", 10)], pooled({2026: 10, 2027: 10, 2028: 10}), horizon=3)
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2027, "Q": 2027}
    assert answer["objective"] == pytest.approx(10)


def test_requires_makes_a_project_unaffordable_with_its_prerequisite(tmp_path):
    # P (3) needs Q (2); budget 4 in 2026 only: both cost 5 > 4, so nothing is chosen.
    projects = [project("P", 3, requires="Q"), project("Q", 2)]
    answer = solve_ok(tmp_path, scenario(projects, [impact("P", 10)], pooled({2026: 4})))
    assert chosen(answer) == {}


# --- excludes --------------------------------------------------------------------------------

def test_excludes_keeps_only_the_better_of_two_options(tmp_path):
    # Money for both, but P and Q exclude each other (declared on one side only): Q (7) wins.
    projects = [project("P", 1, excludes="Q"), project("Q", 1)]
    answer = solve_ok(tmp_path, scenario(projects, [impact("P", 5), impact("Q", 7)], pooled({2026: 10})))
    assert chosen(answer) == {"Q": 2026}
    assert answer["objective"] == pytest.approx(7)


# --- level -----------------------------------------------------------------------------------

def test_level_a_country_goal_adds_up_the_regions_gains(tmp_path):
    # A country goal on jobs (baseline A 3 + B 4 = 7, target 10) sums the regions' gains: PA adds
    # 2 in A, PB 2 in B, PC 1 in B; one of PB/PC and PA are needed (7 + 2 + 1 >= 10). Money 15 fits
    # all three, the cheapest way is PA + PC (cost 5 + 3). The goal row holds one level per region.
    indicators = [{"indicator": "jobs", "value": 0}]
    projects = [project("PA", 5), project("PB", 6, region="B"), project("PC", 3, region="B")]
    impacts = [impact("PA", 2, indicator="jobs"), impact("PB", 2, indicator="jobs"),
               impact("PC", 1, indicator="jobs")]
    goals = [{"goal": "G", "indicator": "jobs", "target": 10, "hard": "yes"}]
    baseline = [{"region": "A", "indicator": "jobs", "value": 3}, {"region": "B", "indicator": "jobs", "value": 4}]
    tables = scenario(projects, impacts, pooled({2026: 15}), goals=goals, indicators=indicators,
                      baseline=baseline, objective="cost")
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"PA": 2026, "PC": 2026}
    assert answer["goals"][0]["achieved"] == pytest.approx(10)
    from planner.model import build_model
    from planner.scenario import load_scenario

    model = build_model(load_scenario(write_workbook(tmp_path / "levels.xlsx", tables)))
    assert set(zip(model.levels["region"], model.levels["year"])) == {("A", 2027), ("B", 2027)}
    assert len(model.model.goal[0].body.linear_vars) == 2  # one level per region, not one entry per start


# --- portfolio -------------------------------------------------------------------------------

def test_portfolio_at_least_one_project_in_a_border_region(tmp_path):
    # Budget 10 in 2026. A1 and A2 (cost 5, +3 each) are best: benefit 6. The rule "at least one
    # project hosted in B" forces B1 (cost 5, +1) in beside one of them: benefit 3 + 1 = 4.
    projects = [project("A1", 5), project("A2", 5), project("B1", 5, region="B")]
    tables = scenario(projects, [impact("A1", 3), impact("A2", 3), impact("B1", 1)], pooled({2026: 10}))
    assert solve_ok(tmp_path, tables)["objective"] == pytest.approx(6)
    tables["Portfolio"] = [{"rule": "border_min", "region": "B", "at_least": 1}]
    answer = solve_ok(tmp_path, tables)
    assert "B1" in chosen(answer) and len(chosen(answer)) == 2
    assert answer["objective"] == pytest.approx(4)


def test_portfolio_exactly_one_of_three_alternatives_and_at_most_by_kind(tmp_path):
    # Plenty of money. Three alternative routes R1-R3 (+1, +2, +3) and two airports (kind transport,
    # +5 each): 1 + 2 + 3 + 5 + 5 = 16 without rules. "exactly one of R1, R2, R3" keeps R3 only: 13.
    # "at most one transport project" then keeps one airport: 3 + 5 = 8.
    projects = [project(f"R{i}", 1) for i in (1, 2, 3)] + [
        project(f"AIR{i}", 1, kind="transport") for i in (1, 2)]
    impacts = [impact(f"R{i}", i) for i in (1, 2, 3)] + [impact(f"AIR{i}", 5) for i in (1, 2)]
    tables = scenario(projects, impacts, pooled({2026: 100}))
    assert solve_ok(tmp_path, tables)["objective"] == pytest.approx(16)
    tables["Portfolio"] = [{"rule": "one_route", "projects": "R1, R2, R3", "at_least": 1, "at_most": 1}]
    answer = solve_ok(tmp_path, tables)
    assert set(chosen(answer)) == {"R3", "AIR1", "AIR2"} and answer["objective"] == pytest.approx(13)
    tables["Portfolio"].append({"rule": "airports", "kind": "transport", "at_most": 1})
    answer = solve_ok(tmp_path, tables)
    assert set(chosen(answer)) & {"R1", "R2", "R3"} == {"R3"}
    assert len(set(chosen(answer)) & {"AIR1", "AIR2"}) == 1 and answer["objective"] == pytest.approx(8)


def test_portfolio_counts_the_share_of_a_divisible_project(tmp_path):
    # D (divisible, cost 10, +10) and E (cost 10, +1); budget 10: D is bought in full (10). "at most 0.5
    # of D" counts D's share, not whether it is chosen: D at 0.5 (cost 5), and E (cost 10) does not fit
    # beside it, so benefit 5.
    tables = scenario([project("D", 10, divisible="yes"), project("E", 10)], [impact("D", 10), impact("E", 1)],
                      pooled({2026: 10}))
    tables["Portfolio"] = [{"rule": "half_d", "projects": "D", "at_most": 0.5}]
    answer = solve_ok(tmp_path, tables)
    assert answer["projects"][0]["share"] == pytest.approx(0.5)
    assert answer["objective"] == pytest.approx(5)


# --- tranche ---------------------------------------------------------------------------------

def test_tranche_min_share_and_max_count_stop_slivers(tmp_path):
    # Divisible P (cost 10, +10 a year once complete), horizon 2026-2028, budget 1 in 2026 and 9 in
    # 2027. Without limits: a 10% sliver in 2026 (complete 2027: 2 years x 1) and 90% in 2027 (1 year
    # x 9): benefit 11. With min_tranche 0.25 the sliver is not allowed: 90% in 2027, benefit 9.
    # With max_tranches 1 instead: the best single tranche, again 90% in 2027 (10% in 2026 gives 2).
    tables = scenario([project("P", 10, divisible="yes")], [impact("P", 10)], pooled({2026: 1, 2027: 9}), horizon=3)
    answer = solve_ok(tmp_path, tables)
    assert answer["objective"] == pytest.approx(11) and len(answer["projects"]) == 2
    for limit in ({"min_tranche": 0.25}, {"max_tranches": 1}):
        tables["Projects"][0] = project("P", 10, divisible="yes", **limit)
        answer = solve_ok(tmp_path, tables)
        assert [(p["start"], round(p["share"], 6)) for p in answer["projects"]] == [(2027, 0.9)]
        assert answer["objective"] == pytest.approx(9)


def test_tranche_min_share_rules_out_a_programme_that_cannot_fund_it(tmp_path):
    # D (divisible, cost 10, +10) with min_tranche 0.5 and only 4 of money: any used tranche needs
    # 5, so D is not funded at all (benefit 0, against 4 without the limit).
    tables = scenario([project("D", 10, divisible="yes", min_tranche=0.5)], [impact("D", 10)], pooled({2026: 4}))
    answer = solve_ok(tmp_path, tables)
    assert answer["projects"] == [] and answer["objective"] == pytest.approx(0)


# --- goal ------------------------------------------------------------------------------------

def test_goal_hard_forces_a_project_with_less_benefit(tmp_path):
    # Budget fits one project. PA has more benefit (5), but the hard goal jobs in B >= 1 needs PB.
    indicators = [{"indicator": "grp", "value": 1}, {"indicator": "jobs", "value": 0}]
    projects = [project("PA", 5), project("PB", 5, region="B")]
    impacts = [impact("PA", 5), impact("PB", 1), impact("PB", 1, indicator="jobs")]
    goals = [{"goal": "G", "indicator": "jobs", "region": "B", "target": 1, "hard": "yes"}]
    tables = scenario(projects, impacts, pooled({2026: 5}), goals=goals, indicators=indicators)
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"PB": 2026}
    assert answer["goals"][0]["met"] is True


def test_goal_soft_priorities_are_lexicographic(tmp_path):
    # One project fits. PA serves the priority-2 grp goal, PB the priority-1 jobs goal (weight
    # does not matter across levels): PB is chosen; grp shortfall remains (target 10, level 0).
    indicators = [{"indicator": "grp"}, {"indicator": "jobs"}]
    projects = [project("PA", 5), project("PB", 5, region="B")]
    impacts = [impact("PA", 10), impact("PB", 2, indicator="jobs")]
    goals = [{"goal": "G_grp", "indicator": "grp", "target": 10, "priority": 2, "weight": 100},
             {"goal": "G_jobs", "indicator": "jobs", "target": 4, "priority": 1}]
    tables = scenario(projects, impacts, pooled({2026: 5}), goals=goals, indicators=indicators,
                      objective="goals")
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"PB": 2026}
    stages = {s["name"]: s["value"] for s in answer["stages"]}
    # priority 1: jobs shortfall 4 - 2 = 2, scored 2 / 4; priority 2: 100 * 10 / 10.
    assert stages["priority 1"] == pytest.approx(0.5)
    assert stages["priority 2"] == pytest.approx(100)
    assert stages["min_cost"] == pytest.approx(5)


def test_goal_at_most_target_blocks_a_polluting_project(tmp_path):
    # P brings grp 5 but emissions 3; hard goal emissions <= 2 (baseline 0) keeps it out.
    indicators = [{"indicator": "grp", "value": 1}, {"indicator": "emissions"}]
    impacts = [impact("P", 5), impact("P", 3, indicator="emissions"), impact("Q", 1)]
    goals = [{"goal": "E", "indicator": "emissions", "sense": "<=", "target": 2, "hard": "yes"}]
    tables = scenario([project("P", 1), project("Q", 1)], impacts, pooled({2026: 10}), goals=goals,
                      indicators=indicators)
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"Q": 2026}


def test_goal_in_a_group_scope_and_year(tmp_path):
    # Group "east" = {B}. Goal grp in east >= 3 in 2027 (soft). Only PB (in B) helps it.
    tables = scenario([project("PA", 5), project("PB", 5, region="B")],
                      [impact("PA", 3), impact("PB", 3)], pooled({2026: 5}),
                      goals=[{"goal": "G", "indicator": "grp", "region": "east", "year": 2027, "target": 3}],
                      objective="goals")
    tables["Regions"] = [{"region": "A", "group": "west"}, {"region": "B", "group": "east"}]
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"PB": 2026}
    assert answer["goals"][0]["achieved"] == pytest.approx(3)


def test_goal_hard_unreachable_is_infeasible_with_exit_3(tmp_path):
    tables = scenario([project("P", 5)], [impact("P", 1)], pooled({2026: 5}),
                      goals=[{"goal": "G", "indicator": "grp", "target": 5, "hard": "yes"}])
    code, answer = solve_tables(tmp_path, tables)
    assert code == 3
    assert answer["status"] == "infeasible"
    assert answer["projects"] == []


# --- objectives ------------------------------------------------------------------------------

def test_objective_cost_is_the_cheapest_plan_meeting_all_goals(tmp_path):
    # Goal grp >= 4 (treated as hard). Options: P1 (cost 5, +4), P2+P3 (2+2, +2 each): cost 4.
    projects = [project("P1", 5), project("P2", 2), project("P3", 2)]
    impacts = [impact("P1", 4), impact("P2", 2), impact("P3", 2)]
    goals = [{"goal": "G", "indicator": "grp", "target": 4}]
    answer = solve_ok(tmp_path, scenario(projects, impacts, pooled({2026: 10}), goals=goals,
                                         objective="cost"))
    assert chosen(answer) == {"P2": 2026, "P3": 2026}
    assert answer["objective"] == pytest.approx(4)


def test_objective_goals_tie_break_max_benefit_vs_min_cost(tmp_path):
    # Goal jobs >= 1 is met by either P (cost 2, grp 1) or Q (cost 4, grp 9): min_cost picks P,
    # max_benefit picks Q.
    indicators = [{"indicator": "grp", "value": 1}, {"indicator": "jobs"}]
    projects = [project("P", 2, excludes="Q"), project("Q", 4)]
    impacts = [impact("P", 1), impact("P", 1, indicator="jobs"), impact("Q", 9), impact("Q", 1, indicator="jobs")]
    goals = [{"goal": "G", "indicator": "jobs", "target": 1}]
    for tie_break, expected, value in (("min_cost", "P", 2), ("max_benefit", "Q", 9)):
        tables = scenario(projects, impacts, pooled({2026: 10}), goals=goals, indicators=indicators,
                          objective="goals", tie_break=tie_break)
        answer = solve_ok(tmp_path, tables)
        assert chosen(answer) == {expected: 2026}, tie_break
        assert answer["objective"] == pytest.approx(value)


def test_objective_benefit_is_discounted(tmp_path):
    # rate 10%. P (benefit 10/yr) must start 2026 or 2027 (budget in both years, one project
    # only by exclusion with itself trivially). Started 2026 it counts in 2027, 2028:
    # 10/1.1 + 10/1.21 = 17.355...
    tables = scenario([project("P", 5)], [impact("P", 10)], pooled({2026: 5, 2027: 5}), horizon=3,
                      discount_rate="10%")
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2026}
    assert answer["objective"] == pytest.approx(10 / 1.1 + 10 / 1.21)


def test_divisible_project_is_funded_in_part(tmp_path):
    # D costs 10 but only 4 is available: share 0.4, benefit 0.4 * 10 = 4.
    tables = scenario([project("D", 10, divisible="yes")], [impact("D", 10)], pooled({2026: 4}))
    answer = solve_ok(tmp_path, tables)
    assert answer["projects"][0]["share"] == pytest.approx(0.4)
    assert answer["projects"][0]["cost"] == pytest.approx(4)
    assert answer["objective"] == pytest.approx(4)


@pytest.mark.parametrize("basis, target, expected_level", [("level", 34, 34), ("change", 4, 34),
                                                           ("percent", 10, 33)])
def test_goal_basis_level_change_percent(tmp_path, basis, target, expected_level):
    # Baseline grp 30 (A 10 + B 20): change +4 means level 34; +10 % means 33.
    tables = minimal_goal_basis(basis, target)
    answer = solve_ok(tmp_path, tables)
    goal = answer["goals"][0]
    assert goal["target"] == pytest.approx(expected_level)
    assert goal["written_target"] == target and goal["basis"] == basis


def minimal_goal_basis(basis, target):
    from tests.builders import minimal_tables

    tables = minimal_tables()
    tables["Goals"] = [{"goal": "G", "indicator": "grp", "target": target, "basis": basis}]
    return tables
