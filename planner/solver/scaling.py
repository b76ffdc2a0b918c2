"""Scale the model for HiGHS so that the answer does not depend on the workbook's units.

A planner may write money in som, thousand som or million USD, populations in persons
or millions, GRP in som or in billions. The model keeps the workbook's units (every
reported value is in them); HiGHS sees a scaled copy: every row i multiplied by r_i
and every continuous column j measured in units of s_j (x_j = s_j x'_j), so that the
matrix entries are near 1 whatever the units:

    A' = R A S,   row bounds R b,   column bounds b / s,   costs S c.

Integer columns keep s_j = 1 (a start is 0 or 1 in any unit). The factors come from
the data alone (Curtis and Reid's least-squares scaling of the log entries, then a
few geometric-mean passes) and are rounded to powers of two, so that scaling and
unscaling are exact in floating point. HiGHS's absolute tolerances (1e-7 on rows,
1e-6 on integrality) are then relative to each row's own magnitude. This module is
the one place where the planner scales for the solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

#: Geometric-mean passes (rows then columns) after the least-squares factors.
PASSES = 2
#: Factors are clipped to 2**-LIMIT ... 2**LIMIT (beyond that the data are absurd, and validation says so).
LIMIT = 200


@dataclass
class Scaling:
    """Row factors ``row`` (r_i) and column units ``col`` (s_j, 1 for integer columns)."""

    row: np.ndarray
    col: np.ndarray

    @classmethod
    def identity(cls, num_row: int, num_col: int) -> Scaling:
        return cls(np.ones(num_row), np.ones(num_col))

    def matrix(self, a: sp.csc_matrix) -> sp.csc_matrix:
        """R A S."""
        return sp.diags(self.row) @ a @ sp.diags(self.col)

    def row_bounds(self, bounds: np.ndarray) -> np.ndarray:
        return bounds * self.row

    def col_bounds(self, bounds: np.ndarray) -> np.ndarray:
        return bounds / self.col

    def costs(self, cost: np.ndarray) -> np.ndarray:
        """Costs of the scaled columns (c'_j = s_j c_j), so that c' x' = c x."""
        return cost * self.col

    def to_model(self, solution: np.ndarray) -> np.ndarray:
        """Column values in the model's (workbook's) units: x = S x'."""
        return solution * self.col

    def to_solver(self, values: np.ndarray) -> np.ndarray:
        """Column values in HiGHS's units: x' = x / S."""
        return values / self.col


def equilibrate(a: sp.csc_matrix, integer: np.ndarray, passes: int = PASSES) -> Scaling:
    """Power-of-two row and column factors that bring the entries of ``a`` near 1.

    First Curtis and Reid's least-squares scaling: log-factors rho_i (rows) and gamma_j
    (continuous columns; 0 for integer ones) minimising sum (log2 |a_ij| + rho_i + gamma_j)^2,
    solved with LSQR on the sparse incidence matrix (a few matrix products however far the
    units are from 1: money in som next to binary starts is 40 doublings away). Then a few
    passes of geometric-mean equilibration narrow the largest spread left in any row or
    column.
    """
    num_row, num_col = a.shape
    scaling = Scaling.identity(num_row, num_col)
    if a.nnz == 0:
        return scaling
    by_row = abs(a.tocsr()).astype(float)
    by_row.eliminate_zeros()
    log_entries = np.log2(by_row.data)
    rows = np.repeat(np.arange(num_row), np.diff(by_row.indptr))
    cols = by_row.indices
    continuous = ~np.asarray(integer, dtype=bool)
    log_row, log_col = _least_squares(log_entries, rows, cols, num_row, num_col, continuous)
    row_groups = _Groups(by_row.indptr)
    order = np.argsort(cols, kind="stable")
    col_groups = _Groups(np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=num_col))]), order)
    for _ in range(passes):
        log_row -= row_groups.midrange(log_entries + log_row[rows] + log_col[cols])
        log_col -= np.where(continuous, col_groups.midrange(log_entries + log_row[rows] + log_col[cols]), 0.0)
    scaling.row = np.exp2(np.clip(np.round(log_row), -LIMIT, LIMIT))
    scaling.col = np.exp2(np.clip(np.round(log_col), -LIMIT, LIMIT))
    return scaling


def _least_squares(log_entries: np.ndarray, rows: np.ndarray, cols: np.ndarray, num_row: int, num_col: int,
                   continuous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Curtis-Reid log-factors by LSQR: min sum_k (log a_k + rho_row(k) + gamma_col(k))^2."""
    free = np.flatnonzero(continuous)
    position = np.full(num_col, -1)
    position[free] = np.arange(len(free))
    k = np.arange(len(log_entries))
    scaled_col = position[cols] >= 0
    incidence = sp.csr_matrix(
        (np.ones(len(k) + int(scaled_col.sum())),
         (np.concatenate([k, k[scaled_col]]), np.concatenate([rows, num_row + position[cols[scaled_col]]]))),
        shape=(len(k), num_row + len(free)))
    solution = lsqr(incidence, -log_entries, atol=1e-6, btol=1e-6, iter_lim=500)[0]
    log_col = np.zeros(num_col)
    log_col[free] = solution[num_row:]
    return solution[:num_row], log_col


class _Groups:
    """Entries grouped by row (CSR order) or by column (through a permutation), for reductions."""

    def __init__(self, indptr: np.ndarray, order: np.ndarray | None = None):
        self.order = order
        self.count = len(indptr) - 1
        self.nonempty = np.flatnonzero(np.diff(indptr) > 0)
        self.starts = indptr[:-1][self.nonempty]

    def midrange(self, values: np.ndarray) -> np.ndarray:
        """(max + min) / 2 per group, 0 for empty groups: the log of the geometric mean of the
        largest and smallest entry."""
        ordered = values if self.order is None else values[self.order]
        middle = np.zeros(self.count)
        if len(self.starts):
            high = np.maximum.reduceat(ordered, self.starts)
            low = np.minimum.reduceat(ordered, self.starts)
            middle[self.nonempty] = (high + low) / 2
        return middle


__all__ = ["Scaling", "equilibrate"]
