"""Brute force: the planner's optimum equals the best of every plan, enumerated without a solver.

Small random scenarios (at most 10 binary projects, at most 50,000 plans) are generated from fixed
seeds by ``tests/enumerate_plans.random_tables``. For ``objective = benefit`` and ``objective = cost``
the test enumerates every plan (each project not chosen, or started in one of its allowed years),
keeps the feasible ones with ``tests/enumerate_plans`` (an independent implementation of the model
semantics), and checks that

* the planner reports ``infeasible`` with exit code 3 exactly when no plan is feasible;
* otherwise its ``objective`` equals the enumerated optimum (within the default relative MIP gap
  1e-4, plus 1e-6 absolute);
* the plan it returns is feasible by our own rules, its reported spending respects every budget,
  and its objective recomputed by us equals the reported objective.

The first tests check the enumerator itself on hand-worked scenarios, so that a disagreement can be
blamed on the right side.
"""

from __future__ import annotations

import json

import pytest

from tests.builders import settings
from tests.enumerate_plans import (
    PLAN_CAP,
    check_answer,
    close,
    is_feasible,
    optimum,
    parse,
    plan_count,
    plan_value,
    random_tables,
    solve_tables_json,
)

BENEFIT_SEEDS = list(range(1000, 1025))
COST_SEEDS = list(range(2000, 2025))
#: Scenarios with cost profiles, running costs, a price escalation and portfolio rules.
REALISM_SEEDS = list(range(4000, 4020))


def describe(tables) -> str:
    """The scenario as JSON, to paste into a reproduction."""
    return json.dumps(tables, default=str)


# --------------------------------------------------------------------------------------------
# Hand-worked scenarios: the enumerator (and the planner) against answers computed by hand
# --------------------------------------------------------------------------------------------

def base_tables(horizon: int = 2, objective: str = "benefit", discount_rate: float = 0.0):
    """Two regions, one indicator worth 1 per unit and year, no budgets or projects yet."""
    return {
        "Settings": settings(name="hand", start_year=2026, horizon=horizon, objective=objective,
                             discount_rate=discount_rate),
        "Regions": [{"region": "A", "group": "west"}, {"region": "B", "group": "west"}],
        "Indicators": [{"indicator": "grp", "unit": "bn", "value": 1.0}],
        "Baseline": [{"region": "A", "indicator": "grp", "value": 10},
                     {"region": "B", "indicator": "grp", "value": 20}],
        "Funds": [{"fund": "F", "carry_over": "no"}],
        "Budgets": [],
        "Projects": [],
        "Impacts": [],
        "Goals": [],
    }


def hand_two_projects_one_budget():
    """Budget 10 in 2026 and 10 in 2027. P1 costs 8 (+3 grp), P2 costs 6 (+2 grp).

    Only projects started in 2026 complete (2027) inside the 2-year horizon, and 8 + 6 > 10, so
    at most one of them is bought in 2026: P1 (benefit 3 × 1 year × worth 1 = 3) beats P2 (2).
    Expected benefit optimum: 3.
    """
    t = base_tables()
    t["Budgets"] = [{"fund": "F", "year": 2026, "amount": 10}, {"fund": "F", "year": 2027, "amount": 10}]
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 8},
                     {"project": "P2", "kind": "other", "region": "B", "cost": 6}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 3},
                    {"project": "P2", "indicator": "grp", "value": 2}]
    return t, 3.0


def hand_carry_over(discount_rate: float):
    """Horizon 3, budget 5 a year in a carry-over fund; P1 costs 8 (+4 grp a year).

    8 > 5, so P1 can only start in 2027, paid from 5 + 5 carried money; it is complete in 2028:
    benefit 4 × delta_2028 = 4 / (1 + r)^2. (Without carry-over it could never be bought.)
    """
    t = base_tables(horizon=3, discount_rate=discount_rate)
    t["Funds"] = [{"fund": "F", "carry_over": "yes"}]
    t["Budgets"] = [{"fund": "F", "year": y, "amount": 5} for y in (2026, 2027, 2028)]
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 8}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 4}]
    return t, 4.0 / (1 + discount_rate) ** 2


def hand_no_carry_over():
    """As ``hand_carry_over`` without carry-over: P1 never fits a year's budget; benefit 0."""
    t, _ = hand_carry_over(0.0)
    t["Funds"] = [{"fund": "F", "carry_over": "no"}]
    return t, 0.0


def hand_split_between_funds():
    """Two pooled funds with 5 each in 2026; P1 (cost 8, +3 grp, any fund) needs both: 5 + 3.

    P2 (cost 4, +2 grp) may only use F2. P1 + P2 needs 12 > 10; P1 alone gives 3, P2 alone 2, so
    the optimum is P1 paid by a split, benefit 3 (horizon 2, complete in 2027).
    """
    t = base_tables()
    t["Funds"] = [{"fund": "F1", "carry_over": "no"}, {"fund": "F2", "carry_over": "no"}]
    t["Budgets"] = [{"fund": "F1", "year": 2026, "amount": 5}, {"fund": "F2", "year": 2026, "amount": 5}]
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 8},
                     {"project": "P2", "kind": "other", "region": "B", "cost": 4, "funds": "F2"}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 3},
                    {"project": "P2", "indicator": "grp", "value": 2}]
    return t, 3.0


def hand_regional_budgets():
    """A regional fund: A has 10 in 2026, B has 3. P1 in A costs 8 (+1), P2 in B costs 6 (+5).

    P2 cannot be paid from B's 3 (A's money cannot pay for B's project), so only P1: benefit 1.
    """
    t = base_tables()
    t["Budgets"] = [{"fund": "F", "year": 2026, "region": "A", "amount": 10},
                    {"fund": "F", "year": 2026, "region": "B", "amount": 3}]
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 8},
                     {"project": "P2", "kind": "other", "region": "B", "cost": 6}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 1},
                    {"project": "P2", "indicator": "grp", "value": 5}]
    return t, 1.0


def hand_requires_delays():
    """Horizon 3, plenty of money. P2 (+5) requires P1 (+1), and P1 may start only from 2027.

    P2 must start no earlier than P1, so both start in 2027 and are complete in 2028 only:
    benefit (1 + 5) × 1 year = 6 (P2 alone from 2026 would have given 10 but is not allowed).
    """
    t = base_tables(horizon=3)
    t["Budgets"] = [{"fund": "F", "year": y, "amount": 100} for y in (2026, 2027, 2028)]
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 2, "earliest_start": 2027},
                     {"project": "P2", "kind": "other", "region": "B", "cost": 2, "requires": "P1"}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 1},
                    {"project": "P2", "indicator": "grp", "value": 5}]
    return t, 6.0


def hand_cost_with_goal():
    """Cost objective, grp over the country >= 33 in 2027 (baseline 30), budget 10 a year.

    Reaching +3 by 2027 needs projects started in 2026: P1 (+3, cost 8) or P2 + P3 (+2 +2, cost
    6 + 5 = 11 > 10, not payable). So P1 alone, cost 8.
    """
    t = base_tables(objective="cost")
    t["Budgets"] = [{"fund": "F", "year": 2026, "amount": 10}, {"fund": "F", "year": 2027, "amount": 10}]
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 8},
                     {"project": "P2", "kind": "other", "region": "B", "cost": 6},
                     {"project": "P3", "kind": "other", "region": "B", "cost": 5}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 3},
                    {"project": "P2", "indicator": "grp", "value": 2},
                    {"project": "P3", "indicator": "grp", "value": 2}]
    t["Goals"] = [{"goal": "G1", "indicator": "grp", "target": 33}]
    return t, 8.0


def hand_mandatory_infeasible():
    """A mandatory project costing 12 with budgets of 10 a year: no plan is feasible."""
    t, _ = hand_two_projects_one_budget()
    t["Projects"][0].update(cost=12, mandatory="yes")
    return t, None


def hand_cost_profile():
    """Budget 3 in 2026 and 7 in 2027, horizon 3. P costs 10 over 2 years (+5 grp), paying 30/70 %:
    3 + 7 from 2026, complete in 2028: benefit 5 (evenly, 5 + 5 would fit no start year)."""
    t = base_tables(horizon=3)
    t["Budgets"] = [{"fund": "F", "year": 2026, "amount": 3}, {"fund": "F", "year": 2027, "amount": 7}]
    t["Projects"] = [{"project": "P", "kind": "other", "region": "A", "cost": 10, "duration": 2}]
    t["Impacts"] = [{"project": "P", "indicator": "grp", "value": 5}]
    t["CostProfiles"] = [{"project": "P", "year_offset": 0, "share": 0.3},
                         {"project": "P", "year_offset": 1, "share": 0.7}]
    return t, 5.0


def hand_running_costs():
    """Horizon 4, budget 10 in 2026 and 2 a year after. P (cost 10, +3) runs at 2 a year, Q (cost 10,
    +4) at 3: Q's running cost does not fit, so P: 3 x 3 complete years = 9 (Q would give 12)."""
    t = base_tables(horizon=4)
    t["Budgets"] = [{"fund": "F", "year": y, "amount": 10 if y == 2026 else 2} for y in range(2026, 2030)]
    t["Projects"] = [{"project": "P", "kind": "other", "region": "A", "cost": 10, "running_cost": 2},
                     {"project": "Q", "kind": "other", "region": "B", "cost": 10, "running_cost": 3}]
    t["Impacts"] = [{"project": "P", "indicator": "grp", "value": 3},
                    {"project": "Q", "indicator": "grp", "value": 4}]
    return t, 9.0


def hand_portfolio_rule():
    """As ``two_projects_one_budget`` (P1 in A wins, 3) with the rule "at least one project in B" and P2
    (in B, +2) ready only in 2026: P1 and P2 together cost 14 > 10, so P2 alone: 2. (Without the
    latest_start, P2 started in 2027 would keep the rule at no benefit beside P1: 3.)"""
    t, _ = hand_two_projects_one_budget()
    t["Projects"][1]["latest_start"] = 2026
    t["Portfolio"] = [{"rule": "b_min", "region": "B", "at_least": 1}]
    return t, 2.0


HAND_CASES = {
    "two_projects_one_budget": hand_two_projects_one_budget,
    "carry_over": lambda: hand_carry_over(0.0),
    "carry_over_discounted": lambda: hand_carry_over(0.05),
    "no_carry_over": hand_no_carry_over,
    "split_between_funds": hand_split_between_funds,
    "regional_budgets": hand_regional_budgets,
    "requires_delays": hand_requires_delays,
    "cost_with_goal": hand_cost_with_goal,
    "mandatory_infeasible": hand_mandatory_infeasible,
    "cost_profile": hand_cost_profile,
    "running_costs": hand_running_costs,
    "portfolio_rule": hand_portfolio_rule,
}


@pytest.mark.parametrize("case", sorted(HAND_CASES))
def test_enumerator_on_hand_worked_case(case):
    """The enumerator finds the optimum worked out by hand in the case's docstring."""
    tables, expected = HAND_CASES[case]()
    result = optimum(parse(tables))
    if expected is None:
        assert not result.feasible
    else:
        assert result.feasible
        assert result.value == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("case", sorted(HAND_CASES))
def test_planner_on_hand_worked_case(case, tmp_path):
    """The planner finds the same hand-worked optimum (or reports infeasible, exit 3)."""
    tables, expected = HAND_CASES[case]()
    code, answer = solve_tables_json(tmp_path, tables)
    if expected is None:
        assert (code, answer["status"]) == (3, "infeasible"), answer
    else:
        assert (code, answer["status"]) == (0, "optimal"), answer
        assert close(answer["objective"], expected), (answer["objective"], expected)


def test_enumerator_feasibility_needs_the_split():
    """The split case is decided by the exact LP: neither fund alone can pay P1's 8."""
    sc = parse(hand_split_between_funds()[0])
    assert is_feasible(sc, {"P1": 2026}, all_goals_hard=True)
    assert not is_feasible(sc, {"P1": 2026, "P2": 2026}, all_goals_hard=True)
    assert is_feasible(sc, {"P2": 2026}, all_goals_hard=True)


# --------------------------------------------------------------------------------------------
# The generator makes the intended kind of instances
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("objective,seeds", [("benefit", BENEFIT_SEEDS), ("cost", COST_SEEDS)])
def test_generator_makes_small_mostly_feasible_nontrivial_instances(objective, seeds):
    """Every instance is small enough to enumerate; most are feasible; in most feasible ones the
    optimum buys some but not all projects (budgets bind), and a few are infeasible."""
    feasible = nontrivial = 0
    for seed in seeds:
        sc = parse(random_tables(seed, objective))
        assert len(sc.projects) <= 10 and plan_count(sc) <= PLAN_CAP
        result = optimum(sc)
        if result.feasible:
            feasible += 1
            nontrivial += 0 < len(result.chosen(sc)) < len(sc.projects)
    assert feasible >= 0.75 * len(seeds)
    assert feasible < len(seeds)               # some infeasible instances too
    assert nontrivial >= 0.6 * feasible


# --------------------------------------------------------------------------------------------
# Brute force against the planner
# --------------------------------------------------------------------------------------------

def check_against_enumeration(tables, objective: str, tmp_path) -> None:
    sc = parse(tables)
    expected = optimum(sc)
    code, answer = solve_tables_json(tmp_path, tables)
    scenario = describe(tables)
    if not expected.feasible:
        assert (code, answer["status"]) == (3, "infeasible"), (
            f"no plan is feasible by enumeration, the planner says {answer['status']} "
            f"(exit {code}, objective {answer.get('objective')}); scenario: {scenario}")
        return
    assert (code, answer["status"]) == (0, "optimal"), (
        f"enumeration finds {expected.value} with {expected.chosen(sc)}, the planner says "
        f"{answer['status']} (exit {code}); scenario: {scenario}")
    assert close(answer["objective"], expected.value), (
        f"planner objective {answer['objective']} != enumerated optimum {expected.value} "
        f"(plan {expected.chosen(sc)}; planner's plan {[(r['project'], r['start']) for r in answer['projects']]}); "
        f"scenario: {scenario}")
    assert [s["name"] for s in answer["stages"]] == [objective]
    assert close(answer["stages"][0]["value"], expected.value)

    chosen, problems = check_answer(sc, answer)
    assert not problems, f"the planner's plan breaks rules: {problems}; scenario: {scenario}"
    assert is_feasible(sc, chosen, all_goals_hard=True), (
        f"the planner's plan {chosen} is not feasible by enumeration rules; scenario: {scenario}")
    own = plan_value(sc, chosen, objective)
    assert abs(own - answer["objective"]) <= 1e-6 * max(1.0, abs(own)), (
        f"the planner's plan {chosen} is worth {own}, it reports {answer['objective']}; scenario: {scenario}")


@pytest.mark.parametrize("seed", BENEFIT_SEEDS)
def test_benefit_optimum_equals_enumeration(seed, tmp_path):
    """objective = benefit: the planner's maximum discounted benefit is the enumerated maximum."""
    check_against_enumeration(random_tables(seed, "benefit"), "benefit", tmp_path)


@pytest.mark.parametrize("seed", COST_SEEDS)
def test_cost_optimum_equals_enumeration(seed, tmp_path):
    """objective = cost with hard goals: the planner's cheapest plan costs the enumerated minimum."""
    check_against_enumeration(random_tables(seed, "cost"), "cost", tmp_path)


def test_seeds_are_reproducible():
    """The same seed gives the same scenario (so a failing seed can be replayed)."""
    assert describe(random_tables(1003, "cost")) == describe(random_tables(1003, "cost"))


# --------------------------------------------------------------------------------------------
# Investment realism: cost profiles, running costs, escalation, portfolio rules
# --------------------------------------------------------------------------------------------

def test_realism_generator_makes_instances_that_use_every_new_rule():
    """The realism instances are still small and mostly feasible, and together they use cost profiles,
    running costs (some from their own fund), an escalation and every kind of portfolio rule."""
    used = {"profile": 0, "running": 0, "running_funds": 0, "escalation": 0, "at_least": 0, "at_most": 0}
    feasible = 0
    for seed in REALISM_SEEDS:
        for objective in ("benefit", "cost"):
            tables = random_tables(seed, objective, realism=True)
            sc = parse(tables)
            assert plan_count(sc) <= PLAN_CAP
            feasible += optimum(sc).feasible
            used["profile"] += any(p.profile is not None for p in sc.projects)
            used["running"] += any(p.running > 0 for p in sc.projects)
            used["running_funds"] += any(p.running_funds for p in sc.projects)
            used["escalation"] += sc.escalation > 0
            used["at_least"] += any(low is not None for _, low, _ in sc.portfolio)
            used["at_most"] += any(high is not None for _, _, high in sc.portfolio)
    assert feasible >= 0.7 * 2 * len(REALISM_SEEDS)
    assert all(count >= 3 for count in used.values()), used


def test_realism_instance_without_the_new_rules_is_the_contract_v1_instance():
    """realism=False draws exactly the scenario it always drew (the seeds above stay comparable)."""
    plain = random_tables(4003, "cost")
    rich = random_tables(4003, "cost", realism=True)
    assert "CostProfiles" not in plain and rich["Regions"] == plain["Regions"]


@pytest.mark.parametrize("seed", REALISM_SEEDS)
@pytest.mark.parametrize("objective", ["benefit", "cost"])
def test_realism_optimum_equals_enumeration(seed, objective, tmp_path):
    """Cost profiles, running costs, escalation and portfolio rules: the planner's optimum is the
    enumerated one, and its plan, spending and running costs pass the independent re-check."""
    check_against_enumeration(random_tables(seed, objective, realism=True), objective, tmp_path)
