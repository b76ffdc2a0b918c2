"""Hand a built model to HiGHS: Pyomo's standard-form compiler, scaling, then one ``passModel``.

The Pyomo model is compiled once to matrix form with Pyomo's
``LinearStandardFormCompiler`` and passed to a new HiGHS instance in one call (much
faster than row-by-row hand-off). The :class:`MatrixModel` keeps the map between the
model's global column numbers and HiGHS's columns, and for every HiGHS row the
constraint family and the row number within it, so that advisors can say what a row
means. HiGHS's C-level output never reaches stdout (kept for ``--json``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import highspy
import numpy as np
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from planner.model import AllocationModel
from planner.model.rows import paused_garbage_collection
from planner.solver.options import SolveOptions
from planner.solver.scaling import Scaling, equilibrate


class SolverRefused(RuntimeError):
    """HiGHS would not take the model (numbers it cannot represent)."""


@dataclass
class MatrixModel:
    """The model in matrix form, as handed to HiGHS (scaled, see :mod:`planner.solver.scaling`).

    Callers speak in the model's units: :meth:`set_costs`, :meth:`add_row`,
    :meth:`set_bounds` and :meth:`solution` apply the scaling; only these methods and
    the stages know that HiGHS's columns and rows are scaled.
    """

    highs: highspy.Highs
    positions: np.ndarray  # global column -> HiGHS column (-1 when absent)
    num_col: int
    row_family: list[str] = field(default_factory=list)  # HiGHS row -> constraint family id
    row_index: np.ndarray | None = None  # HiGHS row -> row number within its family
    scaling: Scaling | None = None
    integer: np.ndarray | None = None  # HiGHS column -> integer?
    added_rows: list[float] = field(default_factory=list)  # factor of each row added by add_row
    fixed: np.ndarray | None = None  # global column -> its value when fixed in Pyomo (NaN otherwise)

    @property
    def col_scale(self) -> np.ndarray:
        """Unit of every HiGHS column (including columns added after the hand-off: 1)."""
        n = self.highs.getNumCol()
        scale = np.ones(n)
        if self.scaling is not None:
            scale[: len(self.scaling.col)] = self.scaling.col
        return scale

    @property
    def row_scale(self) -> np.ndarray:
        """Factor of every HiGHS row (rows of the hand-off, then rows added by :meth:`add_row`)."""
        original = self.scaling.row if self.scaling is not None else np.ones(0)
        return np.concatenate([original, np.asarray(self.added_rows, dtype=float)])

    def row_duals(self) -> np.ndarray:
        """HiGHS's row duals in the model's units (objective units per unit of the row)."""
        return np.asarray(self.highs.getSolution().row_dual, dtype=float) * self.row_scale

    def column_values(self, solution: np.ndarray, total: int) -> np.ndarray:
        """Values of every global column from HiGHS's (scaled) column values (0 for absent columns)."""
        unscaled = np.asarray(solution, dtype=float)[: self.num_col] * self.col_scale[: self.num_col]
        values = np.zeros(total)
        present = self.positions >= 0
        values[present] = unscaled[self.positions[present]]
        if self.fixed is not None:
            fixed = ~np.isnan(self.fixed)
            values[fixed] = self.fixed[fixed]
        return values

    def compiled(self, values: np.ndarray) -> np.ndarray:
        """HiGHS's (scaled) column vector of global column ``values``."""
        solution = np.zeros(self.num_col)
        present = self.positions >= 0
        solution[self.positions[present]] = values[present]
        return solution / self.col_scale[: self.num_col]

    def solution(self) -> np.ndarray:
        """HiGHS's current column values in the model's units (all HiGHS columns)."""
        return np.asarray(self.highs.getSolution().col_value, dtype=float) * self.col_scale

    def set_costs(self, cost: np.ndarray) -> np.ndarray:
        """Costs of all HiGHS columns, given in model units per column; returns HiGHS's costs."""
        scaled = np.asarray(cost, dtype=float) * self.col_scale
        n = len(scaled)
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), scaled)
        return scaled

    def set_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds of HiGHS columns ``cols`` in model units."""
        cols = np.asarray(cols, dtype=np.int32)
        if len(cols):
            scale = self.col_scale[cols]
            self.highs.changeColsBounds(len(cols), cols, np.asarray(lower, float) / scale,
                                        np.asarray(upper, float) / scale)

    def add_row(self, cols: np.ndarray, coefs: np.ndarray, lower: float, upper: float) -> None:
        """Add lower <= sum coefs * x <= upper (model units), scaled to entries near 1."""
        cols = np.asarray(cols, dtype=np.int32)
        values = np.asarray(coefs, dtype=float) * self.col_scale[cols]
        largest = np.abs(values).max(initial=0.0)
        factor = float(2.0 ** -np.round(np.log2(largest))) if largest > 0 else 1.0
        self.highs.addRow(lower * factor, upper * factor, len(cols), cols, values * factor)
        self.added_rows.append(factor)

    def start(self, values: np.ndarray) -> None:
        """Pass global column ``values`` (model units) to HiGHS as a valid start."""
        solution = highspy.HighsSolution()
        start = np.zeros(self.highs.getNumCol())
        start[: self.num_col] = self.compiled(values)
        solution.col_value = start.tolist()
        solution.value_valid = True
        self.highs.setSolution(solution)


@contextlib.contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """Send HiGHS's C-level stdout (banner, log) to stderr, keeping stdout for --json."""
    try:
        stdout_fd = sys.__stdout__.fileno() if sys.__stdout__ else 1
        stderr_fd = sys.__stderr__.fileno() if sys.__stderr__ else 2
    except (AttributeError, OSError, ValueError):
        yield
        return
    for stream in (sys.stdout, sys.__stdout__):
        if stream is not None:
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
    with paused_garbage_collection():
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
        families = [con.parent_component().local_name for con, _ in form.rows]
        within = np.array([con.index() for con, _ in form.rows], dtype=np.int64)
    row_lower = np.where(senses <= 0, rhs, -highspy.kHighsInf)
    row_upper = np.where(senses >= 0, rhs, highspy.kHighsInf)
    original = form.A.tocsc()
    scaling = equilibrate(original, integer) if options.scale else Scaling.identity(*original.shape)
    a = scaling.matrix(original).tocsc()
    lower, upper = scaling.col_bounds(lower), scaling.col_bounds(upper)
    row_lower, row_upper = scaling.row_bounds(row_lower), scaling.row_bounds(row_upper)
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
    highs = new_highs(options.verbose)
    highs.setOptionValue("mip_rel_gap", float(options.mip_gap))
    if options.threads:
        highs.setOptionValue("threads", int(options.threads))
    for name, value in options.highs.items():
        highs.setOptionValue(name, value)
    with solver_output_to_stderr():
        passed = highs.passModel(lp)
    if passed == highspy.HighsStatus.kError:
        raise SolverRefused("HiGHS refused the model (a coefficient or bound it cannot represent)")
    fixed = np.array([v.value if v.fixed else np.nan for v in model.columns.vars], dtype=float)
    return MatrixModel(highs=highs, positions=positions, num_col=len(compiled),
                       row_family=families, row_index=within, scaling=scaling, integer=integer, fixed=fixed)


def new_highs(verbose: bool = False) -> highspy.Highs:
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


def _bound(value: float | None, default: float) -> float:
    return default if value is None else float(value)


__all__ = ["MatrixModel", "SolverRefused", "hand_off", "new_highs", "solver_output_to_stderr"]
