"""Hand-sized cases for the three investment families, where each family changes the answer.

Test names start with ``test_<family id>`` (see models/families.md).
"""

from __future__ import annotations

import pytest

from tests.builders import chosen, run_cli, solve_tables, write_workbook
from tests.cases import (
    LINKS,
    POP,
    accessibility,
    impact,
    joint_case,
    partner_case,
    pooled,
    project,
    scenario,
    solve_ok,
    transport_case,
    upgraded,
)

# --- clusters --------------------------------------------------------------------------------

def cluster_case(synergy: float, budget: float, alternative_benefit: float = 4.0, **cluster_extra):
    """Cluster K in A needs an anchor and a research centre (5 each, grp 1 each);
    alternative ALT costs 10 and brings ``alternative_benefit``. Horizon 2026-2027, money in 2026."""
    projects = [project("KA", 5, cluster="K", role="anchor"), project("KR", 5, cluster="K", role="research"),
                project("ALT", 10)]
    impacts = [impact("KA", 1), impact("KR", 1), impact("ALT", alternative_benefit), impact("K", synergy)]
    tables = scenario(projects, impacts, pooled({2026: budget}))
    tables["Clusters"] = [{"cluster": "K", "region": "A", "role": "anchor", **cluster_extra},
                          {"cluster": "K", "region": "A", "role": "research"}]
    return tables


def test_cluster_complete_chosen_only_when_its_synergy_beats_the_alternative(tmp_path):
    # Budget 10 buys the cluster (1 + 1 + synergy) or ALT (4).
    answer = solve_ok(tmp_path, cluster_case(synergy=3, budget=10))  # 5 > 4
    assert chosen(answer) == {"KA": 2026, "KR": 2026}
    assert answer["objective"] == pytest.approx(5)
    assert answer["clusters"] == [{"cluster": "K", "region": "A", "complete_from": 2027}]
    answer = solve_ok(tmp_path, cluster_case(synergy=1, budget=10))  # 3 < 4
    assert chosen(answer) == {"ALT": 2026}


def test_cluster_complete_never_credits_an_incomplete_cluster(tmp_path):
    # Budget 5 buys one component (1, no synergy) or a half-size alternative: ALT is
    # divisible here, 0.5 * 3 = 1.5 > 1. Were the synergy (10) credited to one component, KA would win.
    tables = cluster_case(synergy=10, budget=5, alternative_benefit=3)
    tables["Projects"][2]["divisible"] = "yes"
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"ALT": 2026}
    assert answer["clusters"][0]["complete_from"] is None


def test_cluster_complete_synergy_is_never_withheld(tmp_path):
    # Both components are mandatory, so the cluster completes in 2027; its synergy (jobs 3)
    # must count even though the hard goal jobs <= 2 would prefer it withheld: infeasible.
    tables = cluster_case(synergy=0, budget=10)
    tables["Indicators"].append({"indicator": "jobs"})
    tables["Impacts"].append(impact("K", 3, indicator="jobs"))
    for row in tables["Projects"][:2]:
        row["mandatory"] = "yes"
    tables["Goals"] = [{"goal": "G", "indicator": "jobs", "sense": "<=", "target": 2, "hard": "yes"}]
    code, answer = solve_tables(tmp_path, tables)
    assert code == 3 and answer["status"] == "infeasible"


def test_cluster_role_existing_components_and_min_count(tmp_path):
    # The anchor is already there (existing 1), research needs min_count 2: KR and KR2.
    # Budget 10 buys KR + KR2 (1 + 1 + synergy 3 = 5) rather than ALT (4).
    tables = cluster_case(synergy=3, budget=10, existing=1)
    tables["Clusters"][1]["min_count"] = 2
    tables["Projects"].append(project("KR2", 5, cluster="K", role="research"))
    tables["Impacts"].append(impact("KR2", 1))
    answer = solve_ok(tmp_path, tables)
    assert chosen(answer) == {"KR": 2026, "KR2": 2026}
    assert answer["objective"] == pytest.approx(5)


def test_cluster_role_nobody_can_fill_is_an_error(tmp_path):
    tables = cluster_case(synergy=3, budget=10)
    tables["Clusters"].append({"cluster": "K", "region": "A", "role": "training"})
    result = run_cli("validate", write_workbook(tmp_path / "s.xlsx", tables))
    assert result.exit_code == 1
    assert "Clusters!4: role: role nobody can fill" in result.output
    assert "(training)" in result.output


# --- transport -------------------------------------------------------------------------------

def test_transport_pair_upgrade_wins_by_network_position(tmp_path):
    # Both links join two regions of 10 people, but Y-Z lies on the path between the two big
    # regions X and W, Z-V on a spur. Total accessibility gain (power decay, alpha 1):
    base = accessibility(LINKS)
    gain_yz = sum(accessibility(upgraded(LINKS, {"YZ": 1}))[i] - base[i] for i in POP)
    gain_zv = sum(accessibility(upgraded(LINKS, {"ZV": 1}))[i] - base[i] for i in POP)
    assert gain_yz > gain_zv  # about 280 vs 130
    answer = solve_ok(tmp_path, transport_case())
    assert chosen(answer) == {"U_YZ": 2026}
    assert answer["objective"] == pytest.approx(gain_yz, rel=1e-9)


def test_transport_pair_corrections_are_exact_for_two_upgrades(tmp_path):
    # Two upgrades on the same corridor (X-Y and Y-Z) interact; with money for both, the
    # model's figure must equal the true network's figure region by region.
    projects = [project("U_XY", 10, region="X", kind="transport", link="XY", new_time=1),
                project("U_YZ", 10, region="Y", kind="transport", link="YZ", new_time=1)]
    answer = solve_ok(tmp_path, transport_case(budget=20, projects=projects))
    assert chosen(answer) == {"U_XY": 2026, "U_YZ": 2026}
    both = accessibility(upgraded(LINKS, {"XY": 1, "YZ": 1}))
    base = accessibility(LINKS)
    assert answer["objective"] == pytest.approx(sum(both[i] - base[i] for i in POP), rel=1e-9)
    rows = [r for r in answer["transport"] if r["year"] == 2027]
    assert rows and all(abs(r["difference"]) < 1e-9 for r in answer["transport"])
    for r in rows:
        assert r["true"] == pytest.approx(both[r["region"]] - base[r["region"]])


def test_transport_pair_new_link_exists_only_once_built(tmp_path):
    # A new direct link X-W (time 3, existing = no) is built by project NEW.
    tables = transport_case(projects=[project("NEW", 10, region="X", kind="transport", link="XW")])
    tables["Network"].append({"link": "XW", "from": "X", "to": "W", "time": 3, "existing": "no"})
    answer = solve_ok(tmp_path, tables)
    links = LINKS + [("XW", "X", "W", 3.0)]
    expected = sum(accessibility(links)[i] - accessibility(LINKS)[i] for i in POP)
    assert chosen(answer) == {"NEW": 2026}
    assert answer["objective"] == pytest.approx(expected, rel=1e-9)


def test_transport_output_gain_through_agglomeration(tmp_path):
    # grp gain of region i = Baseline_i * ((A_i(U) / A_i) ** 0.04 - 1).
    tables = transport_case(budget=10)
    tables["Indicators"] = [{"indicator": "grp", "value": 1}, {"indicator": "accessibility", "value": 0}]
    tables["Baseline"] = [{"region": r, "indicator": "grp", "value": 100.0} for r in POP]
    answer = solve_ok(tmp_path, tables)
    base = accessibility(LINKS)
    best = max(
        sum(100.0 * ((accessibility(upgraded(LINKS, {link: 1}))[i] / base[i]) ** 0.04 - 1) for i in POP)
        for link in ("YZ", "ZV"))
    assert answer["objective"] == pytest.approx(best, rel=1e-9)


# --- partners --------------------------------------------------------------------------------

def test_partner_cap_makes_a_crossborder_project_impossible(tmp_path):
    answer = solve_ok(tmp_path, partner_case(cap=4))
    assert chosen(answer) == {}
    answer = solve_ok(tmp_path, partner_case(cap=5))
    assert chosen(answer) == {"P": 2026}
    assert answer["spending"] == [{"fund": "F", "region": "A", "year": 2026, "amount": pytest.approx(5)}]
    assert answer["partners"] == [{"partner": "KAZ", "year": 2026, "amount": pytest.approx(5)}]


def test_partner_cap_blank_means_no_limit(tmp_path):
    answer = solve_ok(tmp_path, partner_case(cap=None))
    assert chosen(answer) == {"P": 2026}


def test_partner_must_border_the_host_region(tmp_path):
    tables = partner_case(cap=5)
    tables["Regions"][0]["borders"] = "TJK"
    tables["Partners"].append({"partner": "TJK"})
    result = run_cli("validate", write_workbook(tmp_path / "s.xlsx", tables))
    assert result.exit_code == 1
    assert "Projects!2: partner: project P is hosted in A, which does not border partner KAZ" in result.output


# --- joint projects (cost shares) --------------------------------------------------------------

def test_payment_joint_project_fails_when_one_share_does_not_fit(tmp_path):
    assert chosen(solve_ok(tmp_path, joint_case(budget_b=4))) == {}
    answer = solve_ok(tmp_path, joint_case(budget_b=5))
    assert chosen(answer) == {"J": 2026}
    spent = {r["region"]: r["amount"] for r in answer["spending"]}
    assert spent == pytest.approx({"A": 5, "B": 5})


def test_cost_shares_must_sum_to_one(tmp_path):
    tables = joint_case(budget_b=5)
    tables["CostShares"][1]["share"] = 0.4
    result = run_cli("validate", write_workbook(tmp_path / "s.xlsx", tables))
    assert result.exit_code == 1
    assert "CostShares!2: share: shares of project J sum to 0.9, not 1" in result.output


def test_transport_pair_two_projects_on_one_link_exclude_each_other(tmp_path):
    # Two alternative upgrades of Y-Z (to 1.5 h and to 1 h); money for both, only one is built.
    projects = [project("U_fast", 10, region="Y", kind="transport", link="YZ", new_time=1),
                project("U_slow", 5, region="Y", kind="transport", link="YZ", new_time=1.5)]
    answer = solve_ok(tmp_path, transport_case(budget=20, projects=projects))
    assert chosen(answer) == {"U_fast": 2026}
