"""Properties of the planner's answers on seeded random scenarios (and a few hand-sized ones).

* More budget never worsens the optimum.
* Removing a candidate project never improves it (and removing an unused one changes nothing).
* Every plan the planner reports, fixed and re-checked independently, satisfies every rule.
* Goal programming (``objective = goals``) is lexicographic: the planner's stage values equal the
  ones found by enumerating every plan, priority by priority, then the tie-break.

Scenarios come from ``tests/enumerate_plans.random_tables`` (the same generator as the brute-force
tests); the re-checks use the independent implementation in ``tests/enumerate_plans.py``.
"""

from __future__ import annotations

import json

import pytest

from tests.builders import settings
from tests.enumerate_plans import (
    check_answer,
    close,
    is_feasible,
    lexicographic,
    parse,
    plan_value,
    random_tables,
    removal_set,
    solve_tables_json,
    with_budget_scaled,
    without_project,
)

PROPERTY_SEEDS = list(range(3000, 3008))
GOAL_SEEDS = list(range(4000, 4006))

_answers: dict[tuple[str, int], tuple[dict, int, dict]] = {}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Solve (and remember) the unmodified random scenario for (objective, seed)."""
    directory = tmp_path_factory.mktemp("base")

    def get(objective: str, seed: int) -> tuple[dict, int, dict]:
        key = (objective, seed)
        if key not in _answers:
            tables = random_tables(seed, objective)
            code, answer = solve_tables_json(directory, tables, name=f"{objective}-{seed}.xlsx")
            _answers[key] = (tables, code, answer)
        return _answers[key]

    return get


def better_or_equal(objective: str, a: float, b: float) -> bool:
    """a is at least as good as b (up to the MIP gap), for a maximised or minimised objective."""
    slack = 1e-4 * max(1.0, abs(a), abs(b)) + 1e-6
    return a >= b - slack if objective == "benefit" else a <= b + slack


def describe(tables) -> str:
    return json.dumps(tables, default=str)


# --------------------------------------------------------------------------------------------
# More budget never worsens the optimum
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("objective", ["benefit", "cost"])
@pytest.mark.parametrize("seed", PROPERTY_SEEDS)
def test_more_budget_never_worsens_the_optimum(objective, seed, base, tmp_path):
    """Scaling one fund's budgets by 1.5 keeps every plan payable, so a feasible scenario stays
    feasible, the best benefit does not decrease and the cheapest cost does not increase."""
    tables, code, answer = base(objective, seed)
    fund = tables["Funds"][seed % len(tables["Funds"])]["fund"]
    richer = with_budget_scaled(tables, fund, 1.5)
    code2, answer2 = solve_tables_json(tmp_path, richer)
    if code == 3:
        return                                   # more money may or may not make it feasible
    assert code == 0, answer
    assert code2 == 0, f"feasible with less money, {answer2['status']} with more; {describe(richer)}"
    assert better_or_equal(objective, answer2["objective"], answer["objective"]), (
        f"{objective}: {answer['objective']} with fund {fund} as given, {answer2['objective']} with "
        f"1.5 times its budgets; scenario: {describe(tables)}")


# --------------------------------------------------------------------------------------------
# Removing a candidate never improves the optimum
# --------------------------------------------------------------------------------------------

def removable(tables, chosen: set[str], used: bool) -> str | None:
    """A project to remove: no mandatory project is lost with it (a project that requires it
    can no longer be chosen and goes too), chosen by the planner (used) or not (unused)."""
    mandatory = {r["project"] for r in tables["Projects"] if str(r.get("mandatory", "no")) == "yes"}
    for row in tables["Projects"]:
        p = row["project"]
        gone = removal_set(tables, p)
        if gone & mandatory:
            continue
        if used and p in chosen:
            return p
        if not used and not gone & chosen:
            return p
    return None


@pytest.mark.parametrize("objective", ["benefit", "cost"])
@pytest.mark.parametrize("seed", PROPERTY_SEEDS[:6])
def test_removing_a_candidate_never_improves_the_optimum(objective, seed, base, tmp_path):
    """Dropping a non-mandatory project (its Projects and Impacts rows, and its mentions in other
    projects' excludes) only removes plans: the best benefit cannot increase, the cheapest cost
    cannot decrease, and an infeasible scenario stays infeasible.

    A project that others require is removed together with them: they could never be chosen
    without it, whereas merely deleting the reference would relax them (not a removal)."""
    tables, code, answer = base(objective, seed)
    chosen = {r["project"] for r in answer.get("projects", [])}
    project = removable(tables, chosen, used=True) or removable(tables, chosen, used=False)
    if project is None:
        pytest.skip("every project is mandatory or needed by one")
    smaller = without_project(tables, project)
    code2, answer2 = solve_tables_json(tmp_path, smaller)
    if code == 3:
        assert code2 == 3, f"removing {project} made an infeasible scenario feasible: {describe(tables)}"
        return
    assert code2 in (0, 3), answer2              # 3: the removed project was needed for the goals
    assert code2 == 3 or better_or_equal(objective, answer["objective"], answer2["objective"]), (
        f"{objective}: {answer['objective']} with {project}, {answer2['objective']} without it; "
        f"scenario: {describe(tables)}")


@pytest.mark.parametrize("objective", ["benefit", "cost"])
@pytest.mark.parametrize("seed", PROPERTY_SEEDS[:6])
def test_removing_an_unused_candidate_changes_nothing(objective, seed, base, tmp_path):
    """A project the optimal plan does not use (nor anything that requires it) can go without
    changing the optimum: the optimal plan is still available, and nothing better appears."""
    tables, code, answer = base(objective, seed)
    if code != 0:
        pytest.skip("infeasible scenario")
    chosen = {r["project"] for r in answer["projects"]}
    project = removable(tables, chosen, used=False)
    if project is None:
        pytest.skip("every project is used")
    code2, answer2 = solve_tables_json(tmp_path, without_project(tables, project))
    assert code2 == 0, answer2
    assert close(answer2["objective"], answer["objective"]), (
        f"{objective}: {answer['objective']} with unused {project}, {answer2['objective']} without it; "
        f"scenario: {describe(tables)}")


# --------------------------------------------------------------------------------------------
# Every reported plan satisfies every rule
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("objective,seed", [("benefit", s) for s in PROPERTY_SEEDS]
                         + [("cost", s) for s in PROPERTY_SEEDS]
                         + [("goals", s) for s in GOAL_SEEDS])
def test_reported_plan_satisfies_every_rule(objective, seed, base):
    """The plan in the JSON answer, fixed and re-checked without the planner: start years inside
    the windows, mandatory projects chosen, requires (q started no later than p), excludes, hard
    goals (all goals under benefit/cost), each fund's budget per scope and year with carry-over
    (from the ``spending`` rows), each region's yearly spending equal to its active projects'
    yearly cost and splittable among their eligible funds, reported levels recomputed; and the
    plan is payable by our own exact check."""
    tables, code, answer = base(objective, seed)
    if code == 3:
        pytest.skip("infeasible scenario")
    assert code == 0, answer
    sc = parse(tables)
    chosen, problems = check_answer(sc, answer)
    assert not problems, f"{problems}; scenario: {describe(tables)}"
    assert is_feasible(sc, chosen, all_goals_hard=objective != "goals"), describe(tables)
    if objective in ("benefit", "cost"):
        assert abs(plan_value(sc, chosen, objective) - answer["objective"]) <= 1e-6 * max(1.0, abs(answer["objective"]))


# --------------------------------------------------------------------------------------------
# Goal programming is lexicographic
# --------------------------------------------------------------------------------------------

def hand_base(horizon=2, **extra_settings):
    return {
        "Settings": settings(name="lex", start_year=2026, horizon=horizon, **extra_settings),
        "Regions": [{"region": "A", "group": "west"}, {"region": "B", "group": "west"}],
        "Indicators": [{"indicator": "grp", "unit": "bn", "value": 1.0},
                       {"indicator": "jobs", "unit": "k", "value": 0.0},
                       {"indicator": "co2", "unit": "Mt", "value": 0.0}],
        "Baseline": [{"region": "A", "indicator": "grp", "value": 10},
                     {"region": "B", "indicator": "grp", "value": 20}],
        "Funds": [{"fund": "F", "carry_over": "no"}],
        "Budgets": [{"fund": "F", "year": 2026, "amount": 10}, {"fund": "F", "year": 2027, "amount": 10}],
        "Projects": [],
        "Impacts": [],
        "Goals": [],
    }


def lex_one_goal():
    """grp over the country >= 34 by 2027 (baseline 30); P1 +3 (cost 8), P2 +2 (6), P3 +2 (5);
    10 a year. Only 2026 starts count and P2 + P3 = 11 > 10, so the best level is 33 (P1):
    priority 1 = 1/34; among plans reaching 33 the cheapest is P1 alone: min_cost = 8."""
    t = hand_base()
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 8},
                     {"project": "P2", "kind": "other", "region": "B", "cost": 6},
                     {"project": "P3", "kind": "transport", "region": "B", "cost": 5}]
    t["Impacts"] = [{"project": p, "indicator": "grp", "value": v} for p, v in (("P1", 3), ("P2", 2), ("P3", 2))]
    t["Goals"] = [{"goal": "G1", "indicator": "grp", "target": 34, "priority": 1}]
    return t, [("priority 1", 1 / 34), ("min_cost", 8.0)]


def lex_priorities_conflict():
    """One affordable project in 2026 (budget 6): P1 (+5 grp in A) or P2 (+4 jobs in B).
    Priority 1: jobs >= 4 over the country, weight 2 -> P2 meets it (0; P1 would score 2).
    Priority 2: grp >= 15 in A (baseline 10) -> shortfall 5, score 5/15. min_cost: P2 = 6."""
    t = hand_base()
    t["Budgets"] = [{"fund": "F", "year": 2026, "amount": 6}]
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 6},
                     {"project": "P2", "kind": "other", "region": "B", "cost": 6}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 5},
                    {"project": "P2", "indicator": "jobs", "value": 4}]
    t["Goals"] = [{"goal": "G_grp", "indicator": "grp", "region": "A", "target": 15, "priority": 2},
                  {"goal": "G_jobs", "indicator": "jobs", "target": 4, "priority": 1, "weight": 2}]
    return t, [("priority 1", 0.0), ("priority 2", 5 / 15), ("min_cost", 6.0)]


def lex_zero_target_and_max_benefit():
    """co2 <= 0 in the group west (target 0 scores shortfall / 1) at priority 1; grp >= 20 in A
    at priority 2; tie-break max_benefit. P1: +6 grp, +2 co2, cost 4; P2: +3 grp, cost 5.
    Priority 1 rules out P1 (score 0); priority 2: 10 + 3 = 13, score 7/20 = 0.35;
    max_benefit: P2 in 2026, complete in 2027: 3 x worth 1 = 3."""
    t = hand_base(tie_break="max_benefit")
    t["Projects"] = [{"project": "P1", "kind": "other", "region": "A", "cost": 4},
                     {"project": "P2", "kind": "other", "region": "A", "cost": 5}]
    t["Impacts"] = [{"project": "P1", "indicator": "grp", "value": 6},
                    {"project": "P1", "indicator": "co2", "value": 2},
                    {"project": "P2", "indicator": "grp", "value": 3}]
    t["Goals"] = [{"goal": "G_co2", "indicator": "co2", "region": "west", "sense": "<=", "target": 0,
                   "priority": 1},
                  {"goal": "G_grp", "indicator": "grp", "region": "A", "target": 20, "priority": 2}]
    return t, [("priority 1", 0.0), ("priority 2", 0.35), ("max_benefit", 3.0)]


def lex_hard_goal():
    """As ``lex_priorities_conflict`` but grp >= 15 in A is hard: P1 is forced, so priority 1
    (jobs >= 4, weight 2) scores 2 * 4 / 4 = 2, and min_cost is 6."""
    t, _ = lex_priorities_conflict()
    t["Goals"][0].update(hard="yes")
    return t, [("priority 1", 2.0), ("min_cost", 6.0)]


def lex_no_tie_break():
    """As ``lex_priorities_conflict`` with tie_break = none: only the two priority stages, and the
    reported objective is the last of them (5/15)."""
    t, expected = lex_priorities_conflict()
    t["Settings"].append({"key": "tie_break", "value": "none"})
    return t, expected[:2]


LEX_CASES = {"one_goal": lex_one_goal, "no_tie_break": lex_no_tie_break, "priorities_conflict": lex_priorities_conflict,
             "zero_target_and_max_benefit": lex_zero_target_and_max_benefit, "hard_goal": lex_hard_goal}


def assert_stages(answer, expected, tables) -> None:
    got = [(s["name"], s["value"]) for s in answer["stages"]]
    assert [n for n, _ in got] == [n for n, _ in expected], (got, expected, describe(tables))
    for (name, value), (_, want) in zip(got, expected):
        assert close(value, want), f"stage {name}: planner {value}, enumeration {want}; {describe(tables)}"


@pytest.mark.parametrize("case", sorted(LEX_CASES))
def test_goal_programming_on_hand_sized_cases(case, tmp_path):
    """Stage values by hand, by enumeration, and by the planner all agree."""
    tables, by_hand = LEX_CASES[case]()
    enumerated = lexicographic(parse(tables))
    assert [n for n, _ in enumerated.stages] == [n for n, _ in by_hand]
    for (_, got), (_, want) in zip(enumerated.stages, by_hand):
        assert got == pytest.approx(want, abs=1e-12)
    code, answer = solve_tables_json(tmp_path, tables)
    assert (code, answer["status"]) == (0, "optimal"), answer
    assert_stages(answer, by_hand, tables)
    assert close(answer["objective"], by_hand[-1][1])


@pytest.mark.parametrize("seed", GOAL_SEEDS)
def test_goal_programming_matches_enumeration(seed, base):
    """On small random goal-programming scenarios (soft goals on 1-2 priorities, now and then a
    hard one), the planner's stage values are the lexicographic optimum found by enumeration:
    the least priority-1 score, then the least priority-2 score among plans achieving it, then the
    cheapest among those (min_cost)."""
    tables, code, answer = base("goals", seed)
    expected = lexicographic(parse(tables))
    if not expected.feasible:
        assert (code, answer["status"]) == (3, "infeasible"), describe(tables)
        return
    assert (code, answer["status"]) == (0, "optimal"), (answer, describe(tables))
    assert_stages(answer, expected.stages, tables)
    assert close(answer["objective"], expected.stages[-1][1])
