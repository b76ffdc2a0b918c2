"""The one mapping from HiGHS's statuses to the planner's, driven through every HiGHS status."""

from __future__ import annotations

import os
import signal
import time

import highspy
import pytest

from planner import status
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


# --- Ctrl-C and SIGTERM: a request once the solver runs, at once before it and the second time ------

@pytest.fixture
def planner_handlers():
    saved = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    status.handle_stop_signals()
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def _signal_self(number):
    os.kill(os.getpid(), number)
    time.sleep(0.05)  # the handler runs in this (the main) thread at the next bytecode


def test_signals_stop_at_once_before_the_solver_and_are_requests_once_it_runs(planner_handlers):
    with status.run_mode("until-solve"):
        with pytest.raises(status.Terminated):
            _signal_self(signal.SIGTERM)  # reading or building: nothing to keep, stop at once
        status.solving()
        mark = status.stops_noted()
        _signal_self(signal.SIGTERM)  # no exception: a request, whatever line was running
        assert status.stop_requested() and status.stops_noted() == mark + 1
        assert status.interrupted_exit_code(mark) == 143
        _signal_self(signal.SIGINT)  # within SAME_REQUEST: the same request (a forwarded copy)
        time.sleep(status.SAME_REQUEST)
        with pytest.raises(KeyboardInterrupt):
            _signal_self(signal.SIGINT)  # a second one: at once
    assert not status.stop_requested()  # the mode before the run is back


def test_a_worker_waiting_for_work_ignores_ctrl_c(planner_handlers):
    with status.run_mode("ignore"):
        _signal_self(signal.SIGINT)
    assert not status.stop_requested()


def test_a_write_finishes_despite_a_first_signal_and_stops_at_the_second():
    mark = status.stops_noted()
    with status.stops_deferred():
        _signal_self(signal.SIGINT)
        finished = True
    assert finished and status.stops_noted() == mark + 1
    with pytest.raises(KeyboardInterrupt), status.stops_deferred():
        _signal_self(signal.SIGINT)
        _signal_self(signal.SIGINT)
