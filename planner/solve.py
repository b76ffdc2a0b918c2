"""Solve an allocation model with HiGHS, stage by stage.

The Pyomo model is compiled once to matrix form with Pyomo's
``LinearStandardFormCompiler`` and handed to highspy in one ``passModel`` call
(much faster than row-by-row hand-off). The lexicographic stages then re-solve
in place: the finished stage's objective is held at its optimum by one added
row, the next stage's costs replace the old ones, and the incumbent is passed
on as a start.

Why the solver stopped and whether there is a plan are kept apart: a
:class:`SolveResult` always has a ``status`` from a documented set, and an
unknown or error outcome is never reported as optimal. Ctrl-C cancels HiGHS
cleanly and keeps the best plan found so far.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from planner.formulation import AllocationModel
from planner.formulation.objectives import stage_value

log = logging.getLogger(__name__)

#: status -> process exit code (see README "Exit codes").
EXIT_CODES = {"optimal": 0, "feasible": 0, "infeasible": 3, "no_solution": 4, "interrupted": 130}

#: Seconds after the time limit at which a solve that ignores the clock is cancelled.
WATCHDOG_GRACE = 2.0

#: Relative tolerance when a finished stage's optimum is held for the next stage.
STAGE_TOLERANCE = 1e-7


@dataclass
class SolveOptions:
    mip_gap: float = 1e-4
    time_limit: float | None = None
    verbose: bool = False
    threads: int | None = None


@dataclass
class SolveResult:
    """What the solver found.

    status: optimal | feasible (stopped by the time limit with a plan) | infeasible |
        no_solution (stopped without a plan) | interrupted (Ctrl-C).
    values: value of every model column (global numbering), or None without a plan.
    stages: (name, value) of each finished stage, reported sense.
    """

    status: str
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
        return EXIT_CODES[self.status]


@dataclass
class MatrixModel:
    """The model in matrix form, as handed to HiGHS."""

    highs: highspy.Highs
    positions: np.ndarray  # global column -> HiGHS column (-1 when absent)
    num_col: int
    row_family: list[str] = field(default_factory=list)  # HiGHS row -> constraint family id
    row_index: np.ndarray | None = None  # HiGHS row -> row number within its family


def solve(model: AllocationModel, options: SolveOptions | None = None) -> SolveResult:
    """Solve every stage of ``model`` in order and return the final plan."""
    options = options or SolveOptions()
    if model.trivially_infeasible:
        return SolveResult("infeasible", message="; ".join(model.trivially_infeasible))
    started = time.perf_counter()
    with solver_output_to_stderr():
        with paused_garbage_collection():
            matrix = hand_off(model, options)
        handoff = time.perf_counter() - started
        deadline = None if options.time_limit is None else started + options.time_limit
        result = _solve_stages(model, matrix, options, deadline)
    result.handoff_seconds = handoff
    result.solve_seconds = time.perf_counter() - started - handoff
    return result


@contextlib.contextmanager
def paused_garbage_collection():
    """Pause Python's cyclic garbage collector while Pyomo creates many small objects.

    Building creates one object per variable and per nonzero, none of them garbage; the
    collector's repeated scans of them took three quarters of the build time on the
    large benchmark (25 s -> 6 s without them).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def solver_output_to_stderr():
    """Send HiGHS's C-level stdout (banner, log) to stderr, keeping stdout for --json."""
    try:
        stdout_fd = sys.__stdout__.fileno() if sys.__stdout__ else 1
        stderr_fd = sys.__stderr__.fileno() if sys.__stderr__ else 2
    except (AttributeError, OSError, ValueError):
        yield
        return
    for stream in (sys.stdout, sys.__stdout__):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = os.dup(stdout_fd)
    try:
        os.dup2(stderr_fd, stdout_fd)
        yield
    finally:
        os.dup2(saved, stdout_fd)
        os.close(saved)


def hand_off(model: AllocationModel, options: SolveOptions) -> MatrixModel:
    """Compile the Pyomo model to matrix form and pass it to a new HiGHS instance."""
    form = LinearStandardFormCompiler().write(model.model, mixed_form=True)
    index_of = {id(v): i for i, v in enumerate(model.columns.vars)}
    compiled = np.fromiter((index_of[id(v)] for v in form.columns), dtype=np.int64,
                           count=len(form.columns))
    positions = np.full(len(model.columns.vars), -1, dtype=np.int64)
    positions[compiled] = np.arange(len(compiled))
    lower = np.array([_bound(v.lb, -highspy.kHighsInf) for v in form.columns])
    upper = np.array([_bound(v.ub, highspy.kHighsInf) for v in form.columns])
    integer = np.array([v.is_integer() for v in form.columns], dtype=bool)
    senses = np.array([sense for _, sense in form.rows], dtype=np.int64)
    rhs = np.asarray(form.rhs, dtype=float)
    row_lower = np.where(senses <= 0, rhs, -highspy.kHighsInf)
    row_upper = np.where(senses >= 0, rhs, highspy.kHighsInf)
    a = form.A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = len(compiled)
    lp.num_row_ = len(senses)
    lp.col_cost_ = np.zeros(len(compiled))
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    highs = _new_highs(options.verbose)
    highs.setOptionValue("mip_rel_gap", float(options.mip_gap))
    if options.threads:
        highs.setOptionValue("threads", int(options.threads))
    highs.passModel(lp)
    families = [con.parent_component().local_name for con, _ in form.rows]
    within = np.array([con.index() for con, _ in form.rows], dtype=np.int64)
    return MatrixModel(highs=highs, positions=positions, num_col=len(compiled),
                       row_family=families, row_index=within)


def _new_highs(verbose: bool) -> highspy.Highs:
    """A HiGHS instance; its start-up banner is silenced unless ``verbose``."""
    if verbose:
        return highspy.Highs()
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1)
    try:
        os.dup2(devnull, 1)
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    return highs


def _bound(value, default: float) -> float:
    return default if value is None else float(value)


def _solve_stages(model: AllocationModel, matrix: MatrixModel, options: SolveOptions,
                  deadline: float | None) -> SolveResult:
    highs = matrix.highs
    stages: list[tuple[str, float]] = []
    values: np.ndarray | None = None
    gap: float | None = None
    plan = model.stages or [None]
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
                return SolveResult("feasible", values, stages, gap,
                                   message="time limit reached before all stages were solved")
            highs.setOptionValue("time_limit", max(remaining, 0.01))
        if start is not None:
            _give_start(highs, start)
        status, cancelled = _run(highs, deadline)
        outcome = _outcome(highs, status, cancelled)
        new_values = _column_values(highs, matrix, len(model.columns.vars))
        if new_values is not None:
            values = new_values
            gap = _gap(highs)
            if stage is not None and stage.reported:
                stages.append((stage.name, stage_value(stage, values)))
        if outcome != "optimal":
            message = "time limit reached" if cancelled == "time" else _message(highs)
            if outcome in ("feasible", "interrupted") and values is not None:
                return SolveResult(outcome, values, stages, gap, message=message)
            if outcome == "interrupted":
                return SolveResult("interrupted", None, stages, None, message="stopped by Ctrl-C")
            return SolveResult(outcome, None, [], None, message=message)
        if stage is not None and number < len(plan) - 1:
            start = _hold_stage(highs, matrix, stage, cost, values)
    return SolveResult("optimal", values, stages, gap)


def _compiled(matrix: MatrixModel, cols: np.ndarray) -> np.ndarray:
    positions = matrix.positions[cols]
    if (positions < 0).any():
        raise RuntimeError("an objective uses a variable that no constraint mentions")
    return positions


def _run(highs: highspy.Highs, deadline: float | None = None) -> tuple[highspy.HighsStatus | None, str]:
    """Run HiGHS in its own thread so that Ctrl-C cancels it and keeps the incumbent.

    Returns the HiGHS status and why it was cancelled: "" (not cancelled), "interrupt"
    (Ctrl-C) or "time" (a watchdog: some HiGHS phases, such as presolve of a very large
    model, do not look at the clock; they are cancelled shortly after the deadline).
    """
    highs.HandleKeyboardInterrupt = True
    cancelled = ""
    highs.startSolve()
    while True:
        try:
            done, status = highs.wait(0.1)
            if done:
                return status, cancelled
            if deadline is not None and not cancelled and time.perf_counter() > deadline + WATCHDOG_GRACE:
                cancelled = "time"
                highs.cancelSolve()
        except KeyboardInterrupt:
            cancelled = "interrupt"
            highs.cancelSolve()


def _outcome(highs: highspy.Highs, status, cancelled: str) -> str:
    """Map HiGHS's model status to the planner's status words."""
    ms = highs.getModelStatus()
    S = highspy.HighsModelStatus
    has_solution = highs.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    if ms == S.kOptimal:
        return "optimal"
    if ms in (S.kInfeasible,):
        return "infeasible"
    if cancelled == "interrupt":
        return "interrupted"
    if ms in (S.kTimeLimit, S.kIterationLimit, S.kSolutionLimit, S.kObjectiveBound,
              S.kObjectiveTarget, S.kMemoryLimit, S.kInterrupt) and has_solution:
        return "feasible"
    if ms == S.kInterrupt and not cancelled:
        return "interrupted"
    if ms == S.kUnboundedOrInfeasible:
        return "infeasible"
    return "no_solution"


def _message(highs: highspy.Highs) -> str:
    return highs.modelStatusToString(highs.getModelStatus())


def _column_values(highs: highspy.Highs, matrix: MatrixModel, total: int) -> np.ndarray | None:
    if highs.getInfo().primal_solution_status != 2:
        return None
    solution = np.asarray(highs.getSolution().col_value, dtype=float)
    values = np.zeros(total)
    present = matrix.positions >= 0
    values[present] = solution[matrix.positions[present]]
    return values


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


def _hold_stage(highs: highspy.Highs, matrix: MatrixModel, stage, cost: np.ndarray,
                values: np.ndarray) -> np.ndarray:
    """Add row cost . x <= optimum (+ tolerance); return the incumbent, the next stage's start."""
    compiled = np.flatnonzero(cost)
    solution = np.zeros(matrix.num_col)
    present = matrix.positions >= 0
    solution[matrix.positions[present]] = values[present]
    optimum = float(cost @ solution)
    limit = optimum + STAGE_TOLERANCE * max(1.0, abs(optimum))
    if len(compiled):
        highs.addRow(-highspy.kHighsInf, limit, len(compiled), compiled.astype(np.int32),
                     cost[compiled])
    return solution
