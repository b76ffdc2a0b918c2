"""Decision support: diagnosis, marginal value of money, frontier, alternatives, goal hygiene.

Each scenario is stated in full and its answer worked out by hand in a comment.
"""

from __future__ import annotations

import json

import highspy
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from planner.advice.alternatives import find_alternatives
from planner.advice.diagnose import IIS_IRREDUCIBLE, diagnose
from planner.advice.frontier import budget_frontier, goal_frontier
from planner.advice.marginal import marginal_table
from planner.cli import app
from planner.model import build_model
from planner.model.objectives import benefit_terms
from planner.output.advice_workbooks import write_frontier
from planner.scenario import load_scenario
from planner.scenario.goal_checks import goal_hygiene, level_target
from planner.solver import SolveOptions, hand_off, solver_output_to_stderr
from tests.builders import write_workbook
from tests.cases import impact, joint_case, partner_case, pooled, project, scenario


def load(tmp_path, tables, name="s.xlsx"):
    return load_scenario(write_workbook(tmp_path / name, tables))


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def rule_ids(diagnosis, kind=None):
    return {c["rule"] for c in diagnosis.conflict if kind is None or (c["kind"] == kind)}


def repairs_by_rule(diagnosis):
    return {r["rule"]: r for r in diagnosis.repairs}


# --- diagnosis -------------------------------------------------------------------------------

def goal_case(target):
    # Region A starts at grp 10. P1 (cost 8, +3) and P2 (cost 6, +2) are in A, P3 (cost 5) in B;
    # budget 10 in 2026 and 10 in 2027, horizon 2026-2027: only 2026 starts count in 2027.
    # Hard goal G1: grp in A >= target in 2027.
    return scenario([project("P1", 8), project("P2", 6), project("P3", 5, region="B")],
                    [impact("P1", 3), impact("P2", 2), impact("P3", 1)],
                    pooled({2026: 10, 2027: 10}), objective="goals",
                    baseline=[{"region": "A", "indicator": "grp", "value": 10}],
                    goals=[{"goal": "G1", "indicator": "grp", "region": "A", "target": target, "hard": "yes"}])


def test_diagnose_goal_needing_two_projects_with_money_for_one(tmp_path):
    # Target 15 needs P1 and P2 (14 money); 2026 has 10. Even in part (LP) at most
    # 3 + 2 * 2/6 = 3.67 < 5 fits: the conflict is {G1, Budgets F 2026} with the payment rows
    # of P1 and P2 as definitions. Cheapest repairs for whole projects: 4 more in 2026 (10 -> 14),
    # or G1 lowered to 13 (P1 alone).
    result = diagnose(load(tmp_path, goal_case(15)))
    assert result.status == "infeasible" and result.source == "rules"
    assert rule_ids(result, "goal") | rule_ids(result, "budget") == {"goal G1", "budget F pooled 2026"}
    assert rule_ids(result, "definition") == {"payment P1 A 2026", "payment P2 A 2026"}
    where = {c["rule"]: f"{c['sheet']}!{c['row']}" for c in result.conflict}
    assert where["goal G1"] == "Goals!2" and where["budget F pooled 2026"] == "Budgets!2"
    repairs = repairs_by_rule(result)
    assert repairs["goal G1"]["amount"] == pytest.approx(2) and repairs["goal G1"]["new_value"] == pytest.approx(13)
    assert repairs["budget F pooled 2026"]["amount"] == pytest.approx(4)
    assert [r["rule"] for r in result.repairs] == ["goal G1", "budget F pooled 2026"]  # 2/15 < 4/10
    assert "cannot be met together with Budgets F 2026 (pooled, 10) [Budgets!2]" in result.explanation()
    assert result.repair_sentence() == ("By lowering G1 to 13, or with 4 more in fund F in 2026, "
                                        "the scenario becomes feasible.")
    # Each repair applied to the workbook makes the scenario feasible.
    lowered = goal_case(repairs["goal G1"]["new_value"])
    assert diagnose(load(tmp_path, lowered, "goal.xlsx")).feasible
    funded = goal_case(15)
    funded["Budgets"][0]["amount"] = repairs["budget F pooled 2026"]["new_value"]
    assert diagnose(load(tmp_path, funded, "money.xlsx")).feasible


def test_diagnose_conflict_from_integrality_alone(tmp_path):
    # Target 13.5: in part it fits (P1 + half of P2 = 3.67 >= 3.5), for whole projects not
    # (P1 alone 3; both cost 14 > 10). HiGHS finds no IIS of the relaxation; the deletion filter
    # keeps {G1, Budgets F 2026}. Repairs: G1 to 13, or 4 more in 2026.
    result = diagnose(load(tmp_path, goal_case(13.5)))
    assert result.source == "integrality"
    assert "integrality" in result.to_json()["source"]
    assert rule_ids(result) == {"goal G1", "budget F pooled 2026"}
    repairs = repairs_by_rule(result)
    assert repairs["goal G1"]["new_value"] == pytest.approx(13)
    assert repairs["budget F pooled 2026"]["amount"] == pytest.approx(4)
    assert diagnose(load(tmp_path, goal_case(13), "fixed.xlsx")).feasible


def test_diagnose_highs_iis_needs_the_true_iis_strategy():
    # x0 + x1 >= 3, x0 - x2 <= 1, x1 + x2 <= 1 (x >= 0) is infeasible: rows 0-2 are an IIS.
    # The default strategy (0, a light bound test) returns nothing; strategy 4 finds all three.
    def rows(strategy):
        with solver_output_to_stderr():
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.addVars(3, np.zeros(3), np.full(3, highspy.kHighsInf))
            for lower, upper, cols, vals in ((3, highspy.kHighsInf, [0, 1], [1, 1]),
                                             (-highspy.kHighsInf, 1, [0, 2], [1, -1]),
                                             (-highspy.kHighsInf, 1, [1, 2], [1, 1])):
                h.addRow(lower, upper, 2, np.array(cols, dtype=np.int32), np.array(vals, dtype=float))
            h.setOptionValue("iis_strategy", strategy)
            h.run()
            _, iis = h.getIis()
        return sorted(iis.row_index_)

    assert rows(0) == []
    assert rows(IIS_IRREDUCIBLE) == [0, 1, 2]


def test_diagnose_partner_cap(tmp_path):
    # Mandatory P: partner KAZ pays 50% of 10 = 5 in 2026 but may put in 4; in 2027 there is
    # no money. Repairs: KAZ puts in 1 more in 2026, or P becomes optional.
    tables = partner_case(cap=4)
    tables["Projects"][0]["mandatory"] = "yes"
    result = diagnose(load(tmp_path, tables))
    assert {"mandatory P", "partner_cap KAZ 2026"} <= rule_ids(result)
    where = {c["rule"]: f"{c['sheet']}!{c['row']}" for c in result.conflict}
    assert where["partner_cap KAZ 2026"] == "Partners!2"
    repairs = repairs_by_rule(result)
    assert repairs["partner_cap KAZ 2026"]["amount"] == pytest.approx(1)
    assert repairs["mandatory P"]["text"] == "make project P optional (drop its mandatory flag)"


def test_diagnose_cost_share(tmp_path):
    # Mandatory J (cost 10) split 50/50 between A and B; B's regional budget is 4 < 5.
    # The conflict names B's CostShares row; repair: 1 more for region B in 2026.
    tables = joint_case(budget_b=4)
    tables["Projects"][0]["mandatory"] = "yes"
    result = diagnose(load(tmp_path, tables))
    assert {"mandatory J", "budget F B 2026"} <= rule_ids(result)
    shares = [c for c in result.conflict if c["rule"] == "payment J B 2026"]
    assert shares and shares[0]["sheet"] == "CostShares" and shares[0]["row"] == 3
    assert "region B pays 50% of project J in 2026" in shares[0]["text"]
    assert repairs_by_rule(result)["budget F B 2026"]["amount"] == pytest.approx(1)


def test_diagnose_cluster_roles_and_a_goal_on_the_synergy(tmp_path):
    # Mandatory KA and KR complete cluster K in 2027, whose synergy adds jobs 3; the hard goal
    # jobs <= 2 cannot hold. The cluster's roles appear as definitions at their Clusters rows;
    # raising the goal to 3 repairs it.
    tables = scenario([project("KA", 5, cluster="K", role="anchor", mandatory="yes"),
                       project("KR", 5, cluster="K", role="research", mandatory="yes")],
                      [impact("K", 3, indicator="jobs")], pooled({2026: 10}),
                      indicators=[{"indicator": "grp", "value": 1}, {"indicator": "jobs"}], objective="goals",
                      goals=[{"goal": "G", "indicator": "jobs", "sense": "<=", "target": 2, "hard": "yes"}])
    tables["Clusters"] = [{"cluster": "K", "region": "A", "role": "anchor"},
                          {"cluster": "K", "region": "A", "role": "research"}]
    result = diagnose(load(tmp_path, tables))
    assert {"goal G", "mandatory KA", "mandatory KR"} <= rule_ids(result)
    roles = [c for c in result.conflict if c["rule"].startswith("cluster_role")]
    assert {(c["sheet"], c["row"]) for c in roles} == {("Clusters", 2), ("Clusters", 3)}
    goal = repairs_by_rule(result)["goal G"]
    assert goal["new_value"] == pytest.approx(3) and goal["text"].startswith("raising the target of goal G to 3")


def test_diagnose_two_separate_conflicts_and_a_goal_no_project_moves(tmp_path):
    # M1 (8) in A and M2 (8) in B are mandatory with 5 each in a regional fund: two conflicts,
    # each repaired by 3 more in its region. Hard goal GJ on jobs, which nothing moves: lower to 0.
    tables = scenario([project("M1", 8, mandatory="yes"), project("M2", 8, region="B", mandatory="yes")], [],
                      [{"fund": "F", "year": 2026, "region": r, "amount": 5} for r in ("A", "B")], horizon=1,
                      indicators=[{"indicator": "grp", "value": 1}, {"indicator": "jobs"}],
                      goals=[{"goal": "GJ", "indicator": "jobs", "target": 5, "hard": "yes"}])
    result = diagnose(load(tmp_path, tables))
    assert len(result.conflict_numbers()) == 3
    repairs = repairs_by_rule(result)
    assert repairs["budget F A 2026"]["amount"] == pytest.approx(3)
    assert repairs["budget F B 2026"]["amount"] == pytest.approx(3)
    assert repairs["goal GJ"]["new_value"] == pytest.approx(0)
    assert "Conflict 3:" in result.explanation()


def test_diagnose_command_exit_codes_and_json(tmp_path):
    path = write_workbook(tmp_path / "bad.xlsx", goal_case(15))
    result = cli("diagnose", path, "--json")
    assert result.exit_code == 3
    answer = json.loads(result.stdout)
    assert {c["rule"] for c in answer["conflict"]} >= {"goal G1", "budget F pooled 2026"}
    assert {"rule", "sheet", "row", "text"} <= set(answer["conflict"][0])
    assert {"rule", "sheet", "row", "amount", "text"} <= set(answer["repairs"][0])
    human = cli("diagnose", path)
    assert human.exit_code == 3 and "4 more in fund F in 2026" in human.stdout
    good = cli("diagnose", write_workbook(tmp_path / "good.xlsx", goal_case(13)))
    assert good.exit_code == 0 and "feasible" in good.stdout


# --- marginal value of money -----------------------------------------------------------------

def divisible_case():
    # Divisible P1 (cost 10, grp +30 a year) and P2 (cost 10, +10); 5 in 2026, 4 in 2027; horizon
    # 2026-2027, so only 2026 starts bring benefit (one year). Benefit per unit of money: P1 3,
    # P2 1: the optimum funds half of P1 (benefit 15). The 2026 budget row's dual is 3 (one more
    # unit funds 1/10 more of P1: +3); 2027 money buys nothing (it does not bind).
    return scenario([project("P1", 10, divisible="yes"), project("P2", 10, divisible="yes")],
                    [impact("P1", 30), impact("P2", 10)], pooled({2026: 5, 2027: 4}), tie_break="none")


def test_marginal_value_of_a_binding_budget_equals_its_dual(tmp_path):
    sc = load(tmp_path, divisible_case())
    table = marginal_table(sc, step=0.05)
    row = table[table["year"] == 2026].iloc[0]
    assert row["binding"] and row["step"] == pytest.approx(0.25)
    assert row["stage"] == "benefit" and row["change"] == pytest.approx(0.75)
    assert row["per_money"] == pytest.approx(3) and row["gain_per_money"] == pytest.approx(3)
    # The same number from HiGHS: the row dual of the budget row in the LP (all starts divisible).
    model = build_model(sc)
    with solver_output_to_stderr():
        matrix = hand_off(model, SolveOptions())
        cols, coefs = benefit_terms(model)
        cost = np.zeros(matrix.num_col)
        np.add.at(cost, matrix.positions[cols], -coefs)
        matrix.set_costs(cost)
        matrix.highs.run()
    budget_row = [r for r, (f, i) in enumerate(zip(matrix.row_family, matrix.row_index))
                  if f == "budget" and model.rows["budget"].iloc[i]["year"] == 2026][0]
    dual = matrix.row_duals()[budget_row]
    assert abs(dual) == pytest.approx(row["per_money"])
    free = table[table["year"] == 2027].iloc[0]
    assert not free["binding"] and free["per_money"] == 0 and free["status"] == ""


def test_marginal_for_whole_projects_is_measured_by_a_step(tmp_path):
    # Benefit objective, whole projects, 14 in 2026: P1 + P2 (cost 14, benefit 5) uses it all, so
    # the budget binds. 5% more (0.7) buys nothing (P3 costs 5): honestly worth 0, not a dual.
    # 50% more (7) also buys P3 (+1): 1/7 per unit of money.
    tables = goal_case(0)
    tables["Settings"] = [s for s in tables["Settings"] if s["key"] != "objective"] + \
        [{"key": "objective", "value": "benefit"}]
    tables["Goals"] = []
    tables["Budgets"][0]["amount"] = 14
    sc = load(tmp_path, tables)
    row = marginal_table(sc, step=0.05).set_index("year").loc[2026]
    assert row["binding"] and row["gain_per_money"] == 0 and "buys nothing" in row["note"]
    row = marginal_table(sc, step=0.5).set_index("year").loc[2026]
    assert row["step"] == pytest.approx(7) and row["per_money"] == pytest.approx(1 / 7)


# --- frontier --------------------------------------------------------------------------------

def frontier_case():
    # Benefit objective; four whole projects in one year. More money never lowers the optimum.
    projects = [project("A", 4), project("B", 6), project("C", 3, region="B"), project("D", 8, region="B")]
    impacts = [impact("A", 5), impact("B", 6), impact("C", 2), impact("D", 9)]
    return scenario(projects, impacts, pooled({2026: 10}))


def test_frontier_is_monotone_for_benefit_and_lists_plan_changes(tmp_path):
    sc = load(tmp_path, frontier_case())
    result = budget_frontier(sc, "F", start=0.4, stop=2.2, steps=4)
    points = result.points
    assert list(points["money"]) == pytest.approx([4, 10, 16, 22])
    assert (points["status"] == "optimal").all()
    objective = points["objective"].to_numpy()
    assert (np.diff(objective) >= -1e-9).all()
    # 4: A (5); 10: A + B (11); 16: A + B + C... or A + C + D (16) beats A + B + C (13); 22: all (22).
    assert list(objective) == pytest.approx([5, 11, 16, 22])
    assert points["added"].iloc[1] == "B" and points["added"].iloc[2] == "C, D" and points["dropped"].iloc[2] == "B"
    target = write_frontier(result, tmp_path / "frontier.xlsx")
    ws = load_workbook(target)["Frontier"]
    assert ws["A1"].value == "factor" and len(ws._charts) == 1


def test_frontier_in_worker_processes_matches_serial(tmp_path):
    sc = load(tmp_path, frontier_case())
    serial = budget_frontier(sc, None, start=1.0, stop=1.6, steps=2)
    parallel = budget_frontier(sc, None, start=1.0, stop=1.6, steps=2, workers=2)
    assert list(parallel.points["objective"]) == pytest.approx(list(serial.points["objective"]))


def test_goal_frontier_gives_the_cheapest_cost_of_each_target(tmp_path):
    # Cost objective, grp in A from 10: +3 costs 8 (P1), +2 costs 6 (P2), +5 costs 14; money 10.
    sc = load(tmp_path, goal_case(14))
    result = goal_frontier(sc, "G1", start=12 / 14, stop=1.0, steps=2)
    points = result.points
    assert list(points["target"]) == pytest.approx([12, 14])
    assert points["status"].iloc[0] == "optimal" and points["objective"].iloc[0] == pytest.approx(6)
    assert points["status"].iloc[1] == "infeasible"  # +4 needs both: 14 > 10


def test_frontier_command(tmp_path):
    path = write_workbook(tmp_path / "f.xlsx", frontier_case())
    result = cli("frontier", path, "--fund", "F", "--from", "0.4", "--to", "1.0", "--steps", "2", "--json")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert [p["objective"] for p in answer["points"]] == pytest.approx([5, 11])
    assert cli("frontier", path, "--fund", "nope").exit_code == 1


# --- near-optimal alternatives ---------------------------------------------------------------

def alternatives_case():
    # Benefit objective, 10 in 2026, each project costs 5. A +10, B +5, C +5, D +4.9, E +1.
    # Optimum A + B or A + C: 15. Within 5% (>= 14.25): A + B, A + C, A + D (14.9); A + E (11)
    # and B + C (10) are not. So A is core, E never, B/C/D borderline; three plans in all.
    projects = [project(p, 5) for p in "ABCDE"]
    impacts = [impact("A", 10), impact("B", 5), impact("C", 5), impact("D", 4.9), impact("E", 1)]
    return scenario(projects, impacts, pooled({2026: 10}))


def test_alternatives_within_slack_different_and_core_right(tmp_path):
    result = find_alternatives(load(tmp_path, alternatives_case()), slack=0.05, count=5)
    plans = result.plans
    assert len(plans) == 3
    optimum = plans[0].objective
    assert optimum == pytest.approx(15)
    assert all(p.objective >= 0.95 * optimum - 1e-6 for p in plans)
    sets = [frozenset(p.projects) for p in plans]
    assert len(set(sets)) == len(sets)
    assert set(sets) == {frozenset("AB"), frozenset("AC"), frozenset("AD")}
    assert all(p.distance == pytest.approx(2) for p in plans[1:])
    classes = result.classes().set_index("project")["class"].to_dict()
    assert classes == {"A": "core", "B": "borderline", "C": "borderline", "D": "borderline", "E": "never"}


def test_alternatives_command_writes_overview_and_a_sheet_per_plan(tmp_path):
    path = write_workbook(tmp_path / "alt.xlsx", alternatives_case())
    out = tmp_path / "alternatives.xlsx"
    result = cli("alternatives", path, "--slack", "0.05", "--count", "1", "--out", out, "--json")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert [p["plan"] for p in answer["plans"]] == ["optimum", "alternative 1"]
    assert answer["core"] == ["A"]
    assert load_workbook(out).sheetnames == ["Overview", "Optimum", "Alternative 1"]


# --- goal hygiene ----------------------------------------------------------------------------

def hygiene_tables(goals, kinds=None):
    kinds = kinds or {"grp": "final", "jobs": "final", "accessibility": "intermediate", "investment": "input"}
    frame = lambda rows: pd.DataFrame([{**r, "row": i} for i, r in enumerate(rows, start=2)])  # noqa: E731
    return {
        "Regions": frame([{"region": "A", "group": "west"}, {"region": "B", "group": "west"}]),
        "Indicators": frame([{"indicator": k, "kind": v} for k, v in kinds.items()]),
        "Baseline": frame([{"region": "A", "indicator": "grp", "value": 100},
                           {"region": "B", "indicator": "grp", "value": 50}]),
        "Goals": frame([{"sense": ">=", "region": None, "year": None, "basis": "level", **g} for g in goals]),
    }


SETTINGS = {"start_year": 2026, "horizon": 3}


def test_hygiene_goal_on_an_input(tmp_path):
    problems = goal_hygiene(hygiene_tables([{"goal": "G1", "indicator": "investment", "target": 50}]), SETTINGS)
    assert [(p.severity, p.location, p.column) for p in problems] == [("warning", "Goals!2", "indicator")]
    assert "a cost or an input is not a goal" in problems[0].message


def test_hygiene_intermediate_beside_final_in_the_same_scope():
    tables = hygiene_tables([{"goal": "G1", "indicator": "grp", "region": "A", "target": 120},
                             {"goal": "G2", "indicator": "accessibility", "region": "A", "target": 5},
                             {"goal": "G3", "indicator": "accessibility", "region": "B", "target": 5}])
    problems = goal_hygiene(tables, SETTINGS)
    assert [p.location for p in problems] == ["Goals!3"]
    assert "G1 on grp (Goals!2)" in problems[0].message


def test_hygiene_contradictory_targets():
    # G1: grp in west >= 160; G2: grp in west <= 155 (both in the last year): contradiction.
    # G3 (a change of +5 from 150 = 155) does not contradict G2.
    tables = hygiene_tables([{"goal": "G1", "indicator": "grp", "region": "west", "target": 160},
                             {"goal": "G2", "indicator": "grp", "region": "west", "sense": "<=", "target": 155,
                              "year": 2028},
                             {"goal": "G3", "indicator": "grp", "region": "west", "target": 5, "basis": "change"}])
    problems = goal_hygiene(tables, SETTINGS)
    assert [(p.location, p.column) for p in problems] == [("Goals!2", "target")]
    assert "G1" in problems[0].message and "G2" in problems[0].message


def test_hygiene_percent_of_a_zero_baseline_and_the_basis_rule():
    tables = hygiene_tables([{"goal": "G1", "indicator": "grp", "region": "A", "target": 10, "basis": "percent"},
                             {"goal": "G2", "indicator": "jobs", "region": "A", "target": 10, "basis": "percent"}])
    problems = goal_hygiene(tables, SETTINGS)
    assert [(p.location, p.column) for p in problems] == [("Goals!3", "basis")]
    assert level_target({"target": 10, "basis": "percent"}, 100) == pytest.approx(110)
    assert level_target({"target": 10, "basis": "change"}, 100) == pytest.approx(110)
    assert level_target({"target": 10}, 100) == pytest.approx(10)


def test_hygiene_is_quiet_on_a_sound_scenario():
    tables = hygiene_tables([{"goal": "G1", "indicator": "grp", "region": "A", "target": 120},
                             {"goal": "G2", "indicator": "jobs", "region": "A", "target": 10},
                             {"goal": "G3", "indicator": "accessibility", "region": "B", "target": 5},
                             {"goal": "G4", "indicator": "grp", "region": "A", "sense": "<=", "target": 130}])
    assert goal_hygiene(tables, SETTINGS) == []
    no_kinds = hygiene_tables([{"goal": "G1", "indicator": "investment", "target": 50}])
    no_kinds["Indicators"] = no_kinds["Indicators"].drop(columns=["kind"])
    assert goal_hygiene(no_kinds, SETTINGS) == []


def test_commands_have_help_with_an_example():
    for command in ("diagnose", "frontier", "alternatives"):
        result = cli(command, "--help")
        assert result.exit_code == 0 and "Example: planner " + command in result.stdout
