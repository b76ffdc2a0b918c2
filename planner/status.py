"""The planner's one status vocabulary, and the one place where HiGHS's statuses are read.

Every outcome a person or a program sees is a :class:`Status`: the ``status`` of
``--json``, the words of the results workbook and the process exit code all come
from here. HiGHS reports two separate things, why it stopped (its *model status*)
and whether it holds a plan (its *primal solution status*); :func:`from_highs` maps
the pair, plus the reason the planner itself cancelled a solve, onto one status,
and :func:`read_highs` reads both from a HiGHS instance. No other module looks at
``HighsModelStatus`` or ``primal_solution_status``.
"""

from __future__ import annotations

from enum import StrEnum

import highspy


class Status(StrEnum):
    """What became of a scenario. The value is the word of ``--json``."""

    #: The best plan, proven within the MIP gap.
    optimal = "optimal"
    #: A plan, but a limit (time, iterations, solutions, memory) stopped the solver before
    #: proving it best.
    feasible = "feasible"
    #: No plan meets every hard rule.
    infeasible = "infeasible"
    #: The solver stopped (a limit, an error) before finding any plan.
    no_solution = "no_solution"
    #: Stopped by Ctrl-C or a termination signal; the best plan so far, if any, is kept.
    interrupted = "interrupted"
    #: The input breaks the workbook contract or cannot be read.
    invalid = "invalid"

    @property
    def exit_code(self) -> int:
        """Process exit code (README "Exit codes")."""
        return EXIT_CODES[self]

    @property
    def words(self) -> str:
        """The status as a sentence for the results workbook."""
        return WORDS[self]

    @property
    def solved(self) -> bool:
        """Whether the solve ended with a plan the planner stands by (optimal or feasible)."""
        return self in (Status.optimal, Status.feasible)


EXIT_CODES: dict[Status, int] = {
    Status.optimal: 0,
    Status.feasible: 0,
    Status.invalid: 1,
    Status.infeasible: 3,
    Status.no_solution: 4,
    Status.interrupted: 130,
}

#: Exit code of a run stopped by SIGTERM (128 + 15), as ``timeout``, docker and systemd expect.
TERMINATED_EXIT_CODE = 143

WORDS: dict[Status, str] = {
    Status.optimal: "optimal: the best plan, proven within the MIP gap",
    Status.feasible: "feasible: a plan, but the time limit stopped the solver before proving it best",
    Status.infeasible: "infeasible: no plan meets every hard rule",
    Status.no_solution: "no solution: the solver stopped before finding any plan",
    Status.interrupted: "interrupted: stopped by Ctrl-C; the best plan found so far",
    Status.invalid: "invalid: the workbook breaks the contract",
}

_S = highspy.HighsModelStatus
#: Model statuses of a solve stopped by a limit: a plan when HiGHS holds one, else none.
#: HiGHS's own interrupt (a callback asked it to stop); missing from highspy's type stubs.
_HIGHS_INTERRUPT = _S.__members__["kHighsInterrupt"]
_LIMITS = frozenset({_S.kTimeLimit, _S.kIterationLimit, _S.kSolutionLimit, _S.kObjectiveBound,
                     _S.kObjectiveTarget, _S.kMemoryLimit, _S.kInterrupt, _HIGHS_INTERRUPT})
_INFEASIBLE = frozenset({_S.kInfeasible, _S.kUnboundedOrInfeasible})


def from_highs(model_status: highspy.HighsModelStatus, has_solution: bool, cancelled: str = "") -> Status:
    """The planner's status for a HiGHS run.

    ``cancelled`` is why the planner cancelled the run: "" (it did not), "interrupt"
    (Ctrl-C or SIGTERM) or "time" (the watchdog, after the time limit). Rules, in order:

    * optimal, and an empty model (nothing to decide: the empty plan is optimal) -> optimal;
    * infeasible, or HiGHS's "unbounded or infeasible" (every column of the planner's models
      is bounded, so it can only be infeasible) -> infeasible;
    * cancelled by the person -> interrupted (the plan so far is kept when there is one);
    * stopped by a limit (or by the watchdog) with a plan -> feasible;
    * interrupted by HiGHS's own interrupt without a plan and not cancelled here -> interrupted;
    * anything else (a limit without a plan, unbounded, an error, unknown) -> no_solution.
    """
    if model_status in (_S.kOptimal, _S.kModelEmpty):
        return Status.optimal
    if model_status in _INFEASIBLE:
        return Status.infeasible
    if cancelled == "interrupt":
        return Status.interrupted
    if has_solution and (model_status in _LIMITS or cancelled == "time"):
        return Status.feasible
    if model_status in (_S.kInterrupt, _HIGHS_INTERRUPT) and not cancelled:
        return Status.interrupted
    return Status.no_solution


def has_solution(highs: highspy.Highs) -> bool:
    """Whether HiGHS holds a primal feasible solution (a plan)."""
    return highs.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible


def read_highs(highs: highspy.Highs, cancelled: str = "") -> tuple[Status, bool]:
    """The status of the last run of ``highs`` and whether it holds a plan."""
    plan = has_solution(highs)
    status = from_highs(highs.getModelStatus(), plan, cancelled)
    if highs.getModelStatus() == _S.kModelEmpty:
        plan = True
    return status, plan


def describe_highs(highs: highspy.Highs) -> str:
    """HiGHS's own words for why it stopped (for messages)."""
    return highs.modelStatusToString(highs.getModelStatus())


def worst(statuses: list[Status]) -> Status:
    """The status that decides the exit code of a run of many solves (compare, sweeps).

    invalid input first (exit 1), then infeasible (3), no solution (4), interrupted (130);
    all solved -> optimal when every one is optimal, else feasible.
    """
    for status in (Status.invalid, Status.infeasible, Status.no_solution, Status.interrupted):
        if status in statuses:
            return status
    return Status.optimal if all(s == Status.optimal for s in statuses) else Status.feasible


__all__ = ["EXIT_CODES", "Status", "TERMINATED_EXIT_CODE", "WORDS", "describe_highs", "from_highs",
           "has_solution", "read_highs", "worst"]
