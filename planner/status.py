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

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

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
    Status.interrupted: "interrupted: stopped by Ctrl-C or a termination signal; the best plan found so far",
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


# --- stop requests: Ctrl-C and SIGTERM --------------------------------------------------------
#
# The command line installs one handler for both signals (:func:`handle_stop_signals`) and runs
# each command in :func:`run_mode` "until-solve":
#
# * until the solver starts, Ctrl-C raises KeyboardInterrupt and SIGTERM :class:`Terminated` (a
#   KeyboardInterrupt): reading and building stop at once, there is nothing to keep;
# * once the solver has started (:func:`solving`), a first signal is a *request*: it is noted and
#   nothing is raised, so no finished work can be lost between two lines of code. The solver polls
#   :func:`stop_requested` and stops, keeping its best plan; the answer is extracted and written;
#   a batch starts no further task; the exit code says which signal it was (130 or 143);
# * a second signal raises at once (one within :data:`SAME_REQUEST` seconds of the first is the
#   same request: a terminal's Ctrl-C and its forward by ``planner compare`` both reach a worker).
#
# Without the command line's handler (a notebook) Ctrl-C raises KeyboardInterrupt as usual; whoever
# catches one and carries on records it with :func:`note_stop`. Worker processes run in mode
# "ignore" while they wait for work, so an idle worker never prints a traceback on Ctrl-C.

class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread the way Ctrl-C raises KeyboardInterrupt."""


#: Seconds within which a second signal is the same request as the first.
SAME_REQUEST = 0.3

_stops: list[int] = []   # signal numbers, in the order they were noted
_last_stop = 0.0         # time.monotonic() of the last one
_mode = "raise"          # raise | until-solve | keep | ignore
_kept_since = 0          # stops noted when the mode became "keep"
_installed = False       # whether handle_stop_signals() installed the handler in this process


def stop_signal(interrupt: BaseException) -> int:
    """The signal number behind a KeyboardInterrupt (SIGTERM for :class:`Terminated`)."""
    return signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT


def note_stop(interrupt: BaseException | int) -> None:
    """Record that a stop request was received or caught and the run carries on to finish cleanly."""
    global _last_stop
    _stops.append(interrupt if isinstance(interrupt, int) else stop_signal(interrupt))
    _last_stop = time.monotonic()


def stops_noted() -> int:
    """How many stop requests were noted so far: compare with an earlier count to see a new one."""
    return len(_stops)


def stop_requested() -> bool:
    """Whether a first Ctrl-C or SIGTERM asked the run to stop (mode "keep" only)."""
    return _mode == "keep" and len(_stops) > _kept_since


def raise_if_stop_requested() -> None:
    """For work that runs HiGHS without :func:`planner.solver.run_highs` (the advisors): stop
    between two solves when a Ctrl-C or SIGTERM asked for it."""
    if stop_requested():
        _raise(_stops[-1])


def interrupted_exit_code(since: int = 0) -> int:
    """130 (Ctrl-C), or 143 when a SIGTERM is among the stops noted after the first ``since``."""
    return TERMINATED_EXIT_CODE if signal.SIGTERM in _stops[since:] else EXIT_CODES[Status.interrupted]


def _raise(signum: int) -> None:
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _on_signal(signum: int, frame: Any) -> None:
    if _mode == "ignore":
        return
    if _mode == "keep":
        if len(_stops) == _kept_since:
            note_stop(signum)  # a request: the solver and the batches look for it
            return
        if time.monotonic() - _last_stop < SAME_REQUEST:
            return
    _raise(signum)


def handle_stop_signals(signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> None:
    """Install the planner's handler for Ctrl-C and SIGTERM (in the main thread; see above)."""
    global _installed
    if threading.current_thread() is threading.main_thread():
        for number in signals:
            signal.signal(number, _on_signal)
        _installed = True


@contextmanager
def run_mode(mode: str) -> Iterator[None]:
    """Run the block in ``mode`` ("raise", "until-solve", "ignore"), then restore the mode before."""
    saved = _mode
    set_run_mode(mode)
    try:
        yield
    finally:
        set_run_mode(saved)


def set_run_mode(mode: str) -> None:
    """Set the mode for the rest of the process (a worker process waiting for work: "ignore")."""
    global _mode
    if mode not in ("raise", "until-solve", "keep", "ignore"):
        raise ValueError(f"unknown run mode {mode!r}")
    _mode = mode


def solving() -> None:
    """The solver has started: in mode "until-solve", a first Ctrl-C or SIGTERM is now a request."""
    global _mode, _kept_since
    if _mode == "until-solve":
        _mode, _kept_since = "keep", len(_stops)


@contextmanager
def stops_deferred() -> Iterator[None]:
    """Finish the block although a first Ctrl-C or SIGTERM arrives (it is noted); a second stops it at once.

    Used while a finished result is extracted or written: the file is complete, or after a second
    signal not there at all, never half written. The caller sees the first signal in
    :func:`stops_noted`. Under the planner's handler in mode "keep" this is what already happens.
    """
    if (_installed and _mode == "keep") or threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def defer(signum: int, frame: Any) -> None:
        pending.append(signum)
        if len(pending) > 1:
            _raise(signum)

    saved = {number: signal.signal(number, defer) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
    if pending:
        note_stop(pending[0])


def worst(statuses: list[Status]) -> Status:
    """The status that decides the exit code of a run of many solves (compare, sweeps).

    invalid input first (exit 1), then infeasible (3), no solution (4), interrupted (130);
    all solved -> optimal when every one is optimal, else feasible.
    """
    for status in (Status.invalid, Status.infeasible, Status.no_solution, Status.interrupted):
        if status in statuses:
            return status
    return Status.optimal if all(s == Status.optimal for s in statuses) else Status.feasible


__all__ = ["EXIT_CODES", "SAME_REQUEST", "Status", "TERMINATED_EXIT_CODE", "Terminated", "WORDS", "describe_highs",
           "from_highs", "handle_stop_signals", "has_solution", "interrupted_exit_code", "note_stop",
           "raise_if_stop_requested", "read_highs", "run_mode", "set_run_mode", "solving", "stop_requested",
           "stop_signal", "stops_deferred", "stops_noted", "worst"]
