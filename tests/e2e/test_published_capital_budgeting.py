"""A published multi-year capital budgeting problem with uneven cash outflows per year, solved by the planner.

Source: H. M. Weingartner and D. N. Ness (1967), "Methods for the solution of the multidimensional 0/1
knapsack problem", Operations Research 15(1), 83-103: capital budgeting problems of 28 projects with
outlays in two periods (Weingartner's capital-rationing formulation: maximise the total present value
of the projects chosen, each period's outlays within that period's budget). They are the instances
WEING1 and WEING2 of J. E. Beasley's OR-Library (file ``mknap2.txt``), which gives the known optima:

* WEING1: budgets 600 and 600, optimum **141,278**;
* WEING2: the same projects with budgets 500 and 500, optimum **130,883**.

Outlays are uneven: some projects spend nothing in the first period (project 2: 0 then 20), some
nothing in the second (project 19: 25 then 0), most unequal amounts in both. In the workbook each
project costs the sum of its two outlays over a duration of 2 years with a CostProfiles row per
period (a period with no outlay has no row: offsets not listed pay 0), starts in the first year
(earliest_start = latest_start), and its present value is an Impacts row on an indicator worth 1,
which counts once, in the third year, when the project is complete (no discounting: the values are
present values already). Maximising the benefit is then exactly Weingartner's problem.
"""

from __future__ import annotations

import pytest

from tests.builders import settings, solve_tables

#: Present value of each project (OR-Library mknap2.txt, WEING1/WEING2 "weights").
VALUES = [1898, 440, 22507, 270, 14148, 3100, 4650, 30800, 615, 4975, 1160, 4225, 510, 11880, 479, 440, 490, 330,
          110, 560, 24355, 2885, 11748, 4550, 750, 3720, 1950, 10500]
#: Outlays in the first and the second period.
FIRST = [45, 0, 85, 150, 65, 95, 30, 0, 170, 0, 40, 25, 20, 0, 0, 25, 0, 0, 25, 0, 165, 0, 85, 0, 0, 0, 0, 100]
SECOND = [30, 20, 125, 5, 80, 25, 35, 73, 12, 15, 15, 40, 5, 10, 10, 12, 10, 9, 0, 20, 60, 40, 50, 36, 49, 40,
          19, 150]
PUBLISHED = {600: 141278, 500: 130883}  # budget of each period -> known optimum


def weingartner_tables(budget: float, profiles: bool = True) -> dict:
    projects, impacts, shares = [], [], []
    for n, (value, a, b) in enumerate(zip(VALUES, FIRST, SECOND), start=1):
        pid = f"P{n:02d}"
        projects.append({"project": pid, "kind": "other", "region": "firm", "cost": a + b, "duration": 2,
                         "earliest_start": 2026, "latest_start": 2026})
        impacts.append({"project": pid, "indicator": "pv", "value": value})
        shares += [{"project": pid, "year_offset": k, "share": outlay / (a + b)}
                   for k, outlay in enumerate((a, b)) if outlay > 0]
    tables = {
        "Settings": settings(name=f"Weingartner-Ness, budgets {budget:g}", start_year=2026, horizon=3,
                             objective="benefit", discount_rate=0, tie_break="none"),
        "Regions": [{"region": "firm"}],
        "Indicators": [{"indicator": "pv", "unit": "present value", "value": 1}],
        "Funds": [{"fund": "capital", "carry_over": "no"}],
        "Budgets": [{"fund": "capital", "year": 2026, "amount": budget},
                    {"fund": "capital", "year": 2027, "amount": budget}],
        "Projects": projects,
        "Impacts": impacts,
    }
    if profiles:
        tables["CostProfiles"] = shares
    return tables


@pytest.mark.parametrize("budget", sorted(PUBLISHED))
def test_weingartner_ness_capital_budgeting_optimum_is_reproduced(budget, tmp_path):
    code, answer = solve_tables(tmp_path, weingartner_tables(budget), "weing.xlsx", "--mip-gap", "0")
    assert (code, answer["status"]) == (0, "optimal")
    assert answer["objective"] == pytest.approx(PUBLISHED[budget], abs=1e-6)
    # The plan, checked against the published data (not the planner's own arithmetic): every chosen
    # project starts in the first year, its values sum to the optimum, and each period's outlays fit.
    chosen = [int(p["project"][1:]) - 1 for p in answer["projects"]]
    assert all(p["start"] == 2026 and p["share"] == 1.0 for p in answer["projects"])
    assert sum(VALUES[i] for i in chosen) == PUBLISHED[budget]
    assert sum(FIRST[i] for i in chosen) <= budget and sum(SECOND[i] for i in chosen) <= budget
    paid = {s["year"]: s["amount"] for s in answer["spending"]}
    assert paid[2026] == pytest.approx(sum(FIRST[i] for i in chosen))
    assert paid.get(2027, 0.0) == pytest.approx(sum(SECOND[i] for i in chosen))


def test_spreading_the_same_outlays_evenly_gives_another_answer(tmp_path):
    # Without the cost profiles each project would spend half its total in each period: a different
    # problem, whose optimum (145,820 with 600 a period: 17 projects) is not the published one. The
    # profiles are what make the answer right.
    code, answer = solve_tables(tmp_path, weingartner_tables(600, profiles=False), "even.xlsx", "--mip-gap", "0")
    assert code == 0 and answer["objective"] != pytest.approx(PUBLISHED[600], abs=0.5)
