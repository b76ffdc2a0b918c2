"""Validation of investment realism: cost profiles, running funds, projects under way, Portfolio rules,
tranches and loans. Every problem is located at ``Sheet!ROW: column`` and reported in one pass."""

from __future__ import annotations

import pytest

from planner.scenario import check_scenario
from tests.builders import minimal_tables, write_workbook


def problems(tmp_path, tables) -> list[str]:
    _, found = check_scenario(write_workbook(tmp_path / "s.xlsx", tables))
    return [f"{p.severity}: {p}" for p in found]


def with_profiles(rows):
    tables = minimal_tables()
    tables["Projects"][0]["duration"] = 2
    tables["CostProfiles"] = rows
    return tables


def test_a_valid_cost_profile_and_portfolio_rule_pass(tmp_path):
    tables = with_profiles([{"project": "P1", "year_offset": 0, "share": 0.2},
                            {"project": "P1", "year_offset": 1, "share": 0.8}])
    tables["Portfolio"] = [{"rule": "b_min", "region": "B", "at_least": 1}]
    assert [p for p in problems(tmp_path, tables) if p.startswith("error")] == []


def test_cost_profile_problems_are_located_and_reported_together(tmp_path):
    tables = with_profiles([
        {"project": "P1", "year_offset": 0, "share": 0.2},   # row 2
        {"project": "P1", "year_offset": 1, "share": 0.7},   # row 3: P1 sums to 0.9
        {"project": "P1", "year_offset": 2, "share": 0.1},   # row 4: offset outside 0-1
        {"project": "P1", "year_offset": 1, "share": 0.0},   # row 5: duplicate (P1, 1)
        {"project": "PX", "year_offset": 0, "share": 1.0},   # row 6: unknown project
    ])
    found = problems(tmp_path, tables)
    assert "error: CostProfiles!4: year_offset: year_offset outside 0-1: project P1 takes 2 year(s) (2)" in found
    assert "error: CostProfiles!5: project: duplicate project + year_offset (P1, 1)" in found
    assert any(p.startswith("error: CostProfiles!6: project: unknown project (PX)") for p in found)
    assert "error: CostProfiles!2: share: shares of project P1 sum to 1, not 1 (rows 2, 3, 4, 5)" not in found
    tables["CostProfiles"] = tables["CostProfiles"][:2]
    assert "error: CostProfiles!2: share: shares of project P1 sum to 0.9, not 1 (rows 2, 3)" in problems(
        tmp_path, tables)


def test_cost_profile_sum_within_the_tolerance_is_accepted(tmp_path):
    tables = with_profiles([{"project": "P1", "year_offset": 0, "share": 0.3333333},
                            {"project": "P1", "year_offset": 1, "share": 0.6666666}])
    assert not any("sum to" in p for p in problems(tmp_path, tables))
    tables["CostProfiles"][1]["share"] = 0.666665
    assert any("shares of project P1 sum to 0.9999983" in p for p in problems(tmp_path, tables))


@pytest.mark.parametrize("change,expected", [
    ({"earliest_start": 2024, "latest_start": 2024, "duration": 3},
     "error: Projects!2: latest_start: latest_start is before the horizon starts (2026); only a mandatory project "
     "with earliest_start = latest_start can have started before it (it is then under way) (2024)"),
    ({"earliest_start": 2023, "latest_start": 2024, "duration": 5, "mandatory": "yes"},
     "error: Projects!2: latest_start: latest_start is before the horizon starts (2026)"),
    ({"earliest_start": 2023, "latest_start": 2023, "duration": 2, "mandatory": "yes"},
     "error: Projects!2: earliest_start: a project under way since 2023 with duration 2 is complete before the "
     "horizon starts (2026); its effect belongs in the Baseline (2023)"),
])
def test_a_start_before_the_horizon_is_only_for_a_project_under_way(tmp_path, change, expected):
    tables = minimal_tables()
    tables["Projects"][0].update(change)
    assert any(p.startswith(expected) for p in problems(tmp_path, tables)), problems(tmp_path, tables)


def test_a_project_under_way_is_valid(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0].update(earliest_start=2024, latest_start=2024, duration=3, mandatory="yes")
    assert [p for p in problems(tmp_path, tables) if p.startswith("error")] == []


@pytest.mark.parametrize("rule,expected", [
    ({"rule": "r", "region": "B"}, "error: Portfolio!2: at_least: rule r needs at_least, at_most or both"),
    ({"rule": "r", "at_least": 2, "at_most": 1}, "error: Portfolio!2: at_least: at_least is above at_most (1) (2)"),
    ({"rule": "r", "projects": "P1, P9", "at_least": 1}, "error: Portfolio!2: projects: unknown project (P9)"),
    ({"rule": "r", "region": "Atlantis", "at_least": 1}, "error: Portfolio!2: region: unknown region or group "
                                                          "(Atlantis)"),
    ({"rule": "r", "kind": "airport", "at_most": 1}, "error: Portfolio!2: kind: "),
    ({"rule": "r", "kind": "cluster", "at_least": 1},
     "error: Portfolio!2: projects: rule r matches no project (kind cluster)"),
    ({"rule": "r", "region": "west", "kind": "transport", "at_least": 2},
     "error: Portfolio!2: at_least: rule r asks for at least 2 of the 1 matched project(s) (P3); it can never hold"),
])
def test_portfolio_problems_are_located(tmp_path, rule, expected):
    tables = minimal_tables()
    tables["Portfolio"] = [rule]
    found = problems(tmp_path, tables)
    assert any(p.startswith(expected) for p in found), found


def test_portfolio_region_may_be_a_group(tmp_path):
    tables = minimal_tables()
    tables["Portfolio"] = [{"rule": "west", "region": "west", "at_least": 1, "at_most": 3}]
    assert [p for p in problems(tmp_path, tables) if p.startswith("error")] == []


@pytest.mark.parametrize("fund,expected", [
    ({"fund": "bank", "kind": "loan", "repayment_years": 5},
     "error: Funds!3: repaid_from: loan bank needs repaid_from: the fund whose budgets repay it"),
    ({"fund": "bank", "kind": "loan", "repaid_from": "national"},
     "error: Funds!3: repayment_years: loan bank needs repayment_years"),
    ({"fund": "bank", "kind": "loan", "repayment_years": 5, "repaid_from": "bank"},
     "error: Funds!3: repaid_from: a loan cannot repay itself (bank)"),
    ({"fund": "bank", "kind": "loan", "repayment_years": 5, "repaid_from": "nationl"},
     "error: Funds!3: repaid_from: unknown fund (nationl); did you mean national?"),
    ({"fund": "bank", "kind": "grant", "interest_rate": 0.05},
     "warning: Funds!3: interest_rate: only a loan (kind = loan) is repaid"),
])
def test_loan_problems_are_located(tmp_path, fund, expected):
    tables = minimal_tables()
    tables["Funds"].append(fund)
    found = problems(tmp_path, tables)
    assert any(p.startswith(expected) for p in found), found


def test_a_loan_repaid_from_a_loan_or_a_pooled_loan_from_a_regional_fund_is_an_error(tmp_path):
    tables = minimal_tables()
    tables["Funds"] += [{"fund": "bank", "kind": "loan", "repayment_years": 5, "repaid_from": "bank2"},
                        {"fund": "bank2", "kind": "loan", "repayment_years": 5, "repaid_from": "regional"},
                        {"fund": "regional"}]
    tables["Budgets"].append({"fund": "regional", "year": 2026, "region": "A", "amount": 5})
    found = problems(tmp_path, tables)
    assert any(p.startswith("error: Funds!3: repaid_from: bank2 is a loan too") for p in found), found
    assert any(p.startswith("error: Funds!4: repaid_from: loan bank2 is pooled") for p in found), found


def test_running_funds_and_tranche_columns(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0].update(running_cost=1, running_funds="natonal")
    tables["Projects"][1].update(running_funds="national")
    tables["Projects"][2].update(min_tranche=0.5)
    found = problems(tmp_path, tables)
    assert any(p.startswith("error: Projects!2: running_funds: unknown fund (natonal)") for p in found), found
    assert "warning: Projects!3: running_funds: running_funds without a running_cost are ignored (national)" in found
    assert any(p.startswith("warning: Projects!4: min_tranche: only a divisible project is funded in tranches")
               for p in found), found
    tables["Projects"][2].update(min_tranche=0)
    assert any(p.startswith("error: Projects!4: min_tranche: must be above 0") for p in problems(tmp_path, tables))
