"""Unit-proof numerics: the same scenario in som, thousand som or million USD gives the same plan.

Money (every column whose unit is money: budgets, costs, running costs, partner caps and the money
worth of indicators) and each indicator's values (baseline, impacts, level and change targets, with
the worth per unit divided back) are multiplied by 1, 1e3, 1e6, 1.27e10 (million USD -> som) and
1e12. On scenarios whose optimum is unique (the second best plan, found by enumeration in the test,
is worse by more than the MIP gap) the plan must be the same and the objective the same in the
workbook's units (relative 1e-6). A hand case with running costs, a cost profile, a loan and a
partner cap checks the money columns of investment realism the same way.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import planner
from planner.scenario import Scenario
from planner.scenario.schema import SHEETS
from tests.builders import ROOT, write_workbook
from tests.enumerate_plans import (
    Feasibility,
    benefit_coefficients,
    cost_coefficients,
    enumerate_plans,
    parse,
    random_tables,
)

FACTORS = [1.0, 1e3, 1e6, 1.27e10, 1e12]
MONEY_STAGES = {"benefit", "cost", "min_cost", "max_benefit"}


def unique_optimum(tables, objective: str) -> bool:
    """Whether the best feasible plan beats the second best by more than 1e-3 (relative)."""
    sc = parse(tables)
    plans = enumerate_plans(sc)
    feasible = Feasibility(sc, plans, all_goals_hard=True)
    values = plans.X @ (benefit_coefficients(sc) if objective == "benefit" else cost_coefficients(sc))
    order = list(np.argsort(-values if objective == "benefit" else values, kind="stable"))
    first = feasible.first_feasible(np.array(order))
    if first is None:
        return False
    rest = np.array([i for i in order if i != first])
    second = feasible.first_feasible(rest) if len(rest) else None
    return second is None or abs(values[second] - values[first]) > 1e-3 * max(1.0, abs(values[first]))


def money_columns() -> list[tuple[str, str]]:
    """(sheet, column) of every amount of money in the contract: the columns whose unit is money
    (money, money per year, money per unit), read from the schema so a new money column is scaled too."""
    return [(sheet.name, c.name) for sheet in SHEETS for c in sheet.columns if c.unit.startswith("money")]


def scaled(scenario: Scenario, money: float = 1.0, indicator: str | None = None, factor: float = 1.0) -> Scenario:
    s = copy.deepcopy(scenario)
    t = s.tables
    for sheet, column in money_columns():
        if sheet in t and column in t[sheet]:
            t[sheet][column] = t[sheet][column].astype(float) * money
    if indicator is not None:
        for sheet in ("Baseline", "Impacts"):
            hit = t[sheet]["indicator"] == indicator
            t[sheet].loc[hit, "value"] = t[sheet].loc[hit, "value"].astype(float) * factor
        goals = t["Goals"]
        hit = (goals["indicator"] == indicator) & (goals["basis"].fillna("level") != "percent")
        goals.loc[hit, "target"] = goals.loc[hit, "target"].astype(float) * factor
        worth = t["Indicators"]["indicator"] == indicator
        t["Indicators"].loc[worth, "value"] = t["Indicators"].loc[worth, "value"].astype(float) / factor
    return s


def plan_of(result) -> set[tuple[str, int, float]]:
    return {(p, int(s), round(float(sh), 6)) for p, s, sh in
            zip(result.plan["project"], result.plan["start"], result.plan["share"])}


def in_workbook_units(result, money: float) -> list[tuple[str, float]]:
    return [(n, v / money if n in MONEY_STAGES else v) for n, v in result.stages]


def cases(objective: str, count: int):
    found = []
    for seed in range(40):
        tables = random_tables(seed, objective)
        if unique_optimum(tables, objective):
            found.append((seed, tables))
        if len(found) == count:
            break
    return found


@pytest.mark.parametrize("objective", ["benefit", "cost"])
def test_money_in_any_unit_gives_the_same_plan(tmp_path, objective):
    checked = 0
    for seed, tables in cases(objective, 4):
        base = planner.load(write_workbook(tmp_path / f"{objective}{seed}.xlsx", tables))
        reference = planner.solve(base)
        if reference.status != "optimal":
            continue
        checked += 1
        for money in FACTORS[1:]:
            result = planner.solve(scaled(base, money))
            assert result.status == "optimal", (seed, money, result.answer.message)
            assert plan_of(result) == plan_of(reference), (seed, money)
            for (name, value), (_, expected) in zip(in_workbook_units(result, money), reference.stages):
                assert value == pytest.approx(expected, rel=1e-6, abs=1e-9), (seed, money, name)
    assert checked >= 3


@pytest.mark.parametrize("objective", ["benefit", "cost"])
def test_indicator_values_in_any_unit_give_the_same_plan(tmp_path, objective):
    checked = 0
    for seed, tables in cases(objective, 3):
        base = planner.load(write_workbook(tmp_path / f"{objective}{seed}.xlsx", tables))
        reference = planner.solve(base)
        if reference.status != "optimal":
            continue
        checked += 1
        for factor in FACTORS[1:]:
            result = planner.solve(scaled(base, 1.0, "grp", factor))
            assert result.status == "optimal", (seed, factor, result.answer.message)
            assert plan_of(result) == plan_of(reference), (seed, factor)
            assert result.objective == pytest.approx(reference.objective, rel=1e-6, abs=1e-9)
    assert checked >= 2


@pytest.mark.parametrize("factor", FACTORS[1:])
def test_the_small_scenario_in_any_unit(factor):
    # scenarios/small.xlsx in money x 1e12 once reported a plan missing G1 (priority 1 at 4.5e-4
    # instead of 0, min_cost 74 instead of 94), x 3e12 "Unbounded"; jobs and GRP scaled too.
    base = planner.load(ROOT / "scenarios" / "small.xlsx")
    for scenario, money in ((scaled(base, factor), factor), (scaled(base, 1.0, "grp", factor), 1.0),
                            (scaled(base, 1.0, "jobs", factor), 1.0)):
        result = planner.solve(scenario)
        assert result.status == "optimal"
        stages = in_workbook_units(result, money)
        assert [name for name, _ in stages] == ["priority 1", "priority 2", "min_cost"]
        assert [value for _, value in stages] == pytest.approx([0.0, 1.5 / 408, 94.0], rel=1e-6, abs=1e-9)


def test_goal_stages_are_unit_free(tmp_path):
    # Goal programming: shortfalls are scored relative to each target, so priority stages do not
    # change with the units; the min_cost tie-break scales with money.
    tables = random_tables(3, "goals")
    base = planner.load(write_workbook(tmp_path / "goals.xlsx", tables))
    reference = planner.solve(base)
    assert reference.status == "optimal"
    for money in FACTORS[1:]:
        result = planner.solve(scaled(base, money, "grp", money))
        assert result.status == "optimal"
        for (name, value), (_, expected) in zip(in_workbook_units(result, money), reference.stages):
            assert value == pytest.approx(expected, rel=1e-6, abs=1e-9), (money, name)


def realism_cases() -> dict[str, dict]:
    """Hand cases (as in tests/model/test_realism.py) whose answer turns on a running cost, a loan's
    interest and escalation over a cost profile: money the scaler must scale with the rest (left
    unscaled, each case's plan would change)."""
    from tests.cases import impact, pooled, project, scenario

    # Running costs of 2 and 3 a year against 2 a year of money: P (benefit 9), not Q.
    running = scenario([project("P", 10, running_cost=2), project("Q", 10, running_cost=3)],
                       [impact("P", 3), impact("Q", 4)], pooled({2026: 10, 2027: 2, 2028: 2, 2029: 2}), horizon=4)
    # A loan at 25 %: P's annuity is above the repaying fund's 6 a year, so Q (benefit 2).
    funds = [{"fund": "G"}, {"fund": "L", "kind": "loan", "repaid_from": "G", "repayment_years": 2,
                             "interest_rate": 0.25}]
    loan = scenario([project("P", 10), project("Q", 2)], [impact("P", 5), impact("Q", 1)],
                    pooled({2027: 6, 2028: 6}, "G") + pooled({2026: 10}, "L"), horizon=3, funds=funds)
    # Escalation 10 %: P (50/50 over two years) would run at 1 x 1.1^2 = 1.21 in 2028 against 1.2 of
    # money, so R (benefit 0.4 x 2 = 0.8) instead of P (1).
    escalated = scenario([project("P", 10, duration=2, running_cost=1), project("R", 5)],
                         [impact("P", 1), impact("R", 0.4)], pooled({2026: 6, 2027: 6, 2028: 1.2}), horizon=3,
                         cost_escalation=0.1)
    escalated["CostProfiles"] = [{"project": "P", "year_offset": k, "share": 0.5} for k in (0, 1)]
    return {"running": running, "loan": loan, "escalated": escalated}


@pytest.mark.parametrize("name", ["running", "loan", "escalated"])
def test_running_costs_loans_and_escalation_in_any_unit(tmp_path, name):
    base = planner.load(write_workbook(tmp_path / f"{name}.xlsx", realism_cases()[name]))
    reference = planner.solve(base)
    assert reference.status == "optimal" and len(reference.plan)
    for money in FACTORS[1:]:
        result = planner.solve(scaled(base, money))
        assert result.status == "optimal", (name, money)
        assert plan_of(result) == plan_of(reference), (name, money)
        for (stage, value), (_, expected) in zip(in_workbook_units(result, money), reference.stages):
            assert value == pytest.approx(expected, rel=1e-6, abs=1e-9), (name, money, stage)
