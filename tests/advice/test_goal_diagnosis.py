"""Why a soft goal is missed and what it would take, on hand cases whose answers are known.

The cases: one region, money 10 in 2026, goals measured in 2027 (projects must start in 2026).
P1 (cost 10) brings +10 GRP, P2 (cost 10) +10 jobs. Both goals are soft; the jobs goal weighs
more (or comes first), so the plan buys P2 and the GRP goal is missed by its whole target.
"""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

import planner
from planner.advice.diagnose import diagnose_goals
from tests.builders import run_cli, write_workbook
from tests.cases import impact, pooled, project, scenario


def case(grp_target=10, jobs_priority=1, grp_priority=1, mandatory=False):
    projects = [project("P1", 10), project("P2", 10)]
    impacts = [impact("P1", 10), impact("P2", 10, indicator="jobs")]
    if mandatory:
        projects.append(project("M", 10, mandatory="yes"))
    return scenario(projects, impacts, pooled({2026: 20 if mandatory else 10}), objective="goals",
                    indicators=[{"indicator": "grp", "unit": "million USD", "value": 1},
                                {"indicator": "jobs", "unit": "thousand"}],
                    goals=[{"goal": "G_grp", "indicator": "grp", "target": grp_target, "priority": grp_priority},
                           {"goal": "G_jobs", "indicator": "jobs", "target": 10, "priority": jobs_priority,
                            "weight": 2}],
                    money_unit="million USD")


def solved(tmp_path, tables, name="g.xlsx"):
    result = planner.solve(write_workbook(tmp_path / name, tables))
    assert result.status == "optimal"
    return result


def by_kind(diagnosis):
    return {r["kind"]: r for r in diagnosis.repairs}


def test_missed_goal_held_back_by_money_and_a_goal_of_the_same_priority(tmp_path):
    result = solved(tmp_path, case())
    assert [g.goal for g in result.findings.goals] == ["G_grp"]
    g = result.findings.goals[0]
    assert g.status == "missed" and g.shortfall == pytest.approx(10)
    repairs = by_kind(g)
    assert repairs["money"]["amount"] == pytest.approx(10)  # 10 more in 2026 buys P1 too
    assert [(p["fund"], p["year"]) for p in repairs["money"]["parts"]] == [("F", 2026)]
    assert [(p["goal"], p["amount"]) for p in repairs["goals"]["parts"]] == [("G_jobs", pytest.approx(10))]
    assert repairs["target"]["new_value"] == pytest.approx(0)
    assert {h["kind"] for h in g.held_back_by} == {"budgets", "goal"}
    assert "held back by the budgets (F) and goal G_jobs (priority 1, Goals!3)" in g.explanation()
    assert g.remedy() == ("To meet it: 10 more million USD (F 2026: 10), or G_jobs (priority 1) giving up 10 "
                          "(thousand), to 0, or lowering its target to 0 (from 10).")


def test_a_higher_priority_goal_holds_it_back(tmp_path):
    g = solved(tmp_path, case(jobs_priority=1, grp_priority=2)).findings.goals[0]
    assert g.priority == 2
    assert [(p["goal"], p["priority"]) for p in by_kind(g)["goals"]["parts"]] == [("G_jobs", 1)]


def test_a_mandatory_project_holds_it_back(tmp_path):
    # M (mandatory, no impact) takes 10 of the 20; P2 takes the rest.
    g = solved(tmp_path, case(mandatory=True)).findings.goals[0]
    rules = by_kind(g)["rules"]
    assert [p["rule"] for p in rules["parts"]] == ["mandatory M"]
    assert "mandatory M (Projects!4)" in g.explanation()


def test_out_of_reach_whatever_the_money_the_candidates_hold_it_back(tmp_path):
    # +15 GRP: P1 is the only GRP project and brings 10, so no change of money or goals meets it.
    g = solved(tmp_path, case(grp_target=15)).findings.goals[0]
    assert g.reach["level"] == pytest.approx(10) and g.reach["progress"] == pytest.approx(10 / 15)
    assert "candidates" in {h["kind"] for h in g.held_back_by}
    assert "no plan moves grp enough by 2027" in g.explanation()
    assert g.remedy().startswith("No change of budgets, rules or other goals meets it: at most 10 (million USD) "
                                 "can be reached (progress 66.7%")
    assert by_kind(g)["target"]["new_value"] == pytest.approx(0)


def test_goals_sheet_and_json_carry_the_diagnosis(tmp_path):
    result = solved(tmp_path, case())
    data = result.to_json()
    assert [m["goal"] for m in data["missed_goals"]] == ["G_grp"]
    assert data["missed_goals"][0]["held_back_by"][0]["kind"] == "budgets"
    book = load_workbook(result.to_excel(tmp_path / "r.xlsx"))
    header = [c.value for c in book["Goals"][1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in book["Goals"].iter_rows(min_row=2)]
    grp = next(r for r in rows if r["goal"] == "G_grp")
    assert grp["why_missed"].startswith("Goal G_grp is missed by 10") and "10 more million USD" in \
        grp["what_it_would_take"]
    assert next(r for r in rows if r["goal"] == "G_jobs")["why_missed"] in ("", None)


def test_diagnose_command_explains_one_goal(tmp_path):
    path = write_workbook(tmp_path / "g.xlsx", case())
    result = run_cli("diagnose", path, "--goal", "G_grp", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "feasible" and [m["goal"] for m in data["missed_goals"]] == ["G_grp"]
    assert data["missed_goals"][0]["status"] == "missed"
    met = json.loads(run_cli("diagnose", path, "--goal", "G_jobs", "--json").stdout)
    assert met["missed_goals"][0]["status"] == "met"
    human = run_cli("diagnose", path)
    assert human.exit_code == 0 and "Goal G_grp is missed by 10" in human.stdout
    unknown = run_cli("diagnose", path, "--goal", "G_nope")
    assert unknown.exit_code == 1 and "unknown goal G_nope" in unknown.output


def test_diagnosis_within_a_time_budget(tmp_path):
    result = planner.solve(write_workbook(tmp_path / "g.xlsx", case()), explain_goals=False)
    assert result.findings.goals == []
    late = diagnose_goals(result.scenario, result.answer, budget=0.0)
    assert late[0].status == "not_diagnosed" and "planner diagnose FILE --goal G_grp" in late[0].message


def test_a_soft_equity_rule_of_higher_priority_keeps_what_the_plan_gives_it(tmp_path):
    # Money for one of PA (+30 GRP in A) and PB (+10 in B); the soft floor "B per person >= 6"
    # (priority 1) takes PB, so goal G (A's GRP >= 130, priority 2) is missed. Held at its plan
    # shortfall (0), the floor still needs PB: only 5 more money (PA too) meets G.
    tables = scenario([project("PA", 5), project("PB", 5, region="B")], [impact("PA", 30), impact("PB", 10)],
                      pooled({2026: 5}), objective="goals",
                      baseline=[{"region": "A", "indicator": "grp", "value": 100},
                                {"region": "B", "indicator": "grp", "value": 50}],
                      goals=[{"goal": "G", "indicator": "grp", "region": "A", "target": 130, "priority": 2}])
    tables["Regions"] = [{"region": "A", "population": 10}, {"region": "B", "population": 10}]
    tables["Equity"] = [{"rule": "E1", "indicator": "grp", "kind": "per_capita_floor", "value": 6, "regions": "B",
                         "priority": 1}]
    g = solved(tmp_path, tables).findings.goals[0]
    assert g.status == "missed"
    assert by_kind(g)["money"]["amount"] == pytest.approx(5)
    assert "goals" not in by_kind(g)
