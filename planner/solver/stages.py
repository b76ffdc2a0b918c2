"""Solve an allocation model with HiGHS, stage by stage (the lexicographic method).

The model is handed to HiGHS once, scaled (:func:`planner.solver.handoff.hand_off`);
the stages then re-solve in place: the finished stage's objective is held at its
optimum by one added row, the next stage's costs replace the old ones, and the
incumbent is passed on as a start. Each stage's plan is made exact before it is
reported or held: integer columns rounded (the continuous ones re-solved when that
moved them), and never the stale start HiGHS sometimes hands back.

Why the solver stopped and whether there is a plan are kept apart: a
:class:`SolveResult` always has a :class:`~planner.status.Status`, and an unknown or
error outcome is never reported as optimal. Ctrl-C cancels HiGHS cleanly and keeps
the best plan found so far.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from planner.model import AllocationModel, Stage
from planner.model.objectives import stage_value
from planner.solver.handoff import MatrixModel, SolverRefused, hand_off, solver_output_to_stderr
from planner.solver.options import SolveOptions
from planner.solver.run import run_highs
from planner.status import Status, describe_highs, read_highs

#: Relative tolerance when a finished stage's optimum is held for the next stage.
STAGE_TOLERANCE = 1e-7
#: Integer columns further than this from an integer are rounded and the plan re-solved.
INTEGRALITY = 1e-9


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
        try:
            matrix = hand_off(model, options)
        except SolverRefused as exc:
            return SolveResult(Status.no_solution, message=str(exc))
        handoff = time.perf_counter() - started
        deadline = None if options.time_limit is None else started + options.time_limit
        result = _solve_stages(model, matrix, deadline)
    result.handoff_seconds = handoff
    result.solve_seconds = time.perf_counter() - started - handoff
    return result


def _solve_stages(model: AllocationModel, matrix: MatrixModel, deadline: float | None) -> SolveResult:
    highs = matrix.highs
    stages: list[tuple[str, float]] = []
    values: np.ndarray | None = None
    gap: float | None = None
    plan: list[Stage | None] = list(model.stages) or [None]
    for number, stage in enumerate(plan):
        cost = _stage_costs(matrix, stage)
        if deadline is not None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 and values is not None:
                return SolveResult(Status.feasible, values, stages, gap,
                                   message="time limit reached before all stages were solved")
            highs.setOptionValue("time_limit", max(remaining, 0.01))
        if values is not None:
            matrix.start(values)
        cancelled = run_highs(highs, deadline)
        outcome, has_plan = read_highs(highs, cancelled)
        if has_plan and values is not None and outcome == Status.optimal and _stale(highs, cost):
            # HiGHS can report the start it was given although it proved a better plan in the
            # presolved model (its primal bound is better than the start): solve again without it.
            highs.clearSolver()
            cancelled = run_highs(highs, deadline)
            outcome, has_plan = read_highs(highs, cancelled)
        if has_plan:
            values = _exact_plan(model, matrix, deadline)
            gap = _gap(highs)
            if stage is not None and stage.reported:
                stages.append((stage.name, stage_value(stage, values)))
        if outcome != Status.optimal:
            message = "time limit reached" if cancelled == "time" else describe_highs(highs)
            if outcome in (Status.feasible, Status.interrupted) and values is not None:
                return SolveResult(outcome, values, stages, gap, message=message)
            if outcome == Status.interrupted:
                return SolveResult(Status.interrupted, None, stages, None, message="stopped by Ctrl-C")
            return SolveResult(outcome, None, [], None, message=message)
        if values is None:  # optimal without a plan: HiGHS broke its own promise
            return SolveResult(Status.no_solution, None, [], None, message="the solver reported no plan")
        if stage is not None and number < len(plan) - 1:
            _hold_stage(matrix, stage, values)
    return SolveResult(Status.optimal, values, stages, gap)


def _stage_costs(matrix: MatrixModel, stage: Stage | None) -> np.ndarray:
    """Set HiGHS's costs to ``stage`` (scaled, largest 1: well-scaled for HiGHS); return them."""
    cost = np.zeros(matrix.num_col)
    if stage is not None:
        cols, coefs = _compiled(matrix, stage.cols, stage.coefs)
        np.add.at(cost, cols, coefs)
    scaled = cost * matrix.col_scale[: matrix.num_col]
    largest = np.abs(scaled).max(initial=0.0)
    if largest > 0:
        scaled /= largest  # reported values use stage.coefs; only the optimum's place matters
    matrix.highs.changeColsCost(matrix.num_col, np.arange(matrix.num_col, dtype=np.int32), scaled)
    return scaled


def _stale(highs: highspy.Highs, cost: np.ndarray) -> bool:
    """Whether the solution HiGHS hands back scores worse than the primal bound it reports."""
    solution = np.asarray(highs.getSolution().col_value, dtype=float)
    if len(solution) != len(cost):
        return False
    reported = float(highs.getInfo().objective_function_value)
    return float(cost @ solution) > reported + 1e-9 * max(1.0, abs(reported))


def _exact_plan(model: AllocationModel, matrix: MatrixModel, deadline: float | None) -> np.ndarray:
    """The incumbent with its integer columns rounded, the continuous ones made consistent.

    HiGHS accepts integer values within 1e-6 of an integer (x = 1 - 1e-8); a stage's value
    taken from such a plan is not the value of the plan a person reads. When any integer
    column is off, the integers are fixed at their rounded values and the LP that is left
    (payments, balances, shortfalls) is solved with the same costs; the plan returned is
    the rounded one, exactly.
    """
    highs = matrix.highs
    solution = np.asarray(highs.getSolution().col_value, dtype=float)
    if len(solution) < matrix.num_col:  # an empty model: nothing to decide
        return matrix.column_values(np.zeros(matrix.num_col), len(model.columns.vars))
    integer = np.flatnonzero(matrix.integer) if matrix.integer is not None else np.zeros(0, dtype=int)
    rounded = np.round(solution[integer])
    if not len(integer) or np.abs(solution[integer] - rounded).max() <= INTEGRALITY:
        solution[integer] = rounded
        return matrix.column_values(solution, len(model.columns.vars))
    lp = highs.getLp()
    lower = np.asarray(lp.col_lower_, dtype=float)[integer]
    upper = np.asarray(lp.col_upper_, dtype=float)[integer]
    cols = integer.astype(np.int32)
    highs.changeColsBounds(len(cols), cols, rounded, rounded)
    try:
        if deadline is not None:
            highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 1.0))
        run_highs(highs, None)
        status, has_plan = read_highs(highs)
        polished = np.asarray(highs.getSolution().col_value, dtype=float) if has_plan else None
    finally:
        highs.changeColsBounds(len(cols), cols, lower, upper)
    if polished is None or status != Status.optimal:
        solution[integer] = rounded  # the LP did not finish: keep HiGHS's continuous values
        return matrix.column_values(solution, len(model.columns.vars))
    polished[integer] = rounded
    return matrix.column_values(polished, len(model.columns.vars))


def _compiled(matrix: MatrixModel, cols: np.ndarray, coefs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HiGHS columns and coefficients of a stage; columns fixed in Pyomo are constants, left out."""
    positions = matrix.positions[cols]
    absent = positions < 0
    fixed = ~np.isnan(matrix.fixed[cols]) if matrix.fixed is not None else np.zeros(len(cols), dtype=bool)
    if (absent & ~fixed).any():
        raise RuntimeError("an objective uses a variable that no constraint mentions")
    return positions[~absent], coefs[~absent]


def _gap(highs: highspy.Highs) -> float:
    info = highs.getInfo()
    gap = float(info.mip_gap)
    if not np.isfinite(gap) or info.mip_node_count < 0:
        return 0.0
    return max(gap, 0.0)


def _hold_stage(matrix: MatrixModel, stage: Stage, values: np.ndarray) -> None:
    """Hold the finished stage at its optimum for the next ones: stage <= optimum (1 + 1e-7).

    The optimum is the stage's value of the exact (rounded) plan, and the room is relative to
    it alone: an optimum of 0 is held at 0, one of 1e-5 at 1e-5 (1 + 1e-7), whatever the units.
    Columns fixed in Pyomo are constants of the row.
    """
    optimum = float(np.dot(stage.coefs, values[stage.cols]))
    present = matrix.positions[stage.cols] >= 0
    constant = float(np.dot(stage.coefs[~present], values[stage.cols[~present]]))
    cost = np.zeros(matrix.num_col)
    np.add.at(cost, matrix.positions[stage.cols[present]], stage.coefs[present])
    cols = np.flatnonzero(cost)
    if len(cols):
        matrix.add_row(cols, cost[cols], -highspy.kHighsInf, optimum + STAGE_TOLERANCE * abs(optimum) - constant)


__all__ = ["STAGE_TOLERANCE", "SolveResult", "solve"]
