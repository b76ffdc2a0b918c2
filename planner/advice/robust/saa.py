"""The robust plan: one plan for all samples, by sample average approximation (models/robust.md, section 4).

The deterministic model is handed to HiGHS once and extended in place: its columns (every
plan variable, every budget, rule and definition row) are shared by all samples, and only
per-sample outcome rows are added: for each goal whose level depends on a varying parameter
and each sample s, the goal row with the sample's coefficients and, when soft, its own
shortfall u[g,s]; for a measure that needs them, one row per sample and stage:

* expected: the stage's mean over the samples (costs u[g,s] / S, or the mean benefit
  coefficients): no rows;
* worst: t >= L_s (losses: a priority's scored shortfall) or t <= B_s (benefit), stage t;
* cvar: Rockafellar-Uryasev, eta + sum_s z_s / (alpha S) with z_s >= L_s - eta, z_s >= 0 (for
  a loss), or eta - sum_s z_s / (alpha S) with z_s >= eta - B_s (benefit, the lower tail).

Budgets and every other rule stay as they are (they hold in every sample because they do not
depend on the samples), and the goal rows at the point estimates stay too, so the robust
plan's value at the point estimates is read from the same model. The stages are then solved
lexicographically in that same HiGHS instance (:class:`planner.solver.StageSolver`) from the
deterministic plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np

from planner.advice.robust.outcomes import Outcomes, outcomes
from planner.advice.robust.samples_solve import BENEFIT_STAGES, start_for
from planner.advice.robust.sampling import Parameters, parameters
from planner.model import AllocationModel, Stage, build_model
from planner.model.rows import Columns
from planner.scenario import Scenario
from planner.solver import SolveOptions, SolveResult, StageSolver
from planner.solver.scaling import Scaling

MEASURES = ("cvar", "expected", "worst")


@dataclass
class SampleModel:
    """The extended model: ``model`` (original columns, then the new ones), its stages, and the size
    of the HiGHS model before and after the extension (rows, columns, nonzeros)."""

    model: AllocationModel
    original: AllocationModel
    solver: StageSolver
    start: np.ndarray | None
    before: tuple[int, int, int]
    after: tuple[int, int, int]
    sample_stages: list[str] = field(default_factory=list)


class _Builder:
    """New HiGHS columns and rows in model units, scaled when added."""

    def __init__(self, solver: StageSolver):
        self.solver = solver
        self.matrix = solver.matrix
        self.first = self.matrix.highs.getNumCol()
        self.col_lower: list[float] = []
        self.col_upper: list[float] = []
        self.col_unit: list[float] = []
        self.rows: list[tuple[np.ndarray, np.ndarray, float, float]] = []

    def column(self, lower: float, upper: float, unit: float = 1.0) -> int:
        """A new HiGHS column; returns its HiGHS index."""
        self.col_lower.append(lower)
        self.col_upper.append(upper)
        self.col_unit.append(unit)
        return self.first + len(self.col_lower) - 1

    def row(self, cols: np.ndarray, coefs: np.ndarray, lower: float, upper: float) -> None:
        keep = coefs != 0
        self.rows.append((np.asarray(cols, dtype=np.int64)[keep], np.asarray(coefs, dtype=float)[keep], lower, upper))

    def commit(self) -> None:
        """Add the columns and rows to HiGHS; extend the scaling so that the stages read them."""
        matrix, highs = self.matrix, self.matrix.highs
        n = len(self.col_lower)
        unit = np.asarray(self.col_unit, dtype=float)
        if n:
            lower = np.asarray(self.col_lower, dtype=float)
            upper = np.asarray(self.col_upper, dtype=float)
            highs.addCols(n, np.zeros(n), np.where(np.isfinite(lower), lower / unit, -highspy.kHighsInf),
                          np.where(np.isfinite(upper), upper / unit, highspy.kHighsInf), 0,
                          np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        scaling = matrix.scaling or Scaling.identity(highs.getNumRow(), self.first)
        col_scale = np.concatenate([matrix.col_scale[: self.first], unit])
        factors = []
        starts, index, value, lows, ups = [0], [], [], [], []
        for cols, coefs, low, up in self.rows:
            entries = coefs * col_scale[cols]
            largest = np.abs(entries).max(initial=0.0)
            factor = float(2.0 ** -np.round(np.log2(largest))) if largest > 0 else 1.0
            factors.append(factor)
            index.append(cols.astype(np.int32))
            value.append(entries * factor)
            starts.append(starts[-1] + len(cols))
            lows.append(low * factor if np.isfinite(low) else -highspy.kHighsInf)
            ups.append(up * factor if np.isfinite(up) else highspy.kHighsInf)
        if self.rows:
            highs.addRows(len(self.rows), np.asarray(lows), np.asarray(ups), starts[-1],
                          np.asarray(starts[:-1], dtype=np.int32), np.concatenate(index),
                          np.concatenate(value))
        matrix.scaling = Scaling(row=np.concatenate([scaling.row, np.asarray(factors, dtype=float)]), col=col_scale)
        matrix.num_col = highs.getNumCol()
        matrix.positions = np.concatenate([matrix.positions, np.arange(self.first, self.first + n, dtype=np.int64)])
        if matrix.integer is not None:
            matrix.integer = np.concatenate([matrix.integer, np.zeros(n, dtype=bool)])
        if matrix.fixed is not None:
            matrix.fixed = np.concatenate([matrix.fixed, np.full(n, np.nan)])
        matrix.row_family = list(matrix.row_family) + ["robust"] * len(self.rows)
        self.solver.base_rows = highs.getNumRow()


def _size(highs: highspy.Highs) -> tuple[int, int, int]:
    return int(highs.getNumRow()), int(highs.getNumCol()), int(highs.getNumNz())


def sample_model(scenario: Scenario, options: SolveOptions, theta: np.ndarray, measure: str, alpha: float,
                 start: np.ndarray | None, model: AllocationModel | None = None) -> SampleModel:
    """The deterministic model extended by the samples ``theta`` for ``measure`` (see the module)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r} (one of: {', '.join(MEASURES)})")
    model = model or build_model(scenario)
    solver = StageSolver(model, options)
    params = parameters(model)
    outcome = outcomes(model, params)
    before = _size(solver.matrix.highs)
    built = _Extension(model, solver, params, outcome, theta, measure, alpha, start)
    built.goals()
    stages = built.stages()
    built.builder.commit()
    extra = len(built.builder.col_lower)
    columns = Columns(vars=list(model.columns.vars) + [None] * extra,
                      offsets=dict(model.columns.offsets) | {"robust": len(model.columns.vars)})
    extended = replace(model, columns=columns, stages=stages)
    solver.model = extended
    return SampleModel(model=extended, original=model, solver=solver, start=built.start_values(),
                       before=before, after=_size(solver.matrix.highs), sample_stages=built.sample_stages)


class _Extension:
    """What the samples add to one model (goal rows per sample, measure rows, new stages)."""

    def __init__(self, model: AllocationModel, solver: StageSolver, params: Parameters, outcome: Outcomes,
                 theta: np.ndarray, measure: str, alpha: float, start: np.ndarray | None):
        self.model, self.solver, self.params, self.outcome = model, solver, params, outcome
        self.theta, self.measure, self.alpha = theta, measure, alpha
        self.builder = _Builder(solver)
        self.total = len(model.columns.vars)
        self.count = len(theta)
        self.plan = start
        self.varying_goal = np.zeros(len(model.index.goals), dtype=bool)
        self.u_copies: dict[int, np.ndarray] = {}  # soft goal position -> HiGHS columns u[g,s]
        self.done: dict[tuple[str, int], int] = {}  # (project, year) -> HiGHS column done[p,t]
        self.start_extra: dict[int, float] = {}  # HiGHS column -> start value
        self.start_ok = start is not None
        self.sample_stages: list[str] = []
        if start is not None:
            self.levels = outcome.goal_levels(theta, start)
            self.benefits = outcome.benefit_values(theta, start)

    def _hcol(self, global_col: np.ndarray) -> np.ndarray:
        return self.solver.matrix.positions[global_col]

    def goals(self) -> None:
        """The goal rows of every sample for each goal fed by a varying parameter."""
        goals = self.model.index.goals
        entries = self.outcome.goals
        if goals.empty:
            return
        changing = entries.varying(self.params.varying)
        self.varying_goal[np.unique(entries.rows[changing])] = True
        coefs = entries.coefficients(self.theta)
        base = self.outcome.base
        soft_position = np.cumsum(~goals["hard"].to_numpy(dtype=bool)) - 1
        matrix = self.solver.matrix
        for g in np.flatnonzero(self.varying_goal):
            goal = goals.iloc[int(g)]
            mine, hcols = self._completed(np.flatnonzero(entries.rows == g), int(goal["year"]))
            present = hcols >= 0
            rhs = float(goal["target"]) - float(base[g])
            sense = 1.0 if goal["sense"] == ">=" else -1.0
            copies = []
            if not goal["hard"]:
                u_col = self.model.columns.col("u", [int(soft_position[g])])[0]
                unit = float(matrix.col_scale[matrix.positions[u_col]]) if matrix.positions[u_col] >= 0 else 1.0
            for s in range(self.count):
                cols, vals = hcols[present], coefs[s, mine][present]
                if not goal["hard"]:
                    u = self.builder.column(0.0, np.inf, unit)
                    copies.append(u)
                    cols, vals = np.append(cols, u), np.append(vals, sense)
                lower, upper = (rhs, np.inf) if sense > 0 else (-np.inf, rhs)
                self.builder.row(cols, vals, lower, upper)
                if self.plan is not None:
                    gap = sense * (rhs + float(base[g]) - self.levels[s, g])
                    if goal["hard"] and gap > 1e-9 * max(1.0, abs(rhs)):
                        self.start_ok = False
                    elif not goal["hard"]:
                        self.start_extra[u] = max(gap, 0.0)
            if copies:
                self.u_copies[int(soft_position[g])] = np.asarray(copies, dtype=np.int64)

    def _completed(self, mine: np.ndarray, year: int) -> tuple[np.ndarray, np.ndarray]:
        """A goal row's entries with each project's starts complete by ``year`` replaced by one column
        done[p, year] = sum of those starts (they share one coefficient in every sample: the project's
        impacts); returns the entries kept (one per project) and their HiGHS columns. The per-sample
        rows then have one entry per project instead of one per start."""
        entries = self.outcome.goals
        cols = entries.cols[mine]
        x_first = self.model.columns.offsets["x"]
        starts = self.model.index.starts
        is_x = (cols >= x_first) & (cols < x_first + len(starts))
        hcols = self._hcol(cols).copy()
        keep = np.ones(len(mine), dtype=bool)
        project_of = starts["project"].to_numpy()[np.where(is_x, cols - x_first, 0)]
        for project in dict.fromkeys(project_of[is_x]):
            hit = np.flatnonzero(is_x & (project_of == project))
            key = (str(project), year)
            if key not in self.done:
                done = self.builder.column(0.0, 1.0)
                self.builder.row(np.append(done, hcols[hit]), np.append(1.0, -np.ones(len(hit))), 0.0, 0.0)
                self.done[key] = done
                if self.plan is not None:
                    self.start_extra[done] = float(self.plan[cols[hit]].sum())
            hcols[hit[0]] = self.done[key]
            keep[hit[1:]] = False
        return mine[keep], hcols[keep]

    def stages(self) -> list[Stage]:
        """The model's stages with each sample-dependent one replaced by its measure."""
        out = []
        u_offset = self.model.columns.offsets["u"]
        soft = int((~self.model.index.goals["hard"].to_numpy(dtype=bool)).sum())
        for stage in self.model.stages:
            if stage.name in BENEFIT_STAGES and self.outcome.benefit.varying(self.params.varying).any():
                out.append(self._benefit_stage(stage))
                self.sample_stages.append(stage.name)
                continue
            local = stage.cols - u_offset
            hit = [i for i, j in enumerate(local.tolist()) if 0 <= j < soft and j in self.u_copies]
            if not hit:
                out.append(stage)
                continue
            self.sample_stages.append(stage.name)
            out.append(self._loss_stage(stage, hit))
        return out

    def _global(self, hcols: np.ndarray | list[int]) -> np.ndarray:
        """Global column numbers of new HiGHS columns."""
        return self.total + (np.asarray(hcols, dtype=np.int64) - self.builder.first)

    def _loss_stage(self, stage: Stage, hit: list[int]) -> Stage:
        """A priority's scored shortfall L_s = sum_g score_g u[g,s] (+ its parts that do not vary)."""
        fixed = np.setdiff1d(np.arange(len(stage.cols)), hit)
        fixed_cols, fixed_coefs = stage.cols[fixed], stage.coefs[fixed]
        u_offset = self.model.columns.offsets["u"]
        copies = [(self.u_copies[int(stage.cols[i] - u_offset)], float(stage.coefs[i])) for i in hit]
        s_count = self.count
        if self.measure == "expected":
            cols = np.concatenate([fixed_cols] + [self._global(c) for c, _ in copies])
            coefs = np.concatenate([fixed_coefs] + [np.full(s_count, score / s_count) for _, score in copies])
            return Stage(stage.name, cols, coefs, stage.sign, stage.reported)
        loss_start = self._loss_start(stage, fixed_cols, fixed_coefs, copies)
        fixed_h = self._hcol(fixed_cols)
        if self.measure == "worst":
            t = self.builder.column(0.0, np.inf)
            for s in range(s_count):
                cols = np.concatenate([[t], fixed_h, [c[s] for c, _ in copies]])
                coefs = np.concatenate([[1.0], -fixed_coefs, [-score for _, score in copies]])
                self.builder.row(cols, coefs, 0.0, np.inf)
            if loss_start is not None:
                self.start_extra[t] = float(loss_start.max())
            return Stage(stage.name, self._global([t]), np.array([1.0]), stage.sign, stage.reported)
        eta = self.builder.column(0.0, np.inf)
        zs = [self.builder.column(0.0, np.inf) for _ in range(s_count)]
        for s in range(s_count):
            cols = np.concatenate([[zs[s], eta], fixed_h, [c[s] for c, _ in copies]])
            coefs = np.concatenate([[1.0, 1.0], -fixed_coefs, [-score for _, score in copies]])
            self.builder.row(cols, coefs, 0.0, np.inf)
        if loss_start is not None:
            var = value_at_risk(loss_start, self.alpha, upper=True)
            self.start_extra[eta] = var
            for s, z in enumerate(zs):
                self.start_extra[z] = max(float(loss_start[s]) - var, 0.0)
        weight = 1.0 / (self.alpha * s_count)
        return Stage(stage.name, self._global([eta] + zs), np.concatenate([[1.0], np.full(s_count, weight)]),
                     stage.sign, stage.reported)

    def _loss_start(self, stage: Stage, fixed_cols: np.ndarray, fixed_coefs: np.ndarray,
                    copies: list[tuple[np.ndarray, float]]) -> np.ndarray | None:
        if self.plan is None:
            return None
        constant = float(np.dot(fixed_coefs, self.plan[fixed_cols]))
        loss = np.full(self.count, constant)
        for columns, score in copies:
            loss += score * np.array([self.start_extra.get(int(c), 0.0) for c in columns])
        return loss

    def _benefit_stage(self, stage: Stage) -> Stage:
        """Discounted benefit B_s: its mean, its worst, or the mean of its worst alpha share."""
        entries = self.outcome.benefit
        coefs = entries.coefficients(self.theta)
        if self.measure == "expected":
            return Stage(stage.name, entries.cols, -coefs.mean(axis=0), -1.0, stage.reported)
        hcols = self._hcol(entries.cols)
        present = hcols >= 0
        scale = float(2.0 ** np.round(np.log2(max(float(np.abs(coefs).sum(axis=1).max(initial=1.0)), 1.0))))
        s_count = self.count
        benefits = self.benefits if self.plan is not None else None
        if self.measure == "worst":
            t = self.builder.column(-np.inf, np.inf, scale)
            for s in range(s_count):
                self.builder.row(np.append(hcols[present], t), np.append(coefs[s][present], -1.0), 0.0, np.inf)
            if benefits is not None:
                self.start_extra[t] = float(benefits.min())
            return Stage(stage.name, self._global([t]), np.array([-1.0]), -1.0, stage.reported)
        eta = self.builder.column(-np.inf, np.inf, scale)
        zs = [self.builder.column(0.0, np.inf, scale) for _ in range(s_count)]
        for s in range(s_count):
            self.builder.row(np.concatenate([hcols[present], [zs[s], eta]]),
                             np.concatenate([coefs[s][present], [1.0, -1.0]]), 0.0, np.inf)
        if benefits is not None:
            var = value_at_risk(benefits, self.alpha, upper=False)
            self.start_extra[eta] = var
            for s, z in enumerate(zs):
                self.start_extra[z] = max(var - float(benefits[s]), 0.0)
        weight = 1.0 / (self.alpha * s_count)
        return Stage(stage.name, self._global([eta] + zs), np.concatenate([[-1.0], np.full(s_count, weight)]),
                     -1.0, stage.reported)

    def start_values(self) -> np.ndarray | None:
        """The deterministic plan completed for the new columns, or None when it breaks a sample's
        hard goal (the solve then starts without it)."""
        if self.plan is None or not self.start_ok:
            return None
        extra = np.zeros(len(self.builder.col_lower))
        for col, value in self.start_extra.items():
            extra[col - self.builder.first] = value
        return np.concatenate([start_for(self.model, self.outcome, self.params.base, self.plan), extra])


def value_at_risk(values: np.ndarray, alpha: float, upper: bool) -> float:
    """The alpha-quantile that the Rockafellar-Uryasev minimum attains: the ceil(alpha S)-th largest
    loss (``upper``) or smallest benefit."""
    ordered = np.sort(np.asarray(values, dtype=float))
    if upper:
        ordered = ordered[::-1]
    k = max(int(np.ceil(alpha * len(ordered) - 1e-12)), 1)
    return float(ordered[k - 1])


def tail_mean(values: np.ndarray, alpha: float, upper: bool) -> float:
    """CVaR of equally likely values: the mean of the worst alpha share (the largest losses when
    ``upper``, the smallest benefits otherwise), the boundary value counted by the fraction of it
    inside the share; the minimum of the Rockafellar-Uryasev function."""
    ordered = np.sort(np.asarray(values, dtype=float))
    if upper:
        ordered = ordered[::-1]
    mass = alpha * len(ordered)
    whole = int(np.floor(mass + 1e-12))
    total = ordered[:whole].sum()
    if whole < len(ordered) and mass - whole > 1e-12:
        total += (mass - whole) * ordered[whole]
    return float(total / mass)


@dataclass
class RobustSolve:
    """The robust plan (global column values of the original model) and what it took."""

    result: SolveResult
    values: np.ndarray | None
    model: AllocationModel
    before: tuple[int, int, int]
    after: tuple[int, int, int]
    build_seconds: float
    sample_stages: list[str]


def solve_robust(scenario: Scenario, options: SolveOptions, theta: np.ndarray, measure: str, alpha: float,
                 start: np.ndarray | None, model: AllocationModel | None = None) -> RobustSolve:
    """Build the sample model (on ``model`` when given: it is not changed) and solve its stages
    lexicographically from ``start``."""
    began = time.perf_counter()
    built = sample_model(scenario, options, theta, measure, alpha, start, model)
    built_at = time.perf_counter()
    deadline = None if options.time_limit is None else built_at + options.time_limit
    result = built.solver.solve(start=built.start, deadline=deadline)
    n = len(built.original.columns.vars)
    values = None if result.values is None else result.values[:n]
    return RobustSolve(result, values, built.original, built.before, built.after, built_at - began,
                       built.sample_stages)


__all__ = ["MEASURES", "RobustSolve", "SampleModel", "sample_model", "solve_robust", "tail_mean", "value_at_risk"]
