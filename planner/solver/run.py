"""Run HiGHS so that a person can stop it and a clock can bound it.

HiGHS solves in its own thread; this thread waits in short slices, so Ctrl-C
(``KeyboardInterrupt``) reaches Python at once and cancels the solve cleanly, keeping
the best plan found so far. Some HiGHS phases (presolve or a root heuristic of a very
large model) do not look at the clock: a watchdog cancels them shortly after the
deadline.
"""

from __future__ import annotations

import time

import highspy

#: Seconds after the time limit at which a solve that ignores the clock is cancelled.
WATCHDOG_GRACE = 2.0


def run_highs(highs: highspy.Highs, deadline: float | None = None) -> str:
    """Run ``highs`` to the end and return why it was cancelled.

    "" (not cancelled), "interrupt" (Ctrl-C) or "time" (the watchdog, after ``deadline``
    plus :data:`WATCHDOG_GRACE`, in ``time.perf_counter`` seconds).
    """
    highs.HandleKeyboardInterrupt = True
    cancelled = ""
    highs.startSolve()
    while True:
        try:
            done, _ = highs.wait(0.1)
            if done:
                return cancelled
            if deadline is not None and not cancelled and time.perf_counter() > deadline + WATCHDOG_GRACE:
                cancelled = "time"
                highs.cancelSolve()
        except KeyboardInterrupt:
            cancelled = "interrupt"
            highs.cancelSolve()


__all__ = ["WATCHDOG_GRACE", "run_highs"]
