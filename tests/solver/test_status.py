"""The one mapping from HiGHS's statuses to the planner's, driven through every HiGHS status."""

from __future__ import annotations

import highspy
import pytest

from planner.status import EXIT_CODES, WORDS, Status, from_highs, worst

S = highspy.HighsModelStatus

#: model status -> (planner status with a plan, without a plan), when the planner did not cancel.
EXPECTED = {
    S.kNotset: (Status.no_solution, Status.no_solution),
    S.kLoadError: (Status.no_solution, Status.no_solution),
    S.kModelError: (Status.no_solution, Status.no_solution),
    S.kPresolveError: (Status.no_solution, Status.no_solution),
    S.kSolveError: (Status.no_solution, Status.no_solution),
    S.kPostsolveError: (Status.no_solution, Status.no_solution),
    S.kModelEmpty: (Status.optimal, Status.optimal),
    S.kOptimal: (Status.optimal, Status.optimal),
    S.kInfeasible: (Status.infeasible, Status.infeasible),
    S.kUnboundedOrInfeasible: (Status.infeasible, Status.infeasible),
    S.kUnbounded: (Status.no_solution, Status.no_solution),
    S.kObjectiveBound: (Status.feasible, Status.no_solution),
    S.kObjectiveTarget: (Status.feasible, Status.no_solution),
    S.kTimeLimit: (Status.feasible, Status.no_solution),
    S.kIterationLimit: (Status.feasible, Status.no_solution),
    S.kUnknown: (Status.no_solution, Status.no_solution),
    S.kSolutionLimit: (Status.feasible, Status.no_solution),
    S.kInterrupt: (Status.feasible, Status.interrupted),
    S.kMemoryLimit: (Status.feasible, Status.no_solution),
    S.kHighsInterrupt: (Status.feasible, Status.interrupted),
}


def test_every_highs_model_status_is_mapped():
    assert set(EXPECTED) == set(S.__members__.values())


@pytest.mark.parametrize("model_status", list(EXPECTED), ids=lambda s: s.name)
def test_mapping_without_cancellation(model_status):
    with_plan, without_plan = EXPECTED[model_status]
    assert from_highs(model_status, True) == with_plan
    assert from_highs(model_status, False) == without_plan


@pytest.mark.parametrize("model_status", list(EXPECTED), ids=lambda s: s.name)
def test_ctrl_c_is_interrupted_unless_the_solve_had_already_ended(model_status):
    decided = {S.kOptimal: Status.optimal, S.kModelEmpty: Status.optimal, S.kInfeasible: Status.infeasible,
               S.kUnboundedOrInfeasible: Status.infeasible}
    for plan in (True, False):
        assert from_highs(model_status, plan, "interrupt") == decided.get(model_status, Status.interrupted)


@pytest.mark.parametrize("model_status", list(EXPECTED), ids=lambda s: s.name)
def test_watchdog_cancellation_keeps_a_plan_as_feasible_never_optimal(model_status):
    if model_status in (S.kOptimal, S.kModelEmpty):
        pytest.skip("the solve finished before the watchdog: optimal is right")
    result = from_highs(model_status, True, "time")
    assert result != Status.optimal
    if model_status not in (S.kInfeasible, S.kUnboundedOrInfeasible):
        assert result == Status.feasible
        assert from_highs(model_status, False, "time") in (Status.no_solution, Status.interrupted)


def test_a_time_limited_plan_is_never_reported_optimal():
    assert from_highs(S.kTimeLimit, True) == Status.feasible
    assert Status.feasible.words.startswith("feasible")


def test_exit_codes_and_words_cover_every_status():
    assert set(EXIT_CODES) == set(Status) == set(WORDS)
    assert [Status(s).exit_code for s in ("optimal", "feasible", "invalid", "infeasible", "no_solution",
                                          "interrupted")] == [0, 0, 1, 3, 4, 130]


def test_worst_status_decides_a_batch():
    assert worst([Status.optimal, Status.optimal]) == Status.optimal
    assert worst([Status.optimal, Status.feasible]) == Status.feasible
    assert worst([Status.optimal, Status.no_solution, Status.infeasible]) == Status.infeasible
    assert worst([Status.infeasible, Status.invalid]) == Status.invalid
    assert worst([Status.optimal, Status.no_solution]).exit_code == 4
