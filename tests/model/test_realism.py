"""Hand-solved cases of investment realism: cost profiles, running costs, projects under way, loans and
price escalation (models/allocation.md). Each case changes the answer: the comment works out the
optimum with and without the rule.

Portfolio rules and tranches are constraint families of their own; their cases are in test_families.py.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.builders import chosen, run_cli, write_workbook
from tests.cases import impact, pooled, project, scenario, solve_ok


def profile(pid, *shares):
    return [{"project": pid, "year_offset": k, "share": s} for k, s in enumerate(shares)]


def sheet_rows(ws) -> list[dict]:
    """The table at the top left of a results sheet (blocks beside it, after a blank column, left out)."""
    header = [c.value for c in ws[1]]
    width = header.index(None) if None in header else len(header)
    return [dict(zip(header[:width], row)) for row in ws.iter_rows(min_row=2, max_col=width, values_only=True)
            if row[0] is not None]


def per_year(answer, key="spending"):
    total: dict[int, float] = {}
    for row in answer[key]:
        total[row["year"]] = total.get(row["year"], 0.0) + row["amount"]
    return total


# --- cost profiles ---------------------------------------------------------------------------

def test_cost_profile_fits_a_project_into_uneven_budgets(tmp_path):
    # Horizon 2026-2028, budget 3 in 2026 and 7 in 2027 (no carry-over). P costs 10 over 2 years.
    # Evenly it pays 5 + 5: 5 > 3 in 2026, and started in 2027 it would pay 5 in 2028 (budget 0), so
    # nothing is bought. Spending 30/70 it pays 3 + 7 from 2026 and is complete in 2028: benefit 5.
    tables = scenario([project("P", 10, duration=2)], [impact("P", 5)], pooled({2026: 3, 2027: 7}), horizon=3)
    assert solve_ok(tmp_path, tables)["projects"] == []
    tables["CostProfiles"] = profile("P", 0.3, 0.7)
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2026} and answer["objective"] == pytest.approx(5)
    assert per_year(answer) == pytest.approx({2026: 3, 2027: 7})


def test_cost_profile_of_10_30_60_percent_with_an_offset_that_pays_nothing(tmp_path):
    # Q costs 20 over 3 years, 10/30/60 %: 2, 6, 12. R costs 20 over 3 years paying 0/0/100 % (the
    # unlisted offsets pay nothing): 20 in its last year. Budget 2, 6, 32 in 2026-2028, horizon 4:
    # both start in 2026 (2 + 0, 6 + 0, 12 + 20) and are complete in 2029: benefit 1 + 2 = 3.
    tables = scenario([project("Q", 20, duration=3), project("R", 20, duration=3)],
                      [impact("Q", 1), impact("R", 2)], pooled({2026: 2, 2027: 6, 2028: 32}), horizon=4)
    tables["CostProfiles"] = profile("Q", 0.1, 0.3, 0.6) + [{"project": "R", "year_offset": 2, "share": 1.0}]
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"Q": 2026, "R": 2026} and answer["objective"] == pytest.approx(3)
    assert per_year(answer) == pytest.approx({2026: 2, 2027: 6, 2028: 32})


def test_cost_profile_of_a_divisible_project_scales_with_its_share(tmp_path):
    # D (divisible, cost 10, 80/20 %, +10) with 4 in 2026 and plenty in 2027: its 2026 payment
    # 8 x share <= 4 gives share 0.5, paying 4 and 1; complete 2028 in a 3-year horizon: benefit 5.
    tables = scenario([project("D", 10, duration=2, divisible="yes")], [impact("D", 10)],
                      pooled({2026: 4, 2027: 100}), horizon=3)
    tables["CostProfiles"] = profile("D", 0.8, 0.2)
    answer = solve_ok(tmp_path, tables)
    assert answer["projects"][0]["share"] == pytest.approx(0.5) and answer["objective"] == pytest.approx(5)
    assert per_year(answer) == pytest.approx({2026: 4, 2027: 1})


# --- running costs ---------------------------------------------------------------------------

def test_running_cost_is_paid_every_complete_year_and_can_rule_a_project_out(tmp_path):
    # Horizon 2026-2029, budget 10 in 2026 and 2 a year after. P (cost 10, +3) runs at 2 a year, Q
    # (cost 10, +4) at 3. Without running costs Q wins (4 x 3 complete years = 12). Q's 3 a year does
    # not fit the 2 of 2027-2029, P's 2 does: P, benefit 3 x 3 = 9, paying 2 in each of 2027-2029.
    projects = [project("P", 10), project("Q", 10)]
    tables = scenario(projects, [impact("P", 3), impact("Q", 4)], pooled({2026: 10, 2027: 2, 2028: 2, 2029: 2}),
                      horizon=4)
    assert chosen(solve_ok(tmp_path, tables)) == {"Q": 2026}
    tables["Projects"] = [project("P", 10, running_cost=2), project("Q", 10, running_cost=3)]
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2026} and answer["objective"] == pytest.approx(9)
    assert per_year(answer, "running_costs") == pytest.approx({2027: 2, 2028: 2, 2029: 2})
    assert per_year(answer) == pytest.approx({2026: 10, 2027: 2, 2028: 2, 2029: 2})


def test_running_cost_uses_its_own_funds_and_a_divisible_project_pays_its_share(tmp_path):
    # Construction from fund F (10 in 2026), running costs only from fund M (1 a year, running_funds).
    # D is divisible (cost 10, +10, runs at 2 a year): M pays 2 x share <= 1, so share 0.5; F's money
    # cannot pay running costs. Complete 2027-2028: benefit 0.5 x 10 x 2 = 10, running 1 a year from M.
    funds = [{"fund": "F"}, {"fund": "M"}]
    tables = scenario([project("D", 10, divisible="yes", funds="F", running_cost=2, running_funds="M")],
                      [impact("D", 10)], pooled({2026: 10, 2027: 10, 2028: 10}, "F") + pooled(
                          {2027: 1, 2028: 1}, "M"), horizon=3, funds=funds)
    answer = solve_ok(tmp_path, tables)
    assert answer["projects"][0]["share"] == pytest.approx(0.5) and answer["objective"] == pytest.approx(10)
    assert {(r["fund"], r["year"]): r["amount"] for r in answer["running_costs"]} == pytest.approx(
        {("M", 2027): 1.0, ("M", 2028): 1.0})


def test_running_cost_counts_in_the_cost_objective(tmp_path):
    # Cost objective, goal grp >= 1 by 2028 (horizon 2026-2028). A costs 5 and runs at 3 a year
    # (complete 2027: 5 + 3 + 3 = 11); B costs 7 and nothing to run. Without running costs A (5) is
    # cheaper; with them B (7).
    goal = [{"goal": "G", "indicator": "grp", "target": 1, "hard": "yes"}]
    tables = scenario([project("A", 5), project("B", 7)], [impact("A", 1), impact("B", 1)],
                      pooled({2026: 20, 2027: 20, 2028: 20}), horizon=3, objective="cost", goals=goal)
    assert chosen(solve_ok(tmp_path, tables)) == {"A": 2026}
    tables["Projects"][0]["running_cost"] = 3
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"B": 2026} and answer["objective"] == pytest.approx(7)


def test_running_cost_counts_in_the_min_cost_tie_break(tmp_path):
    # Goals objective: grp >= 1 by 2028 is met by either A (cost 5, runs at 3) or B (cost 7): the
    # min_cost tie-break takes the cheaper plan counting running costs: B (7 < 11).
    goal = [{"goal": "G", "indicator": "grp", "target": 1}]
    tables = scenario([project("A", 5, running_cost=3), project("B", 7)], [impact("A", 1), impact("B", 1)],
                      pooled({2026: 20, 2027: 20, 2028: 20}), horizon=3, objective="goals", goals=goal)
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"B": 2026}
    assert {s["name"]: s["value"] for s in answer["stages"]}["min_cost"] == pytest.approx(7)


# --- projects under way ----------------------------------------------------------------------

def under_way_tables():
    # The horizon starts in 2026. U started in 2024 (mandatory, earliest = latest = 2024), costs 40
    # over 4 years: 10 a year, of which 2024 and 2025 are sunk; it pays 10 in 2026 and 2027 and is
    # complete in 2028 (+5). Q (cost 10, +1) needs a year's budget of 10, which U takes in 2026-2027;
    # started in 2028 it is complete only after the horizon. Benefit 5.
    projects = [project("U", 40, duration=4, mandatory="yes", earliest_start=2024, latest_start=2024),
                project("Q", 10)]
    return scenario(projects, [impact("U", 5), impact("Q", 1)], pooled({2026: 10, 2027: 10, 2028: 10}), horizon=3)


def test_under_way_project_pays_only_its_years_inside_the_horizon(tmp_path):
    answer = solve_ok(tmp_path, under_way_tables())
    assert chosen(answer) == {"U": 2024} and answer["objective"] == pytest.approx(5)
    assert answer["projects"][0]["status"] == "under way"
    assert per_year(answer) == pytest.approx({2026: 10, 2027: 10})  # 20 of the 40: the rest is sunk


def test_under_way_project_is_shown_in_the_plan_sheet(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", under_way_tables())
    out = tmp_path / "out.xlsx"
    assert run_cli("solve", path, "--out", out).exit_code == 0
    row = sheet_rows(load_workbook(out)["Plan"])[0]
    assert row["project"] == "U" and row["status"] == "under way" and row["start"] == 2024
    assert row["own_cost"] == pytest.approx(20) and row["sunk_cost"] == pytest.approx(20)
    assert row["cost_base_year"] == pytest.approx(40)


# --- loans -----------------------------------------------------------------------------------

def loan_tables(**loan):
    # Grant fund G has 0 in 2026 and 6 a year after; loan fund L lends 10 in 2026, repaid from G.
    # P (cost 10, +5) can only be paid from the loan in 2026; Q (cost 2, +1) from either.
    funds = [{"fund": "G"}, {"fund": "L", "kind": "loan", "repaid_from": "G", "repayment_years": 2} | loan]
    return scenario([project("P", 10), project("Q", 2)], [impact("P", 5), impact("Q", 1)],
                    pooled({2027: 6, 2028: 6}, "G") + pooled({2026: 10}, "L"), horizon=3, funds=funds)


def test_loan_repayments_take_the_repaying_fund_s_money(tmp_path):
    # Without interest P's 10 is repaid 5 + 5 in 2027-2028 from G, leaving 1 a year: Q (2) no longer
    # fits in 2027 beside P; P alone, complete 2027-2028: benefit 10 (P and Q in 2026 would need 12).
    answer = solve_ok(tmp_path, loan_tables())
    assert chosen(answer) == {"P": 2026} and answer["objective"] == pytest.approx(10)
    assert {r["year"]: r["amount"] for r in answer["debt_service"]} == pytest.approx({2027: 5, 2028: 5})
    assert answer["debt_after_horizon"] == []


def test_loan_interest_makes_the_debt_unaffordable(tmp_path):
    # At 25% the annuity of 10 over 2 years is 10 x 0.25 / (1 - 1.25^-2) = 6.94 a year > G's 6, so P
    # cannot be paid; Q from the loan (repaid 1.39 a year) in 2026: benefit 1 x 2 = 2.
    answer = solve_ok(tmp_path, loan_tables(interest_rate=0.25))
    assert chosen(answer) == {"Q": 2026} and answer["objective"] == pytest.approx(2)
    assert [r["amount"] for r in answer["debt_service"]] == pytest.approx([2 * 0.25 / (1 - 1.25 ** -2)] * 2)


def test_loan_grace_years_leave_debt_to_the_future(tmp_path):
    # One grace year: P's repayments fall in 2028 and 2029; 2029 is after the horizon, reported as debt
    # left to the future. G keeps its 6 of 2027, so Q fits then too: benefit 5 x 2 + 1 x 1 = 11.
    answer = solve_ok(tmp_path, loan_tables(grace_years=1))
    assert chosen(answer) == {"P": 2026, "Q": 2027} and answer["objective"] == pytest.approx(11)
    assert [(r["year"], r["amount"]) for r in answer["debt_service"]] == [(2028, pytest.approx(5))]
    assert [(r["year"], r["amount"]) for r in answer["debt_after_horizon"]] == [(2029, pytest.approx(5))]


def test_loan_debt_service_is_on_the_spending_sheet(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", loan_tables())
    out = tmp_path / "out.xlsx"
    assert run_cli("solve", path, "--out", out).exit_code == 0
    rows = sheet_rows(load_workbook(out)["Spending"])
    service = {r["year"]: r["debt_service"] for r in rows if r["fund"] == "G"}
    assert service == pytest.approx({2026: 0, 2027: 5, 2028: 5})
    assert sum(r["used"] for r in rows) == pytest.approx(10)  # the loan's 10 paid P; repayments are beside it


# --- price escalation ------------------------------------------------------------------------

def test_cost_escalation_makes_later_years_dearer(tmp_path):
    # P (cost 10 in 2026 prices, +1) may start in 2027, where the budget is 10.5 (nominal). Without
    # escalation it fits (benefit 1, complete 2028); at 10% a year it costs 11 in 2027 and does not.
    tables = scenario([project("P", 10, earliest_start=2027)], [impact("P", 1)], pooled({2027: 10.5}), horizon=3)
    assert solve_ok(tmp_path, tables)["objective"] == pytest.approx(1)
    tables["Settings"].append({"key": "cost_escalation", "value": 0.1})
    assert solve_ok(tmp_path, tables)["projects"] == []
    tables["Budgets"][0]["amount"] = 11
    answer = solve_ok(tmp_path, tables)
    # Spending is nominal (11); the plan's cost is in base-year prices (10).
    assert per_year(answer) == pytest.approx({2027: 11})
    assert answer["projects"][0]["cost"] == pytest.approx(10)


def test_cost_escalation_applies_to_running_costs_and_profiles(tmp_path):
    # Escalation 10%, horizon 2026-2028. P (cost 10, 50/50 over 2 years, running 1 a year): pays 5
    # in 2026 and 5.5 in 2027, is complete in 2028 and runs at 1 x 1.1^2 = 1.21 then.
    tables = scenario([project("P", 10, duration=2, running_cost=1)], [impact("P", 1)],
                      pooled({2026: 20, 2027: 20, 2028: 20}), horizon=3, cost_escalation=0.1)
    tables["CostProfiles"] = profile("P", 0.5, 0.5)
    answer = solve_ok(tmp_path, tables)
    assert per_year(answer) == pytest.approx({2026: 5, 2027: 5.5, 2028: 1.21})


def test_money_of_the_last_year_can_help_when_it_pays_a_running_cost(tmp_path):
    # Horizon 2026-2027. P (cost 5, +1) is complete in 2027. Without a running cost, 2027's money
    # cannot help (a project paid then is complete only after the horizon); with one (1 a year), that
    # money keeps P running in 2027, so it can.
    tables = scenario([project("P", 5)], [impact("P", 1)], pooled({2026: 5, 2027: 1}))
    idle = solve_ok(tmp_path, tables)["money_that_cannot_help"]
    assert [(r["year"], r["amount"]) for r in idle] == [(2027, 1.0)]
    tables["Projects"][0]["running_cost"] = 1
    answer = solve_ok(tmp_path, tables)
    assert answer["money_that_cannot_help"] == [] and answer["objective"] == pytest.approx(1)


def test_a_regional_loan_is_repaid_from_the_same_region_s_budget(tmp_path):
    # Regional loan L (10% interest, 2 repayments) lends 10 in 2026 in each of A and B, repaid from the
    # regional carry-over fund G. P in A (cost 10, +5) costs 10 x 0.5762 = 5.76 a year in 2027-2028 from
    # G's A budget: 11.52 > 7, then <= 12. Q in B (cost 4, +3) needs 2.30 a year from G's B budget, which
    # has no row (0) until one is added. Benefit with 12 in A: P alone, 5 x 2 = 10; with 5 in B too: 16.
    funds = [{"fund": "G", "carry_over": "yes"},
             {"fund": "L", "kind": "loan", "repaid_from": "G", "repayment_years": 2, "interest_rate": 0.1}]
    budgets = [{"fund": "L", "year": 2026, "region": r, "amount": 10} for r in ("A", "B")] + [
        {"fund": "G", "year": 2027, "region": "A", "amount": 7}]
    tables = scenario([project("P", 10), project("Q", 4, region="B")], [impact("P", 5), impact("Q", 3)], budgets,
                      horizon=3, funds=funds)
    assert solve_ok(tmp_path, tables)["projects"] == []
    tables["Budgets"][2]["amount"] = 12
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2026} and answer["objective"] == pytest.approx(10)
    assert {(r["scope"], r["year"]): r["amount"] for r in answer["debt_service"]} == pytest.approx(
        {("A", 2027): 10 * 0.1 / (1 - 1.1 ** -2), ("A", 2028): 10 * 0.1 / (1 - 1.1 ** -2)})
    tables["Budgets"].append({"fund": "G", "year": 2027, "region": "B", "amount": 5})
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"P": 2026, "Q": 2026} and answer["objective"] == pytest.approx(16)
