"""Candidates that can never be chosen, and an uneven spread of candidates: validate warns at the cells."""

from __future__ import annotations

from planner.scenario import check_scenario
from tests.builders import write_workbook
from tests.cases import partner_case, pooled, project, scenario


def warnings(tmp_path, tables) -> list[str]:
    scenario_, problems = check_scenario(write_workbook(tmp_path / "c.xlsx", tables))
    assert scenario_ is not None, [str(p) for p in problems if p.severity == "error"]
    return [str(p) for p in problems if p.severity == "warning"]


def two_regions(projects, budgets, **extra):
    # Both regions hold candidates of similar size per person, so only the rule under test speaks.
    return scenario(projects + [project("BX", 30, region="B")], [], budgets, horizon=3, **extra)


def test_partner_cap_below_the_partner_share(tmp_path):
    # P costs 10 in one year; the partner pays half, 5 a year, above its cap of 4.
    found = warnings(tmp_path, partner_case(cap=4))
    assert any(w.startswith("Projects!2: partner_share: project P can never be chosen: partner KAZ would put "
                            "in 5 a year (0.5 x 10 / 1 year(s)), above its cap of 4 a year (Partners!2 "
                            "max_per_year)") for w in found), found
    assert not any("partner KAZ" in w for w in warnings(tmp_path, partner_case(cap=5)))


def test_funds_without_money_in_the_start_window(tmp_path):
    # P may only use fund D, whose money comes in 2028; P must start by 2027.
    tables = two_regions([project("P", 10, funds="D", latest_start=2027), project("Q", 20)],
                         pooled({2026: 30}) + [{"fund": "D", "year": 2028, "amount": 50}],
                         funds=[{"fund": "F"}, {"fund": "D"}])
    found = warnings(tmp_path, tables)
    assert any(w.startswith("Projects!2: funds: project P can never be chosen: none of the funds it may use (D) "
                            "has money in every year it would be paid (starts 2026-2027") for w in found), found
    assert not any("project Q" in w for w in found)


def test_yearly_cost_above_the_money_of_every_start_year(tmp_path):
    # P needs 30 in one year; F holds 25 a year and does not carry over: never. With carry-over,
    # 2026 and 2027 together hold 50 by 2027, so P can start in 2027.
    tables = two_regions([project("P", 30)], pooled({2026: 25, 2027: 25, 2028: 25}))
    found = warnings(tmp_path, tables)
    assert any("Projects!2: funds: project P can never be chosen: it needs 30 a year of own cost, and in every "
               "start year (starts 2026-2028) some year of payment has at most 83% of that" in w for w in found)
    tables["Funds"] = [{"fund": "F", "carry_over": "yes"}]
    assert not any("project P" in w for w in warnings(tmp_path, tables))
    divisible = two_regions([project("P", 30, divisible="yes")], pooled({2026: 25, 2027: 25, 2028: 25}))
    assert not any("project P" in w for w in warnings(tmp_path, divisible))


def test_cluster_role_whose_only_candidate_can_never_be_chosen(tmp_path):
    tables = partner_case(cap=4)
    tables["Projects"][0].update(kind="cluster", cluster="K", role="anchor")
    tables["Clusters"] = [{"cluster": "K", "region": "A", "role": "anchor"}]
    found = warnings(tmp_path, tables)
    assert any(w.startswith("Clusters!2: role: role nobody can fill: cluster K needs 1 more component(s) of this "
                            "role and only 0 of its candidates can ever be chosen (P (Projects!2) cannot)")
               for w in found), found


def test_candidates_spread_unevenly_over_the_regions(tmp_path):
    # Candidates paid by A cost 100 for 100 people, by B 5: a 20x spread, above the default 10x.
    tables = scenario([project("P", 100), project("Q", 5, region="B")], [], pooled({2026: 10}),
                      money_unit="million USD")
    found = warnings(tmp_path, tables)
    assert any(w.startswith("Regions!3: region: the candidate projects paid by B cost 50,000 USD per person in "
                            "all, those paid by A 1,000,000 USD per person (20x), more than Settings "
                            "spread_warning (10x)") and "Equity rules" in w for w in found), found
    quiet = scenario([project("P", 100), project("Q", 5, region="B")], [], pooled({2026: 10}), spread_warning=0)
    assert not any("spread_warning" in w for w in warnings(tmp_path, quiet))
