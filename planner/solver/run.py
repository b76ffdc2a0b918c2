"""Run HiGHS so that a person can stop it and a clock can bound it.

HiGHS solves in its own thread; this thread waits in short slices and looks for a stop
request each time: a first Ctrl-C or SIGTERM noted by the command line's handler
(:func:`planner.status.stop_requested`), or a ``KeyboardInterrupt`` where no such handler
runs (a notebook). It then cancels the solve cleanly, keeping the best plan found so far.
Some HiGHS phases (presolve or a root heuristic of a very large model) look neither at the
clock nor at the cancel request for many seconds:

* a watchdog cancels them shortly after the deadline;
* after a stop request the planner waits :data:`INTERRUPT_GRACE` seconds for HiGHS to stop,
  then stops waiting (at once on a second Ctrl-C): the solve is *abandoned*, its thread left to
  end by itself, and the caller keeps the plan it already had (the previous stage's) instead
  of reading HiGHS while it still runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from threading import Thread
from typing import Any

import highspy

from planner.status import SAME_REQUEST, note_stop, stop_requested

#: Seconds after the time limit at which a solve that ignores the clock is cancelled.
WATCHDOG_GRACE = 2.0
#: Seconds HiGHS is given to stop after Ctrl-C or SIGTERM before the planner stops waiting for it.
INTERRUPT_GRACE = 1.0

#: Solver threads the planner stopped waiting for; the next solve waits for them first
#: (highspy lets only one solve run at a time in a process).
_abandoned: list[Thread] = []


#: Seconds between two reports to a watcher, and before the first one (short solves report nothing).
REPORT_EVERY = 0.5
REPORT_AFTER = 2.0

#: Called with (best plan's objective, bound, gap, seconds) in HiGHS's units while a MIP runs.
Watcher = Callable[[float | None, float | None, float | None, float], None]


@dataclass(frozen=True)
class Run:
    """How a run of HiGHS ended.

    ``cancelled``: "" (not cancelled), "interrupt" (Ctrl-C or SIGTERM) or "time" (the watchdog).
    ``abandoned``: HiGHS was still running when the planner stopped waiting for it after an
    interrupt; nothing may be read from that instance.
    """

    cancelled: str = ""
    abandoned: bool = False


def run_highs(highs: highspy.Highs, deadline: float | None = None, watch: Watcher | None = None) -> Run:
    """Run ``highs`` until it ends, is cancelled, or is abandoned after a stop request.

    ``deadline`` is in ``time.perf_counter`` seconds; the watchdog cancels the solve at
    ``deadline`` plus :data:`WATCHDOG_GRACE`. ``watch`` hears from HiGHS's MIP callback every
    :data:`REPORT_EVERY` seconds once the run is past :data:`REPORT_AFTER` seconds.
    """
    wait_for_abandoned()
    highs.HandleKeyboardInterrupt = True
    cancelled = ""
    asked_at: float | None = None
    latest: dict[str, float] = {}
    if watch is not None:
        highs.cbMipInterrupt.subscribe(_recorder(latest))
    started = time.perf_counter()
    reported = started + REPORT_AFTER - REPORT_EVERY
    thread = highs.startSolve()
    try:
        while True:
            try:
                done, _ = highs.wait(0.1)
                if done:
                    return Run(cancelled)
                now = time.perf_counter()
                if asked_at is None and stop_requested():
                    cancelled, asked_at = "interrupt", now
                    highs.cancelSolve()
                elif asked_at is not None and now > asked_at + INTERRUPT_GRACE:
                    return _abandon(thread)
                if deadline is not None and not cancelled and now > deadline + WATCHDOG_GRACE:
                    cancelled = "time"
                    highs.cancelSolve()
                if watch is not None and now - reported >= REPORT_EVERY:
                    reported = now
                    watch(latest.get("primal"), latest.get("dual"), latest.get("gap"), now - started)
            except KeyboardInterrupt as interrupt:  # no handler of the planner's, or a second signal
                now = time.perf_counter()
                if asked_at is None:
                    note_stop(interrupt)
                    cancelled, asked_at = "interrupt", now
                    highs.cancelSolve()
                elif now - asked_at > SAME_REQUEST:  # a second request: stop waiting at once
                    note_stop(interrupt)
                    return _abandon(thread)
    finally:
        if watch is not None:
            highs.cbMipInterrupt.clear()


def _recorder(latest: dict[str, float]) -> Callable[[Any], None]:
    """A MIP-interrupt callback that keeps HiGHS's latest bounds (read by the waiting thread)."""
    def record(event: Any) -> None:
        data = event.data_out
        latest.update(primal=float(data.mip_primal_bound), dual=float(data.mip_dual_bound),
                      gap=float(data.mip_gap))
    return record


def _abandon(thread: Thread) -> Run:
    _abandoned.append(thread)
    return Run("interrupt", abandoned=True)


def wait_for_abandoned() -> None:
    """Wait for abandoned solver threads to end (they were cancelled and stop at HiGHS's next check)."""
    while _abandoned:
        _abandoned[0].join()
        _abandoned.pop(0)


__all__ = ["INTERRUPT_GRACE", "REPORT_AFTER", "REPORT_EVERY", "WATCHDOG_GRACE", "Run", "Watcher", "run_highs",
           "wait_for_abandoned"]
