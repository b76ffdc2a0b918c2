"""Regional figures on hand cases: money invested in a region beside benefits falling to it, per
person in a stated unit; the spread of investment per person; money that cannot help."""

from __future__ import annotations

import pytest

import planner
from planner.output.results_workbook import allocation_frame, summary_frame
from planner.results import per_person_unit
from tests.builders import write_workbook
from tests.cases import LINKS, POP, accessibility, impact, pooled, project, scenario, transport_case, upgraded


def solve(tmp_path, tables, name="s.xlsx"):
    result = planner.solve(write_workbook(tmp_path / name, tables))
    assert result.status == "optimal", result.answer.message
    return result


def road_case(spread_warning=None):
    # R is hosted and paid in A (1 million people) but its +4 GRP falls in B (2 million people);
    # L (cost 2) in B brings B +1 GRP. Money in million USD.
    extra = {} if spread_warning is None else {"spread_warning": spread_warning}
    tables = scenario([project("R", 10), project("L", 2, region="B")],
                      [impact("R", 4, region="B"), impact("L", 1)], pooled({2026: 12}),
                      money_unit="million USD", **extra)
    tables["Regions"] = [{"region": "A", "name": "Alpha", "population": 1_000_000},
                         {"region": "B", "name": "Beta", "population": 2_000_000}]
    return tables


def test_money_invested_in_a_region_beside_benefits_falling_to_it(tmp_path):
    table = allocation_frame(solve(tmp_path, road_case()).answer).set_index("region")
    assert table.loc["A", "invested"] == pytest.approx(10) and table.loc["B", "invested"] == pytest.approx(2)
    assert table.loc["A", "invested per person (USD)"] == pytest.approx(10.0)   # 10 million / 1 million
    assert table.loc["B", "invested per person (USD)"] == pytest.approx(1.0)
    assert table.loc["A", "gain grp"] == pytest.approx(0.0) and table.loc["B", "gain grp"] == pytest.approx(5.0)
    assert table.loc["B", "benefit per person (USD a year)"] == pytest.approx(2.5)  # 5 million / 2 million
    assert table.loc["A", "invested_share"] == pytest.approx(10 / 12)
    assert table.loc["B", "population_share"] == pytest.approx(2 / 3)


def test_network_gains_fall_to_the_regions_the_road_serves(tmp_path):
    # U_YZ is hosted and paid by Y; the accessibility it brings is spread over the network.
    table = allocation_frame(solve(tmp_path, transport_case()).answer).set_index("region")
    base, after = accessibility(LINKS), accessibility(upgraded(LINKS, {"YZ": 1}))
    assert table.loc["Y", "invested"] == pytest.approx(10) and table["invested"].sum() == pytest.approx(10)
    for region in POP:
        assert table.loc[region, "gain accessibility"] == pytest.approx(after[region] - base[region], rel=1e-9)
    assert table.loc["X", "gain accessibility"] > 0  # X pays nothing and gains


def test_per_person_unit():
    assert per_person_unit("million USD") == (1e6, "person", "USD")
    assert per_person_unit("USD") == (1.0, "person", "USD")
    assert per_person_unit("thousand UZS") == (1e3, "person", "UZS")
    assert per_person_unit("", largest=0.0004) == (1e6, "1,000,000 persons", "money")
    assert per_person_unit("", largest=0.004) == (1e3, "1,000 persons", "money")
    assert per_person_unit("", largest=3.0) == (1.0, "person", "money")


def test_spread_of_investment_per_person_names_the_extremes(tmp_path):
    answer = solve(tmp_path, road_case()).answer
    spread = answer.spread
    # A: 10 USD per person, B: 1 USD per person: a 10x spread, not above the default 10x.
    assert spread["ratio"] == pytest.approx(10.0)
    assert spread["highest"]["region"] == "A" and spread["lowest"]["region"] == "B"
    assert not spread["warning"]
    assert "from 1 USD per person in Beta (66.7% of the population, 16.7% of the money) to 10 USD per person " \
           "in Alpha" in spread["text"]
    summary = dict(zip(*summary_frame(answer)[["item", "value"]].to_dict("list").values()))
    assert "regional spread" in summary


def test_spread_above_the_setting_warns_and_points_at_the_equity_sheet(tmp_path, caplog):
    path = write_workbook(tmp_path / "w.xlsx", road_case(spread_warning=5))
    answer = planner.solve(path).answer
    assert answer.spread["warning"] and "Equity" in answer.spread["text"]
    assert answer.to_json()["investment_spread"]["ratio"] == pytest.approx(10.0)
    summary = summary_frame(answer)
    assert "regional spread (warning)" in set(summary["item"])


def test_money_that_cannot_help(tmp_path):
    # Three years; a one-year project paid in 2028 would be complete in 2029, after the horizon, so
    # F's 10 of 2028 and C's 5 of 2028 (carry-over, but there is no later year) cannot help. G may pay
    # for no project at all (Projects.funds lists F and C only).
    tables = scenario([project("P", 10, funds="F, C", divisible="yes")], [impact("P", 1)],
                      pooled({2026: 10, 2027: 10, 2028: 10}) + [{"fund": "C", "year": 2028, "amount": 5},
                                                                 {"fund": "G", "year": 2026, "amount": 7}],
                      horizon=3, funds=[{"fund": "F"}, {"fund": "C", "carry_over": "yes"}, {"fund": "G"}])
    answer = solve(tmp_path, tables).answer
    idle = {(r.fund, r.year): r.amount for r in answer.idle_money.itertuples()}
    assert idle == {("F", 2028): 10, ("C", 2028): 5, ("G", 2026): 7}
    reasons = dict(zip(answer.idle_money["fund"], answer.idle_money["reason"]))
    assert "complete only after 2028" in reasons["F"] and "no candidate" in reasons["G"]
    summary = dict(zip(summary_frame(answer)["item"], summary_frame(answer)["value"]))
    assert summary["money that cannot help"].startswith("22 of 42 (52.4% of the budget)")
    assert {r["year"] for r in answer.to_json()["money_that_cannot_help"]} == {2026, 2028}
