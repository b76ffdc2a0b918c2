"""Run independent tasks in this process, in worker processes, or on a dask cluster.

Comparisons, frontier points and robustness samples are independent solves. They go
through :func:`run_tasks`, which returns one :class:`Done` per task **in task order**,
whichever way they ran, so results never depend on scheduling.

Nothing finished is lost when a worker dies: with worker processes, a task whose
process was killed (``kill -9``, the out-of-memory killer) is retried once, alone in a
fresh process; a task that fails again, or raises, becomes a :class:`Done` with its
``error`` and the other tasks keep their results. A dask cluster reschedules the
tasks of a lost worker itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

import highspy

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Done(Generic[R]):
    """The outcome of one task: its ``value``, or why there is none (``error``)."""

    index: int
    value: R | None = None
    error: str = ""

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
        done[result.index] = result
        if progress is not None:
            progress(result)

    if dask_address:
        _on_dask(function, tasks, dask_address, finish)
    elif workers > 1 and len(tasks) > 1:
        _in_processes(function, tasks, workers, finish)
    else:
        for i, task in enumerate(tasks):
            finish(_call(function, task, i))
    return [done[i] for i in range(len(tasks))]


def _call(function: Callable[[T], R], task: T, index: int) -> Done[R]:
    try:
        return Done(index, function(task))
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a task that fails is reported, the others go on
        log.debug("task %d failed", index, exc_info=True)
        return Done(index, error=f"{type(exc).__name__}: {exc}")


def fresh_process() -> None:
    """First thing in a worker process: HiGHS's global thread scheduler reset. A forked worker
    inherits the parent's scheduler but not its threads (fork copies only the calling thread), and
    once the parent has solved more than once its HiGHS solves stop at once without an answer: after
    one ``planner solve`` in a process (a notebook, the test suite), every missed goal of the next
    came back "unknown"."""
    highspy.Highs.resetGlobalScheduler(True)


def _in_processes(function: Callable[[T], R], tasks: Sequence[T], workers: int,
                  finish: Callable[[Done[R]], None]) -> None:
    """All tasks in a pool of ``workers`` processes; tasks lost with a dead worker retried once."""
    lost: list[int] = []
    with ProcessPoolExecutor(max_workers=workers, initializer=fresh_process) as pool:
        futures = {pool.submit(_call, function, task, i): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            result = _result(future)
            if result is None:
                lost.append(futures[future])
            else:
                finish(result)
    if lost:
        log.warning("a worker process died; retrying %d task(s) in fresh processes", len(lost))
    for start in range(0, len(lost), workers):
        batch = sorted(lost)[start:start + workers]
        pools = [ProcessPoolExecutor(max_workers=1, initializer=fresh_process) for _ in batch]
        try:
            retried = [(i, p.submit(_call, function, tasks[i], i)) for i, p in zip(batch, pools)]
            for i, future in retried:
                result = _result(future)
                finish(result if result is not None else
                       Done(i, error="the worker process died twice while running this task"))
        finally:
            for p in pools:
                p.shutdown(wait=True, cancel_futures=True)


def _result(future: Future) -> Done | None:
    """The task's Done, or None when its worker process died."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _on_dask(function: Callable[[T], R], tasks: Sequence[T], address: str,
             finish: Callable[[Done[R]], None]) -> None:
    from distributed import Client  # optional extra; imported only when a cluster is used
    from distributed import as_completed as dask_completed

    with Client(address) as client:
        futures = {client.submit(_call, function, task, i, pure=False): i for i, task in enumerate(tasks)}
        for future in dask_completed(futures):
            index = futures[future]
            try:
                finish(future.result())
            except Exception as exc:  # the cluster gave up on the task (e.g. it killed workers)
                finish(Done(index, error=f"{type(exc).__name__}: {exc}"))


__all__ = ["Done", "run_tasks"]
