"""Hand a built model to HiGHS: Pyomo's standard-form compiler, then one ``passModel``.

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


@dataclass
class MatrixModel:
    """The model in matrix form, as handed to HiGHS."""

    highs: highspy.Highs
    positions: np.ndarray  # global column -> HiGHS column (-1 when absent)
    num_col: int
    row_family: list[str] = field(default_factory=list)  # HiGHS row -> constraint family id
    row_index: np.ndarray | None = None  # HiGHS row -> row number within its family

    def column_values(self, solution: np.ndarray, total: int) -> np.ndarray:
        """Values of every global column from HiGHS's column values (0 for absent columns)."""
        values = np.zeros(total)
        present = self.positions >= 0
        values[present] = solution[self.positions[present]]
        return values

    def compiled(self, values: np.ndarray) -> np.ndarray:
        """HiGHS's column vector of global column ``values``."""
        solution = np.zeros(self.num_col)
        present = self.positions >= 0
        solution[self.positions[present]] = values[present]
        return solution


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
    highs = new_highs(options.verbose)
    highs.setOptionValue("mip_rel_gap", float(options.mip_gap))
    if options.threads:
        highs.setOptionValue("threads", int(options.threads))
    with solver_output_to_stderr():
        highs.passModel(lp)
    return MatrixModel(highs=highs, positions=positions, num_col=len(compiled),
                       row_family=families, row_index=within)


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


__all__ = ["MatrixModel", "hand_off", "new_highs", "solver_output_to_stderr"]
