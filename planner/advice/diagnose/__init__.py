"""Why a scenario is infeasible, and the cheapest ways out, in workbook terms.

Two questions, answered in order (models/advice.md, section 1):

1. **Conflict.** Which rules cannot hold together? First the LP relaxation is
   solved (fast). When it is infeasible, the compiled model goes to HiGHS's
   ``getIis`` with ``iis_strategy`` = 4 (``kIisStrategyIrreducible``: a true
   irreducible infeasible subset; the default 0 only runs a light bound test and
   returns an empty set even for a two-row conflict), plus 16
   (``kIisStrategyRelaxation``, the IIS of a MIP's relaxation) when the model has
   integer columns. When the relaxation is feasible, only integrality makes the
   MIP infeasible (all-or-nothing projects cannot be split to fit): HiGHS has no
   IIS then (``getIis`` spends minutes and returns an invalid set), so a deletion
   filter over the rules on the elastic MIP finds an irreducible set of rules for
   whole projects. Up to five disjoint conflicts are found (each one's rules
   relaxed before looking again). Each row and bound is told as a sentence with
   its ``Sheet!row``.
2. **Repairs.** For each rule in the conflict on its own, the least slack of that
   rule alone that makes the scenario feasible (one MIP each, everything else
   as written): the money a budget needs, how far a goal's target must move, a
   mandatory flag or a requires/excludes pair dropped. Each is a standalone
   alternative; they are listed smallest first (relative to the rule's size).
"""

from __future__ import annotations

from typing import Any

from planner.advice.diagnose.conflicts import IIS_IRREDUCIBLE, IIS_RELAXATION, dedupe, feasibility, find_conflicts
from planner.advice.diagnose.goals import GoalDiagnosis, diagnose_goals
from planner.advice.diagnose.repairs import baseline_conflicts, repairs_of
from planner.advice.diagnose.report import SOURCES, Diagnosis
from planner.advice.elastic import CHECK_LIMIT
from planner.advice.rulebook import Rule, RuleBook
from planner.model import AllocationModel, build_model
from planner.results import solve_scenario
from planner.scenario import Scenario
from planner.solver import SolveOptions, hand_off, solver_output_to_stderr


def diagnose(scenario: Scenario, options: SolveOptions | None = None,
             model: AllocationModel | None = None, max_conflicts: int = 5, goal: str | None = None,
             explain_goals: bool = True) -> Diagnosis:
    """Diagnose ``scenario``: feasible, or its conflicts and the cheapest repairs of each.

    Up to ``max_conflicts`` disjoint conflicts are reported: after one is found its rules are
    relaxed and the search goes on. The repairs of one conflict assume the others repaired
    (their rules relaxed), so each is a standalone way out of that conflict.

    A feasible scenario under the goals objective is solved, and each missed soft goal (only
    ``goal`` when given) is explained: what holds it back and what it would take
    (:mod:`planner.advice.diagnose.goals`). ``explain_goals=False`` skips that.
    """
    options = options or SolveOptions()
    model = model or build_model(scenario)
    book = RuleBook(model)
    trivial = baseline_conflicts(model, book)
    with solver_output_to_stderr():
        matrix = hand_off(model, options)
    status = feasibility(matrix.highs, options)
    if status == "unknown":
        return Diagnosis(scenario.name, "unknown", message="the solver stopped before deciding feasibility "
                         "(time limit); try again with a longer --time-limit")
    if status == "feasible" and not trivial:
        result = Diagnosis(scenario.name, "feasible")
        soft = not model.index.goals["hard"].all() if len(model.index.goals) else False
        if explain_goals and (goal is not None or soft) and scenario.settings.get("objective") == "goals":
            answer = solve_scenario(scenario, options)
            result.goals = diagnose_goals(scenario, answer, options, [goal] if goal else None, thorough=True)
        return result
    conflicts: list[list[Rule]] = [[rule] for rule, _ in trivial]
    repairs: list[dict[str, Any]] = [repair | {"conflict": n} for n, (_, repair) in enumerate(trivial, 1)]
    source, notes = ("baseline" if trivial else ""), []
    if status == "infeasible":
        found, groups, source, more_notes = find_conflicts(scenario, model, matrix, book, options,
                                                           max_conflicts)
        notes += more_notes
        elastic, cores = groups.elastic, groups.cores
        for index, members in enumerate(groups.members):
            number = len(conflicts) + index + 1
            others = sorted({k for j, core in enumerate(cores) if j != index for k in core} - set(members))
            new_repairs, note = repairs_of(elastic, members, others)
            repairs += [r | {"conflict": number} for r in new_repairs]
            if note:
                notes.append(f"conflict {number}: {note}")
        conflicts += [dedupe(rules) for rules in found]
        everything = sorted({k for core in cores for k in core})
        if cores and elastic.feasible(everything, elastic.limit(CHECK_LIMIT)) is not True:
            notes.append(f"relaxing every rule of the {len(cores)} conflicts found is not enough: another "
                         "conflict remains; repair these and run diagnose again")
        source = source or ("baseline" if trivial else "")
    records = [rule.record() | {"conflict": n} for n, rules in enumerate(conflicts, 1) for rule in rules]
    repairs.sort(key=lambda r: (r["conflict"], r.get("combined", False), r["relative"], r["rule"]))
    if goal is not None:
        notes.append(f"goal {goal} is not explained: the scenario has no plan at all; repair the conflict first")
    return Diagnosis(scenario.name, "infeasible", source, records, repairs, "; ".join(notes))


__all__ = ["Diagnosis", "GoalDiagnosis", "IIS_IRREDUCIBLE", "IIS_RELAXATION", "SOURCES", "diagnose",
           "diagnose_goals"]
