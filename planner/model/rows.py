"""Assemble Pyomo constraints from vectorised term arrays.

A constraint family is given as arrays of terms (row number, column, coefficient)
plus per-row bounds. Terms are grouped per row in one sort, and each row becomes
one ``LinearExpression`` built directly from its coefficient and variable lists,
which avoids Pyomo's quadratic-time ``sum`` of many small expressions.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from numpy.typing import ArrayLike
from pyomo.core.expr.numeric_expr import LinearExpression

#: A row bound that is absent ("no lower bound", "no upper bound") in the bound arrays of a family.
NONE = np.nan


@contextlib.contextmanager
def paused_garbage_collection() -> Iterator[None]:
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


@dataclass
class Columns:
    """All decision variables of the model, addressed by one global column number."""

    vars: list = field(default_factory=list)
    offsets: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, component: pyo.Var) -> None:
        self.offsets[name] = len(self.vars)
        self.vars.extend(component.values())

    def col(self, name: str, local: np.ndarray | pd.Series) -> np.ndarray:
        """Global column numbers of variables ``name[local]``."""
        return np.asarray(local, dtype=np.int64) + self.offsets[name]


@dataclass
class Terms:
    """Terms of one constraint family: row, global column, coefficient."""

    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    coefs: list[np.ndarray] = field(default_factory=list)

    def add(self, rows: ArrayLike, cols: ArrayLike, coefs: ArrayLike) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self.rows.append(rows)
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.coefs.append(np.broadcast_to(np.asarray(coefs, dtype=float), rows.shape))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        return np.concatenate(self.rows), np.concatenate(self.cols), np.concatenate(self.coefs)


def add_constraint(model: pyo.ConcreteModel, name: str, columns: Columns, terms: Terms,
                   lower: np.ndarray, upper: np.ndarray, doc: str) -> tuple[np.ndarray, np.ndarray]:
    """Add ``lower[i] <= sum(terms of row i) <= upper[i]`` for every row i.

    Bounds use NaN for "none". Terms on the same (row, column) are summed.
    Rows without any term are not added: such a row is the constant 0, always true or never.
    Returns the rows that can never hold (0 outside their bounds) and by how much they miss.
    """
    row, col, coef = terms.arrays()
    n = len(lower)
    if n == 0:
        setattr(model, name, pyo.Constraint(pyo.Any, doc=doc))
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    frame = pd.DataFrame({"row": row, "col": col, "coef": coef})
    frame = frame.groupby(["row", "col"], sort=True)["coef"].sum().reset_index()
    frame = frame[frame["coef"] != 0]
    row_ids = frame["row"].to_numpy()
    bounds = np.searchsorted(row_ids, np.arange(n + 1))
    cols = frame["col"].to_numpy()
    coefs = frame["coef"].to_numpy()
    all_vars = columns.vars
    index = [i for i in range(n) if bounds[i + 1] > bounds[i]]
    lows = [None if np.isnan(v) else float(v) for v in lower]
    ups = [None if np.isnan(v) else float(v) for v in upper]

    def rule(m: pyo.ConcreteModel, i: int) -> tuple[float | None, LinearExpression, float | None]:
        a, b = bounds[i], bounds[i + 1]
        expr = LinearExpression(linear_coefs=coefs[a:b].tolist(),
                                linear_vars=[all_vars[c] for c in cols[a:b]])
        return (lows[i], expr, ups[i])

    setattr(model, name, pyo.Constraint(index, rule=rule, doc=doc))
    return _never_true(bounds, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))


def _never_true(bounds: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows without terms whose bounds exclude 0 (beyond 1e-9 of the bound), and the miss."""
    empty = bounds[1:] == bounds[:-1]
    low = np.nan_to_num(lower, nan=-np.inf)
    high = np.nan_to_num(upper, nan=np.inf)
    miss = np.maximum(np.where(low > 0, low, 0.0), np.where(high < 0, -high, 0.0))
    tolerance = 1e-9 * np.maximum(np.abs(np.where(np.isfinite(low), low, 0.0)),
                                  np.abs(np.where(np.isfinite(high), high, 0.0)))
    violated = np.flatnonzero(empty & (miss > tolerance))
    return violated, miss[violated]


def linear_objective(columns: Columns, cols: np.ndarray, coefs: np.ndarray) -> LinearExpression:
    """sum(coef * var) over the given global columns (duplicates summed)."""
    frame = pd.DataFrame({"col": cols, "coef": coefs}).groupby("col")["coef"].sum()
    frame = frame[frame != 0]
    return LinearExpression(linear_coefs=frame.to_numpy().tolist(),
                            linear_vars=[columns.vars[c] for c in frame.index])


#: Columns every family's row-meaning frame carries (see :func:`declare`).
MEANING_COLUMNS = ("rule_key", "relax", "rule_side", "sheet", "excel_row")


def declare(meaning: pd.DataFrame, sheet: str | ArrayLike, excel_row: ArrayLike | None,
            rule_key: list | None = None, relax: float | ArrayLike = 0.0,
            rule_side: list | None = None) -> pd.DataFrame:
    """What each row of a constraint family means in workbook terms, one frame row per model row.

    rule_key: the planner rule the row belongs to, e.g. ("budget", fund, scope, year) or
        ("goal", "G3"); None for a definition (a row that only ties variables together,
        which no planner changes).
    relax: coefficient of a nonnegative slack that loosens the row in the rule's own
        units (+1 on a row with a lower bound, -1 on one with an upper bound); 0 when the
        row cannot be relaxed (a definition, a soft goal that has its own shortfall).
    rule_side: when the rule is only one side of a two-sided row ("lower" for a mandatory
        project's one_start row: at most once is a definition, at least once the rule).
    sheet, excel_row: where a planner finds the rule (or what a definition is about).
    """
    n = len(meaning)
    frame = meaning.reset_index(drop=True).copy()
    frame["rule_key"] = _column(rule_key, n, object)
    frame["relax"] = np.broadcast_to(np.asarray(relax, dtype=float), (n,)).copy() if n else np.zeros(0)
    frame["rule_side"] = _column(rule_side, n, object)
    frame["sheet"] = _column(sheet, n, object)
    frame["excel_row"] = _column(excel_row, n, object)
    return frame


def bound_relax(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """+1 for rows with only a lower bound, -1 with only an upper bound, 0 otherwise."""
    has_lower, has_upper = ~np.isnan(lower), ~np.isnan(upper)
    return np.where(has_lower & ~has_upper, 1.0, np.where(has_upper & ~has_lower, -1.0, 0.0))


def _column(value: object, n: int, dtype: type) -> np.ndarray:
    """A per-row value: a scalar repeated, or a sequence of n values (tuples kept whole)."""
    column: np.ndarray = np.empty(n, dtype=dtype)
    if isinstance(value, (list, np.ndarray, pd.Series, pd.Index)):
        values = list(value)
        if len(values) != n:
            raise ValueError(f"{len(values)} values for {n} rows")
        for i, v in enumerate(values):
            column[i] = None if v is None or (isinstance(v, float) and np.isnan(v)) else v
    else:
        column[:] = [value] * n
    return column
