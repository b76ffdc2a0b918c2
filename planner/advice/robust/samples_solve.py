"""Each sample's own optimum on one HiGHS instance, re-solved in place (models/robust.md, section 2).

A :class:`SampleSolver` builds the model once and hands it to HiGHS once. For a sample it
changes only the coefficients that depend on a varying parameter (the rows of goals over one
region, and the ``level`` rows of the regional levels that goals over several regions add up; in
HiGHS's scaled units: ``value x row_scale x col_scale``; the levels' bounds are widened once to
hold in every sample) and the costs of a benefit stage, then solves
every stage from the deterministic plan (its shortfalls recomputed for the sample, so the
start meets every row). Samples go in fixed chunks of :data:`CHUNK`, each on a fresh
instance, and HiGHS runs on one thread with its solver state cleared before every sample:
the plans found do not depend on whether the chunks ran here, in worker processes or on a
dask cluster.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from planner.advice.robust.outcomes import Entries, Outcomes, outcomes
from planner.advice.robust.sampling import Parameters, parameters
from planner.model import AllocationModel, Stage, build_model
from planner.parallel import Done, run_tasks
from planner.results import EPSILON
from planner.scenario import Scenario
from planner.solver import SolveOptions, SolveResult, StageSolver

#: Samples per task: each task builds the model once; the chunks do not depend on the workers.
CHUNK = 10
#: Stages whose costs are discounted benefit (they change with the samples).
BENEFIT_STAGES = ("benefit", "max_benefit")


def benefit_stage(stage: Stage, outcome: Outcomes, coefs: np.ndarray) -> Stage:
    """A benefit stage with the sample's coefficients (internally minimised: -benefit)."""
    return Stage(stage.name, outcome.benefit.cols, -coefs, sign=-1.0, reported=stage.reported)


def start_for(model: AllocationModel, outcome: Outcomes, theta: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` with each soft goal's shortfall u recomputed for the sample's levels."""
    goals = model.index.goals
    start = values.copy()
    if goals.empty:
        return start
    level = outcome.goal_levels(theta, values)[0]
    target = goals["target"].to_numpy(dtype=float)
    gap = np.where(goals["sense"].to_numpy() == ">=", target - level, level - target)
    soft = np.flatnonzero(~goals["hard"].to_numpy(dtype=bool))
    start[model.columns.col("u", np.arange(len(soft)))] = np.maximum(gap[soft], 0.0)
    return start


class SampleSolver:
    """One model and one HiGHS instance for solving many samples in place."""

    def __init__(self, scenario: Scenario, options: SolveOptions, model: AllocationModel | None = None):
        self.model = model or build_model(scenario)
        self.options = options
        self.solver = StageSolver(self.model, options)
        self.params: Parameters = parameters(self.model)
        self.outcome: Outcomes = outcomes(self.model, self.params)
        varies = self.params.varying
        goals = self.model.index.goals
        narrow = np.flatnonzero(goals["scope"].map(len).to_numpy() == 1) if len(goals) else np.zeros(0, np.int64)
        # A goal over one region holds its projects' impacts itself; one over several regions holds the
        # regional levels L, whose `level` rows hold the impacts (negated: L - gains = 0).
        self._changes = [self._entries(self.outcome.goals, "goal", 1.0, varies, keep_rows=narrow),
                         self._entries(self.outcome.levels, "level", -1.0, varies)]
        self._widen_levels()
        self._benefit_varies = bool(self.outcome.benefit.varying(varies).any())
        self._stages = list(self.model.stages)

    def _entries(self, entries: Entries, family: str, sign: float, varies: np.ndarray,
                 keep_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Entries]:
        """(entry positions, HiGHS rows, HiGHS columns, factor = sign x row scale x column scale) of the
        entries of ``family`` rows that vary with the samples."""
        matrix = self.solver.matrix
        changing = np.flatnonzero(entries.varying(varies))
        if keep_rows is not None:
            changing = changing[np.isin(entries.rows[changing], keep_rows)]
        found = [self.solver.row_of(family, int(i)) for i in entries.rows[changing]]
        rows = np.array([-1 if r is None else r for r in found], dtype=np.int64)
        cols = matrix.positions[entries.cols[changing]]
        keep = (rows >= 0) & (cols >= 0)
        factor = sign * matrix.row_scale[rows[keep]] * matrix.col_scale[cols[keep]]
        return changing[keep], rows[keep].astype(np.int32), cols[keep].astype(np.int32), factor, entries

    def _widen_levels(self) -> None:
        """Bounds of every regional level L that hold in any sample (the model's own bounds are the
        point estimates' least and most gain): each (level, project or column) counts its least
        coefficient over all samples towards the lower bound and its largest towards the upper one."""
        levels = self.outcome.levels
        if not len(self.model.levels) or not len(levels.rows):
            return
        low_theta, high_theta = self.params.extremes()
        weights = levels.weights.T
        least = np.minimum(weights @ low_theta, weights @ high_theta)
        most = np.maximum(weights @ low_theta, weights @ high_theta)
        starts = self.model.index.starts
        first_x = self.model.columns.offsets["x"]
        is_x = (levels.cols >= first_x) & (levels.cols < first_x + len(starts))
        project = starts["project"].to_numpy()[np.clip(levels.cols - first_x, 0, max(len(starts) - 1, 0))]
        group = np.where(is_x, project, levels.cols.astype(str))
        frame = pd.DataFrame({"item": levels.rows, "group": group, "least": least, "most": most})
        per = frame.groupby(["item", "group"]).agg(least=("least", "min"), most=("most", "max"))
        count = len(self.model.levels)
        lower = np.minimum(per["least"], 0.0).groupby(level="item").sum().reindex(range(count)).fillna(0.0)
        upper = np.maximum(per["most"], 0.0).groupby(level="item").sum().reindex(range(count)).fillna(0.0)
        matrix = self.solver.matrix
        cols = matrix.positions[self.model.columns.col("L", np.arange(count))]
        for i, (col, lo, hi) in enumerate(zip(cols.tolist(), lower.tolist(), upper.tolist())):
            if col >= 0:  # never narrower than the point estimates' bounds
                own = self.model.model.L[i]
                lo, hi = min(lo, own.lb if own.lb is not None else lo), max(hi, own.ub if own.ub is not None else hi)
                unit = float(matrix.col_scale[col])
                matrix.highs.changeColBounds(col, lo / unit, hi / unit)

    def set_sample(self, theta: np.ndarray) -> None:
        """Put the sample's coefficients into HiGHS and its benefit into the stages."""
        highs = self.solver.matrix.highs
        for positions, rows, cols, factor, entries in self._changes:
            values = entries.coefficients(theta)[positions] * factor
            for row, col, value in zip(rows.tolist(), cols.tolist(), values.tolist()):
                highs.changeCoeff(row, col, value)
        if self._benefit_varies:
            coefs = self.outcome.benefit.coefficients(theta)
            stages = [benefit_stage(s, self.outcome, coefs) if s.name in BENEFIT_STAGES else s for s in self._stages]
            self.solver.model = replace(self.model, stages=stages)

    def solve(self, theta: np.ndarray, start: np.ndarray | None) -> SolveResult:
        """The sample's lexicographic optimum, from ``start`` (the deterministic plan)."""
        self.set_sample(theta)
        self.solver.matrix.highs.clearSolver()
        begin = start_for(self.model, self.outcome, theta, start) if start is not None else None
        deadline = None if self.options.time_limit is None else time.perf_counter() + self.options.time_limit
        return self.solver.solve(start=begin, deadline=deadline)


def project_shares(model: AllocationModel, values: np.ndarray) -> np.ndarray:
    """Total started share of every project (in ``model.index.projects`` order)."""
    starts = model.index.starts
    share = values[model.columns.col("x", starts["x"])]
    totals = np.zeros(len(model.index.projects))
    position = {p: i for i, p in enumerate(model.index.projects.index)}
    np.add.at(totals, starts["project"].map(position).to_numpy(dtype=np.int64), share)
    return np.where(totals > EPSILON, np.minimum(totals, 1.0), 0.0)


#: The model of the run a process is working for (built once per process and run; see :func:`_model_for`).
_MODELS: dict[str, AllocationModel] = {}


def _model_for(token: str, scenario: Scenario) -> AllocationModel:
    """The run's model: built once in each process (handing it to HiGHS again for every chunk is what
    makes a chunk's instance fresh; the Pyomo model itself is never changed)."""
    if token not in _MODELS:
        _MODELS.clear()
        _MODELS[token] = build_model(scenario)
    return _MODELS[token]


def _solve_chunk(task: tuple[str, Scenario, SolveOptions, np.ndarray | None, np.ndarray, list[int]]
                 ) -> list[dict[str, Any]]:
    """In whatever process runs it: one fresh instance, the chunk's samples in order."""
    token, scenario, options, start, theta, indices = task
    solver = SampleSolver(scenario, options, _model_for(token, scenario))
    found = []
    for i, row in zip(indices, theta):
        result = solver.solve(row, start)
        found.append({"sample": i, "status": str(result.status), "message": result.message,
                      "stages": list(result.stages) if result.values is not None else None,
                      "shares": project_shares(solver.model, result.values) if result.values is not None else None,
                      "seconds": result.solve_seconds})
    return found


def solve_samples(scenario: Scenario, options: SolveOptions, start: np.ndarray | None, theta: np.ndarray,
                  workers: int = 1, dask_address: str | None = None, progress=None,
                  model: AllocationModel | None = None) -> list[dict[str, Any]]:
    """Every sample's own optimum (one record per sample, in sample order), in chunks of
    :data:`CHUNK` on one HiGHS thread each: here, in ``workers`` processes or on dask. ``model``: the
    scenario's model when it is built already (used in this process)."""
    single = replace(options, threads=1, verbose=False)
    token = uuid.uuid4().hex
    if model is not None:
        _MODELS.clear()
        _MODELS[token] = model
    chunks = [list(range(i, min(i + CHUNK, len(theta)))) for i in range(0, len(theta), CHUNK)]
    tasks = [(token, scenario, single, start, theta[c], c) for c in chunks]

    def finished(done: Done) -> None:
        if progress is not None:
            progress(len(chunks[done.index]))

    results: list[dict[str, Any]] = []
    for chunk, done in zip(chunks, run_tasks(_solve_chunk, tasks, workers=workers, dask_address=dask_address,
                                             progress=finished)):
        if done.ok and done.value is not None:
            results += done.value
        else:
            results += [{"sample": i, "status": "error", "message": done.error, "stages": None, "shares": None,
                         "seconds": 0.0} for i in chunk]
    return results


__all__ = ["CHUNK", "SampleSolver", "benefit_stage", "project_shares", "solve_samples", "start_for"]
