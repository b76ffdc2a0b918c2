"""Every money column of the results workbook sums to what was paid (issue 18, item 1).

The hand case: D (cost 10, divisible, paid from F only) gets F's 4 in 2026 and its 4 in 2027, so
it starts in two tranches of 40%; X (cost 10, Kazakhstan pays half) takes G's 5 in 2026. Paid:
8 + 5 = 13 by the funds, 5 by the partner.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

import planner
from tests.builders import write_workbook
from tests.cases import impact, project, scenario


def money_case():
    tables = scenario([project("D", 10, divisible="yes", funds="F"),
                       project("X", 10, kind="crossborder", partner="KAZ", partner_share=0.5, funds="G")],
                      [impact("D", 10), impact("X", 1)],
                      [{"fund": "F", "year": 2026, "amount": 4}, {"fund": "F", "year": 2027, "amount": 4},
                       {"fund": "G", "year": 2026, "amount": 5}],
                      horizon=3, funds=[{"fund": "F"}, {"fund": "G"}])
    tables["Regions"][0]["borders"] = "KAZ"
    tables["Partners"] = [{"partner": "KAZ", "name": "Kazakhstan", "max_per_year": 5}]
    return tables


def table(ws) -> list[dict]:
    """The main table of a sheet: header on row 1, rows down to the first blank first cell."""
    header = [c.value for c in ws[1]]
    width = header.index(None) if None in header else len(header)
    rows = []
    for row in ws.iter_rows(min_row=2, max_col=width, values_only=True):
        if row[0] is None:
            break
        rows.append(dict(zip(header[:width], row)))
    return rows


def total(rows: list[dict], column: str) -> float:
    return sum(float(r[column] or 0.0) for r in rows)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("money")
    result = planner.solve(write_workbook(folder / "m.xlsx", money_case()))
    assert result.status == "optimal"
    return result, load_workbook(result.to_excel(folder / "r.xlsx"))


def test_the_case_pays_what_the_hand_calculation_says(book):
    result, _ = book
    assert result.spending["amount"].sum() == pytest.approx(13.0)
    assert result.answer.partners["amount"].sum() == pytest.approx(5.0)
    assert sorted(result.plan["share"]) == pytest.approx([0.4, 0.4, 1.0])  # D in two tranches


def test_plan_has_one_row_per_project_and_its_money_columns_sum_to_what_was_paid(book):
    result, wb = book
    spent = result.spending["amount"].sum()
    rows = table(wb["Plan"])
    assert [r["project"] for r in rows] == ["D", "X"]
    assert rows[0]["share"] == pytest.approx(0.8) and rows[0]["tranches"].startswith("2026: 40.0%")
    assert total(rows, "own_cost") == pytest.approx(spent)
    assert total(rows, "partner_money") == pytest.approx(result.answer.partners["amount"].sum())
    assert total(rows, "total_cost") == pytest.approx(spent + 5.0)
    paid = [c for c in rows[0] if c.startswith("paid ")]
    assert sum(total(rows, c) for c in paid) == pytest.approx(spent)
    by_fund_year = result.spending.groupby(["fund", "year"])["amount"].sum()
    for column in paid:
        _, fund, year = column.split(" ")
        assert total(rows, column) == pytest.approx(by_fund_year[(fund, int(year))])


def test_other_sheets_money_columns_sum_to_what_was_paid(book):
    result, wb = book
    spent = result.spending["amount"].sum()
    spending = table(wb["Spending"])
    assert total(spending, "used") == pytest.approx(spent)
    assert total(spending, "budget") == pytest.approx(13.0)  # budgets: 4 + 4 + 5
    assert total(table(wb["Allocation"]), "invested") == pytest.approx(spent)
    assert total(table(wb["Partners"]), "amount") == pytest.approx(5.0)
