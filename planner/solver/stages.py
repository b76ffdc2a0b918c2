"""Solve an allocation model with HiGHS, stage by stage (the lexicographic method).

The model is handed to HiGHS once (:func:`planner.solver.handoff.hand_off`); the
stages then re-solve in place: the finished stage's objective is held at its optimum
by one added row, the next stage's costs replace the old ones, and the incumbent is
passed on as a start.

Why the solver stopped and whether there is a plan are kept apart: a
:class:`SolveResult` always has a :class:`~planner.status.Status`, and an unknown or
error outcome is never reported as optimal. Ctrl-C or SIGTERM cancels HiGHS cleanly and
keeps the best plan found so far (that of the finished stages when HiGHS does not stop in
time, see :mod:`planner.solver.run`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from planner.model import AllocationModel, Stage
from planner.model.objectives import stage_value
from planner.solver.handoff import MatrixModel, hand_off, solver_output_to_stderr
from planner.solver.options import SolveOptions
from planner.solver.run import run_highs
from planner.status import Status, describe_highs, read_highs, solving, stop_requested

#: Relative tolerance when a finished stage's optimum is held for the next stage.
STAGE_TOLERANCE = 1e-7
#: The message of a solve stopped by a person or a signal.
STOPPED = "stopped by Ctrl-C or a termination signal"


@dataclass
class SolveResult:
    """What the solver found.

    status: see :class:`planner.status.Status`.
    values: value of every model column (global numbering), or None without a plan.
    stages: (name, value) of each finished stage, reported sense.
    """

    status: Status
    values: np.ndarray | None = None
    stages: list[tuple[str, float]] = field(default_factory=list)
    mip_gap: float | None = None
    solve_seconds: float = 0.0
    handoff_seconds: float = 0.0
    message: str = ""

    @property
    def has_plan(self) -> bool:
        return self.values is not None

    @property
    def objective(self) -> float | None:
        return self.stages[-1][1] if self.stages else None

    @property
    def exit_code(self) -> int:
        return Status(self.status).exit_code


def solve(model: AllocationModel, options: SolveOptions | None = None) -> SolveResult:
    """Solve every stage of ``model`` in order and return the final plan."""
    options = options or SolveOptions()
    if model.trivially_infeasible:
        return SolveResult(Status.infeasible, message="; ".join(model.trivially_infeasible))
    started = time.perf_counter()
    with solver_output_to_stderr():
        matrix = hand_off(model, options)
        handoff = time.perf_counter() - started
        deadline = None if options.time_limit is None else started + options.time_limit
        result = _solve_stages(model, matrix, deadline)
    result.handoff_seconds = handoff
    result.solve_seconds = time.perf_counter() - started - handoff
    return result


def _solve_stages(model: AllocationModel, matrix: MatrixModel, deadline: float | None) -> SolveResult:
    solving()  # from here a first Ctrl-C or SIGTERM stops the solve and keeps its plan
    highs = matrix.highs
    stages: list[tuple[str, float]] = []
    values: np.ndarray | None = None
    gap: float | None = None
    plan: list[Stage | None] = list(model.stages) or [None]
    start: np.ndarray | None = None
    for number, stage in enumerate(plan):
        cost = np.zeros(matrix.num_col)
        if stage is not None:
            np.add.at(cost, _compiled(matrix, stage.cols), stage.coefs)
            largest = np.abs(cost).max(initial=0.0)
            if largest > 0:
                cost /= largest  # well-scaled costs for HiGHS; reported values use stage.coefs
        highs.changeColsCost(matrix.num_col, np.arange(matrix.num_col, dtype=np.int32), cost)
        if deadline is not None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 and values is not None:
                return SolveResult(Status.feasible, values, stages, gap,
                                   message="time limit reached before all stages were solved")
            highs.setOptionValue("time_limit", max(remaining, 0.01))
        if start is not None:
            _give_start(highs, start)
        run = run_highs(highs, deadline)
        if run.abandoned:  # HiGHS is still running: keep the plan of the stages already solved
            return SolveResult(Status.interrupted, values, stages if values is not None else [], gap,
                               message=STOPPED)
        cancelled = run.cancelled
        outcome, has_plan = read_highs(highs, cancelled)
        if has_plan:
            values = _column_values(highs, matrix, len(model.columns.vars))
            gap = _gap(highs)
            if stage is not None and stage.reported:
                stages.append((stage.name, stage_value(stage, values)))
        if outcome != Status.optimal:
            message = {"time": "time limit reached", "interrupt": STOPPED}.get(cancelled) or describe_highs(highs)
            if outcome in (Status.feasible, Status.interrupted) and values is not None:
                return SolveResult(outcome, values, stages, gap, message=message)
            if outcome == Status.interrupted:
                return SolveResult(Status.interrupted, None, stages, None, message=STOPPED)
            return SolveResult(outcome, None, [], None, message=message)
        if values is None:  # optimal without a plan: HiGHS broke its own promise
            return SolveResult(Status.no_solution, None, [], None, message="the solver reported no plan")
        if stage is not None and number < len(plan) - 1:
            if stop_requested():  # asked to stop as this stage ended: keep its plan
                return SolveResult(Status.interrupted, values, stages, gap, message=STOPPED)
            start = _hold_stage(highs, matrix, cost, values)
    return SolveResult(Status.optimal, values, stages, gap)


def _compiled(matrix: MatrixModel, cols: np.ndarray) -> np.ndarray:
    positions = matrix.positions[cols]
    if (positions < 0).any():
        raise RuntimeError("an objective uses a variable that no constraint mentions")
    return positions


def _column_values(highs: highspy.Highs, matrix: MatrixModel, total: int) -> np.ndarray:
    solution = np.asarray(highs.getSolution().col_value, dtype=float)
    if len(solution) < matrix.num_col:  # an empty model: nothing to decide
        solution = np.zeros(matrix.num_col)
    return matrix.column_values(solution, total)


def _gap(highs: highspy.Highs) -> float:
    info = highs.getInfo()
    gap = float(info.mip_gap)
    if not np.isfinite(gap) or info.mip_node_count < 0:
        return 0.0
    return max(gap, 0.0)


def _give_start(highs: highspy.Highs, start: np.ndarray) -> None:
    """Pass the previous stage's plan as a start (it satisfies every row of the next stage)."""
    solution = highspy.HighsSolution()
    solution.col_value = start.tolist()
    solution.value_valid = True
    highs.setSolution(solution)


def _hold_stage(highs: highspy.Highs, matrix: MatrixModel, cost: np.ndarray,
                values: np.ndarray) -> np.ndarray:
    """Add row cost . x <= optimum (+ tolerance); return the incumbent, the next stage's start."""
    compiled = np.flatnonzero(cost)
    solution = matrix.compiled(values)
    optimum = float(cost @ solution)
    limit = optimum + STAGE_TOLERANCE * max(1.0, abs(optimum))
    if len(compiled):
        highs.addRow(-highspy.kHighsInf, limit, len(compiled), compiled.astype(np.int32),
                     cost[compiled])
    return solution


__all__ = ["STAGE_TOLERANCE", "SolveResult", "solve"]
