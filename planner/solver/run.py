"""Run HiGHS so that a person can stop it and a clock can bound it.

HiGHS solves in its own thread; this thread waits in short slices, so Ctrl-C
(``KeyboardInterrupt``) reaches Python at once and cancels the solve cleanly, keeping
the best plan found so far. Some HiGHS phases (presolve or a root heuristic of a very
large model) do not look at the clock: a watchdog cancels them shortly after the
deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import highspy

#: Seconds after the time limit at which a solve that ignores the clock is cancelled.
WATCHDOG_GRACE = 2.0


#: Seconds between two reports to a watcher, and before the first one (short solves report nothing).
REPORT_EVERY = 0.5
REPORT_AFTER = 2.0

#: Called with (best plan's objective, bound, gap, seconds) in HiGHS's units while a MIP runs.
Watcher = Callable[[float | None, float | None, float | None, float], None]


def run_highs(highs: highspy.Highs, deadline: float | None = None, watch: Watcher | None = None) -> str:
    """Run ``highs`` to the end and return why it was cancelled.

    "" (not cancelled), "interrupt" (Ctrl-C) or "time" (the watchdog, after ``deadline``
    plus :data:`WATCHDOG_GRACE`, in ``time.perf_counter`` seconds). ``watch`` hears from
    HiGHS's MIP callback every :data:`REPORT_EVERY` seconds once the run is past
    :data:`REPORT_AFTER` seconds.
    """
    highs.HandleKeyboardInterrupt = True
    cancelled = ""
    latest: dict[str, float] = {}
    if watch is not None:
        highs.cbMipInterrupt.subscribe(_recorder(latest))
    started = time.perf_counter()
    reported = started + REPORT_AFTER - REPORT_EVERY
    highs.startSolve()
    try:
        while True:
            try:
                done, _ = highs.wait(0.1)
                if done:
                    return cancelled
                now = time.perf_counter()
                if deadline is not None and not cancelled and now > deadline + WATCHDOG_GRACE:
                    cancelled = "time"
                    highs.cancelSolve()
                if watch is not None and now - reported >= REPORT_EVERY:
                    reported = now
                    watch(latest.get("primal"), latest.get("dual"), latest.get("gap"), now - started)
            except KeyboardInterrupt:
                cancelled = "interrupt"
                highs.cancelSolve()
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


__all__ = ["WATCHDOG_GRACE", "run_highs"]
