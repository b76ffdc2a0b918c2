"""Run independent tasks in this process, in worker processes, or on a dask cluster.

Comparisons, frontier points and robustness samples are independent solves. They go
through :func:`run_tasks`, which returns one :class:`Done` per task **in task order**,
whichever way they ran, so results never depend on scheduling.

Nothing finished is lost when a worker dies: with worker processes, a task whose
process was killed (``kill -9``, the out-of-memory killer) is retried once, alone in a
fresh process; a task that fails again, or raises, becomes a :class:`Done` with its
``error`` and the other tasks keep their results. A dask cluster reschedules the
tasks of a lost worker itself (up to its ``allowed-failures``), and a task it gives
up on becomes a :class:`Done` with its error the same way.

Ctrl-C or SIGTERM stops the run and keeps what finished: the tasks still running are
asked to stop (a solve then returns its best plan so far) and given a few seconds, the
others are not started; each task without a result becomes a :class:`Done` marked
``stopped``. Worker processes ignore Ctrl-C while they wait for work, so an idle worker
never prints a traceback; SIGTERM ends a worker (that is how a pool stops its workers).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import highspy

from planner.status import handle_stop_signals, note_stop, run_mode, set_run_mode, stop_requested, stops_noted

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Seconds the running tasks get to return their results after Ctrl-C or SIGTERM.
STOP_GRACE = 5.0
DIED = "its worker process died (killed, or out of memory), and again when retried alone in a fresh process"
STOPPED = "stopped by Ctrl-C or a termination signal before this task finished"


@dataclass
class Done(Generic[R]):
    """The outcome of one task: its ``value``, or why there is none (``error``; ``stopped`` when
    Ctrl-C or SIGTERM stopped the run before it finished)."""

    index: int
    value: R | None = None
    error: str = ""
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


def run_tasks(function: Callable[[T], R], tasks: Sequence[T], workers: int = 1,
              dask_address: str | None = None,
              progress: Callable[[Done[R]], None] | None = None) -> list[Done[R]]:
    """``function(task)`` for every task; results in task order.

    ``function`` must be picklable (a module-level function) for worker processes and dask.
    ``workers`` > 1 uses that many processes; ``dask_address`` sends the tasks to a
    dask.distributed scheduler instead. ``progress`` is called once per finished task.
    """
    done: dict[int, Done[R]] = {}

    def finish(result: Done[R]) -> None:
        if result.index in done:
            return
        done[result.index] = result
        if progress is not None:
            progress(result)

    try:
        if dask_address:
            _on_dask(function, tasks, dask_address, finish)
        elif workers > 1 and len(tasks) > 1:
            _in_processes(function, tasks, workers, finish)
        else:
            _here(function, tasks, finish)
    except KeyboardInterrupt as interrupt:
        note_stop(interrupt)
    for i in range(len(tasks)):
        if i not in done:
            finish(Done(i, error=STOPPED, stopped=True))
    return [done[i] for i in range(len(tasks))]


def _call(function: Callable[[T], R], task: T, index: int) -> Done[R]:
    try:
        return Done(index, function(task))
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a task that fails is reported, the others go on
        log.debug("task %d failed", index, exc_info=True)
        return Done(index, error=f"{type(exc).__name__}: {exc}")


def _here(function: Callable[[T], R], tasks: Sequence[T], finish: Callable[[Done[R]], None]) -> None:
    """One task after the other; none starts after a stop request (a solve that caught it notes it)."""
    mark = stops_noted()
    for i, task in enumerate(tasks):
        if stops_noted() > mark or stop_requested():
            return
        finish(_call(function, task, i))


# --- worker processes --------------------------------------------------------------------------

_stopping: Any = None  # in a worker process: the pool's "stop" event


def _worker_start(stopping: Any) -> None:
    """In each worker: Ctrl-C stops a running task as in the main process and is ignored while the
    worker waits for work. SIGTERM keeps its default, ending the process: that is how the pool
    stops its workers, and the main process keeps what they had finished."""
    global _stopping
    _stopping = stopping
    # A forked worker inherits HiGHS's thread scheduler from the parent (set up by the parent's
    # solves, its threads not copied): without a reset, HiGHS refuses the worker's own thread
    # count ("the scheduler has already been initialized") and every solve ends unknown.
    highspy.Highs.resetThreadScheduler(False)
    handle_stop_signals((signal.SIGINT,))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    set_run_mode("ignore")


def _call_in_worker(function: Callable[[T], R], task: T, index: int) -> Done[R]:
    if _stopping is not None and _stopping.is_set():  # queued before the stop: do not start it
        return Done(index, error=STOPPED, stopped=True)
    try:
        with run_mode("until-solve"):
            return _call(function, task, index)
    except KeyboardInterrupt:
        return Done(index, error=STOPPED, stopped=True)


def _in_processes(function: Callable[[T], R], tasks: Sequence[T], workers: int,
                  finish: Callable[[Done[R]], None]) -> None:
    """All tasks in a pool of ``workers`` processes; tasks lost with a dead worker retried once."""
    lost = _pool_round(function, list(enumerate(tasks)), workers, finish, retry=False)
    if not lost:
        return
    log.warning("a worker process died; running %d task(s) again, each alone in a fresh process", len(lost))
    for start in range(0, len(lost), workers):
        batch = [(i, tasks[i]) for i in sorted(lost)[start:start + workers]]
        _pool_round(function, batch, len(batch), finish, retry=True)


def _pool_round(function: Callable[[T], R], batch: list[tuple[int, T]], workers: int,
                finish: Callable[[Done[R]], None], retry: bool) -> list[int]:
    """Run ``batch`` in ``workers`` processes (one pool each when ``retry``); return the lost indices."""
    stopping = multiprocessing.get_context().Event()
    pools = [ProcessPoolExecutor(max_workers=1 if retry else workers, initializer=_worker_start,
                                 initargs=(stopping,))
             for _ in (batch if retry else [None])]
    futures: dict[Future, int] = {}
    lost: list[int] = []
    try:
        for n, (i, task) in enumerate(batch):
            futures[pools[n if retry else 0].submit(_call_in_worker, function, task, i)] = i
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                result = _result(future)
                if result is not None:
                    finish(result)
                elif retry:
                    finish(Done(futures[future], error=DIED))
                else:
                    lost.append(futures[future])
    except KeyboardInterrupt:
        stopping.set()
        _stop_pools(pools, futures, finish)
        raise
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
    return lost


def _stop_pools(pools: list[ProcessPoolExecutor], futures: dict[Future, int],
                finish: Callable[[Done[R]], None]) -> None:
    """Ctrl-C or SIGTERM: start nothing more, ask running tasks to stop, keep what they return."""
    for future in futures:
        future.cancel()
    processes = [p for pool in pools for p in getattr(pool, "_processes", {}).values()]
    for process in processes:  # a SIGTERM to the main process alone reaches the workers this way
        _signal(process.pid, signal.SIGINT)
    deadline = time.perf_counter() + STOP_GRACE
    running = {f for f in futures if not f.cancelled()}
    try:
        while running and time.perf_counter() < deadline:
            finished, running = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                result = _result(future)
                if result is not None:
                    finish(result)
    except KeyboardInterrupt:
        pass  # a second one: stop waiting at once
    for process in processes:
        _signal(process.pid, signal.SIGKILL)


def _signal(pid: int | None, signum: int) -> None:
    if pid is None:
        return
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _result(future: Future) -> Done | None:
    """The task's Done, or None when its worker process died."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None


# --- dask ---------------------------------------------------------------------------------------

def _on_dask(function: Callable[[T], R], tasks: Sequence[T], address: str,
             finish: Callable[[Done[R]], None]) -> None:
    from distributed import Client  # optional extra; imported only when a cluster is used
    from distributed import as_completed as dask_completed

    with Client(address) as client:
        futures = {client.submit(_call, function, task, i, pure=False): i for i, task in enumerate(tasks)}
        try:
            for future in dask_completed(futures):
                index = futures[future]
                try:
                    finish(future.result())
                except Exception as exc:  # the cluster gave up on the task (e.g. it killed workers)
                    finish(Done(index, error=_dask_error(exc)))
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise


def _dask_error(exc: Exception) -> str:
    if type(exc).__name__ == "KilledWorker":
        return ("its worker died each time the cluster ran it (killed, or out of memory), so the cluster gave "
                f"up on it ({exc})")
    return f"{type(exc).__name__}: {exc}"


__all__ = ["Done", "STOP_GRACE", "run_tasks"]
