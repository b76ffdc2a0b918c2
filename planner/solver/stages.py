"""Solve an allocation model with HiGHS, stage by stage (the lexicographic method).

The model is handed to HiGHS once, scaled (:func:`planner.solver.handoff.hand_off`);
the stages then re-solve in place: the finished stage's objective is held at its
optimum by one added row, the next stage's costs replace the old ones, and the
incumbent is passed on as a start. Each stage's plan is made exact before it is
reported or held: integer columns rounded (the continuous ones re-solved when that
moved them), and never the stale start HiGHS sometimes hands back.

Why the solver stopped and whether there is a plan are kept apart: a
:class:`SolveResult` always has a :class:`~planner.status.Status`, and an unknown or
error outcome is never reported as optimal. Ctrl-C or SIGTERM cancels HiGHS cleanly and
keeps the best plan found so far (that of the finished stages when HiGHS does not stop in
time, see :mod:`planner.solver.run`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from planner.model import AllocationModel, Stage
from planner.model.objectives import stage_value
from planner.solver.handoff import MatrixModel, SolverRefused, hand_off, solver_output_to_stderr
from planner.solver.options import SolveOptions
from planner.solver.run import run_highs
from planner.status import Status, describe_highs, read_highs, solving, stop_requested

#: Relative tolerance when a finished stage's optimum is held for the next stage.
STAGE_TOLERANCE = 1e-7
#: Integer columns further than this from an integer are rounded and the plan re-solved.
INTEGRALITY = 1e-9
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


def solve(model: AllocationModel, options: SolveOptions | None = None,
          progress: Progress | None = None) -> SolveResult:
    """Solve every stage of ``model`` in order and return the final plan."""
    options = options or SolveOptions()
    if model.trivially_infeasible:
        return SolveResult(Status.infeasible, message="; ".join(model.trivially_infeasible))
    started = time.perf_counter()
    try:
        solver = StageSolver(model, options)
    except SolverRefused as exc:
        return SolveResult(Status.no_solution, message=str(exc))
    result = solver.solve(deadline=None if options.time_limit is None else started + options.time_limit,
                          progress=progress)
    result.handoff_seconds = solver.handoff_seconds
    result.solve_seconds = time.perf_counter() - started - solver.handoff_seconds
    return result


#: Called while a stage runs with (stage name, best plan's value, bound, gap, seconds), values in the
#: stage's reported units (None until known).
Progress = Callable[[str, float | None, float | None, float | None, float], None]


class StageSolver:
    """One HiGHS instance for a built model, solved stage by stage as often as needed.

    Advisors that re-solve the same model (marginal values, frontier points) change row bounds
    in place (:meth:`set_row_bounds`, model units) and call :meth:`solve` again with the
    nearest plan as a start; rows a solve adds (the stage holds) are removed when it ends.
    """

    def __init__(self, model: AllocationModel, options: SolveOptions):
        started = time.perf_counter()
        with solver_output_to_stderr():
            self.matrix = hand_off(model, options)
        self.model = model
        self.options = options
        self.handoff_seconds = time.perf_counter() - started
        self.base_rows = self.matrix.highs.getNumRow()
        within = self.matrix.row_index if self.matrix.row_index is not None else np.zeros(0, dtype=np.int64)
        self._rows = {(f, int(i)): r for r, (f, i) in enumerate(zip(self.matrix.row_family, within))}

    def row_of(self, family: str, i: int) -> int | None:
        """HiGHS row of row ``i`` of constraint family ``family`` (None when the row has no terms)."""
        return self._rows.get((family, int(i)))

    def set_row_bounds(self, family: str, i: int, lower: float | None, upper: float | None) -> None:
        """Bounds of a family row in model units (None = unbounded on that side)."""
        row = self.row_of(family, i)
        if row is None:
            raise KeyError(f"{family}[{i}] is not a row of the model")
        factor = self.matrix.row_scale[row]
        self.matrix.highs.changeRowBounds(row, -highspy.kHighsInf if lower is None else lower * factor,
                                          highspy.kHighsInf if upper is None else upper * factor)

    def row_bounds(self, family: str, i: int) -> tuple[float | None, float | None]:
        """Current bounds of a family row in model units."""
        row = self.row_of(family, i)
        if row is None:
            raise KeyError(f"{family}[{i}] is not a row of the model")
        lp = self.matrix.highs.getLp()
        factor = self.matrix.row_scale[row]
        low, high = float(lp.row_lower_[row]), float(lp.row_upper_[row])
        return (None if low <= -highspy.kHighsInf else low / factor,
                None if high >= highspy.kHighsInf else high / factor)

    def solve(self, start: np.ndarray | None = None, deadline: float | None = None,
              progress: Progress | None = None,
              stop_when: Callable[[list[tuple[str, float]]], bool] | None = None) -> SolveResult:
        """Every stage in order from ``start`` (global column values; a plan that meets every rule).

        ``stop_when(stages)`` is asked after each stage; when it says so the later stages are
        not solved (the result lists the stages solved so far)."""
        started = time.perf_counter()
        highs = self.matrix.highs
        try:
            with solver_output_to_stderr():
                result = _solve_stages(self.model, self.matrix, deadline, start, progress, stop_when)
        finally:
            extra = highs.getNumRow() - self.base_rows
            if extra > 0:
                highs.deleteRows(extra, np.arange(self.base_rows, highs.getNumRow(), dtype=np.int32))
                del self.matrix.added_rows[:]
            for name in ("mip_heuristic_run_rins", "mip_heuristic_run_rens"):
                highs.setOptionValue(name, True)
        result.solve_seconds = time.perf_counter() - started
        return result


def _solve_stages(model: AllocationModel, matrix: MatrixModel, deadline: float | None,
                  values: np.ndarray | None = None, progress: Progress | None = None,
                  stop_when: Callable[[list[tuple[str, float]]], bool] | None = None) -> SolveResult:
    solving()  # from here a first Ctrl-C or SIGTERM stops the solve and keeps its plan
    highs = matrix.highs
    stages: list[tuple[str, float]] = []
    gap: float | None = None
    plan: list[Stage | None] = list(model.stages) or [None]
    if values is None:
        values = _empty_plan(model, matrix, deadline)
    for number, stage in enumerate(plan):
        cost, factor = _stage_costs(matrix, stage)
        if deadline is not None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 and values is not None and number > 0:
                return SolveResult(Status.feasible, values, stages, gap,
                                   message="time limit reached before all stages were solved")
            highs.setOptionValue("time_limit", max(remaining, 0.01))
        else:
            highs.setOptionValue("time_limit", highspy.kHighsInf)
        if values is not None:
            matrix.start(values)
            _with_a_start(highs)
        watch = _watcher(progress, stage, factor)
        run = run_highs(highs, deadline, watch)
        if run.abandoned:  # HiGHS is still running: keep the plan of the stages already solved
            return SolveResult(Status.interrupted, values, stages if values is not None else [], gap,
                               message=STOPPED)
        cancelled = run.cancelled
        outcome, has_plan = read_highs(highs, cancelled)
        if has_plan and values is not None and outcome == Status.optimal and _stale(highs, cost):
            # HiGHS can report the start it was given although it proved a better plan in the
            # presolved model (its primal bound is better than the start): solve again without it.
            highs.clearSolver()
            run = run_highs(highs, deadline, watch)
            if run.abandoned:
                return SolveResult(Status.interrupted, values, stages, gap, message=STOPPED)
            cancelled = run.cancelled
            outcome, has_plan = read_highs(highs, cancelled)
        if has_plan:
            values = _exact_plan(model, matrix, deadline)
            gap = _gap(highs)
            if stage is not None and stage.reported:
                stages.append((stage.name, stage_value(stage, values)))
        if outcome != Status.optimal:
            message = {"time": "time limit reached", "interrupt": STOPPED}.get(cancelled) or describe_highs(highs)
            if outcome in (Status.feasible, Status.interrupted) and values is not None and has_plan:
                return SolveResult(outcome, values, stages, gap, message=message)
            if outcome == Status.interrupted:
                return SolveResult(Status.interrupted, None, stages, None, message=STOPPED)
            return SolveResult(outcome, None, [], None, message=message)
        if values is None:  # optimal without a plan: HiGHS broke its own promise
            return SolveResult(Status.no_solution, None, [], None, message="the solver reported no plan")
        if stop_when is not None and stop_when(stages) and number < len(plan) - 1:
            return SolveResult(Status.optimal, values, stages, gap, message="later stages not solved")
        if stage is not None and number < len(plan) - 1:
            if stop_requested():  # asked to stop as this stage ended: keep its plan
                return SolveResult(Status.interrupted, values, stages, gap, message=STOPPED)
            _hold_stage(matrix, stage, values)
    return SolveResult(Status.optimal, values, stages, gap)


def _watcher(progress: Progress | None, stage: Stage | None, factor: float):
    """What run_highs reports while a stage runs, in the stage's reported units."""
    if progress is None:
        return None
    name = stage.name if stage is not None else "feasibility"
    sign = stage.sign if stage is not None else 1.0

    def watch(primal: float | None, dual: float | None, gap: float | None, seconds: float) -> None:
        def told(v: float | None) -> float | None:
            return None if v is None or not np.isfinite(v) else sign * v * factor
        progress(name, told(primal), told(dual), gap, seconds)

    return watch


def _with_a_start(highs: highspy.Highs) -> None:
    """Later stages start from the previous stage's plan, which meets every rule and is near the
    new optimum: HiGHS's large-neighbourhood heuristics (RINS, RENS) then mostly repeat work the
    start already did (measured: Uzbekistan 6.3-9.5 s -> 4.4-4.5 s, the small benchmark 6.0 -> 3.8 s,
    same optima); cuts and branching do the proving."""
    highs.setOptionValue("mip_heuristic_run_rins", False)
    highs.setOptionValue("mip_heuristic_run_rens", False)


def _stage_costs(matrix: MatrixModel, stage: Stage | None) -> tuple[np.ndarray, float]:
    """Set HiGHS's costs to ``stage`` (scaled, largest 1: well-scaled for HiGHS); return them and
    the factor that turns HiGHS's objective back into the stage's internal value."""
    cost = np.zeros(matrix.num_col)
    if stage is not None:
        cols, coefs = _compiled(matrix, stage.cols, stage.coefs)
        np.add.at(cost, cols, coefs)
    scaled = cost * matrix.col_scale[: matrix.num_col]
    largest = float(np.abs(scaled).max(initial=0.0))
    if largest > 0:
        scaled /= largest  # reported values use stage.coefs; only the optimum's place matters
    matrix.highs.changeColsCost(matrix.num_col, np.arange(matrix.num_col, dtype=np.int32), scaled)
    return scaled, largest if largest > 0 else 1.0


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
    solution = np.asarray(matrix.highs.getSolution().col_value, dtype=float)
    total = len(model.columns.vars)
    if len(solution) < matrix.num_col:  # an empty model: nothing to decide
        return matrix.column_values(np.zeros(matrix.num_col), total)
    integer = _integer_columns(matrix)
    rounded = np.round(solution[integer])
    if not len(integer) or np.abs(solution[integer] - rounded).max() <= INTEGRALITY:
        solution[integer] = rounded
        return matrix.column_values(solution, total)
    polished = _fixed_lp(matrix, integer, rounded, deadline)
    if polished is None:
        solution[integer] = rounded  # the LP did not finish: keep HiGHS's continuous values
        return matrix.column_values(solution, total)
    return matrix.column_values(polished, total)


def _empty_plan(model: AllocationModel, matrix: MatrixModel, deadline: float | None) -> np.ndarray | None:
    """The plan that starts only the mandatory projects (each at its earliest start), completed by
    the LP (money, shortfalls, balances), as the first stage's start: HiGHS then holds a plan from
    the beginning, however soon it is stopped. None when that plan breaks a rule (a hard goal, a
    mandatory project that cannot be paid then)."""
    starts = model.index.starts
    mandatory = starts["project"].map(model.index.projects["mandatory"]).to_numpy(dtype=bool)
    first = ~starts.duplicated("project").to_numpy()
    chosen = np.where(mandatory & first, 1.0, 0.0)
    x_cols = matrix.positions[model.columns.col("x", starts["x"])]
    present = x_cols >= 0
    integer = _integer_columns(matrix)
    others = np.setdiff1d(integer, x_cols[present])
    cols = np.concatenate([x_cols[present], others]).astype(np.int64)
    # Cluster roles and completions follow from the starts; fixed at 0 they would forbid a
    # mandatory cluster component, so they are left to the LP only when no start is chosen.
    if chosen.any() and len(others):
        cols = x_cols[present].astype(np.int64)
    values = np.concatenate([chosen[present], np.zeros(len(cols) - int(present.sum()))])
    plan = _fixed_lp(matrix, cols, values / matrix.col_scale[cols], deadline)
    if plan is None:
        return None
    integer_values = plan[integer]
    if len(integer) and np.abs(integer_values - np.round(integer_values)).max() > INTEGRALITY:
        return None  # the LP left a cluster or pair variable fractional: not a plan
    return matrix.column_values(plan, len(model.columns.vars))


def _integer_columns(matrix: MatrixModel) -> np.ndarray:
    return np.flatnonzero(matrix.integer) if matrix.integer is not None else np.zeros(0, dtype=np.int64)


def _fixed_lp(matrix: MatrixModel, cols: np.ndarray, values: np.ndarray, deadline: float | None) -> np.ndarray | None:
    """HiGHS's (scaled) column values with ``cols`` fixed at ``values`` (solver units) and the
    rest optimised with the current costs; None when that is infeasible or does not finish."""
    highs = matrix.highs
    lp = highs.getLp()
    lower = np.asarray(lp.col_lower_, dtype=float)[cols]
    upper = np.asarray(lp.col_upper_, dtype=float)[cols]
    index = np.asarray(cols, dtype=np.int32)
    highs.changeColsBounds(len(index), index, values, values)
    try:
        if deadline is not None:
            highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 1.0))
        run_highs(highs, None)
        status, has_plan = read_highs(highs)
        solution = np.asarray(highs.getSolution().col_value, dtype=float) if has_plan else None
    finally:
        highs.changeColsBounds(len(index), index, lower, upper)
    if solution is None or status != Status.optimal:
        return None
    solution[index] = values
    return solution


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
