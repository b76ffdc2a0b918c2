"""Least regret across futures: the base scenario and each of its variants (models/robust.md, section 5).

Every future is solved to its own optimum. A *plan* is the set of project starts with their
shares; its value in a future is found by fixing the future's starts to it and solving the
future's stages for the rest (payments, balances, shortfalls). Its regret in the future, per
reported stage k, is its internally minimised value minus the future's optimum (more
shortfall, less benefit, more cost), divided by |optimum| with ``relative`` (by 1 when the
optimum is 0).

The least-regret plan is found on one joint model: every future's whole model side by side
(its own payments, balances and shortfalls), their start variables tied to the base's
(a start that one future does not allow is 0 in all), and regret columns R_k >= regret of
each future's k-th stage. R_1 is minimised, held, then R_2, ... (the futures' most
important objectives first). The plan found is then evaluated exactly in every future, like
each future's optimum: the regret table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from planner.model import AllocationModel, build_model
from planner.results import records
from planner.scenario import Scenario
from planner.solver import STAGE_TOLERANCE, SolveOptions, StageSolver, run_highs, solver_output_to_stderr
from planner.solver.handoff import new_highs
from planner.status import Status, read_highs

#: Name of the base scenario among the futures.
BASE = "base"
#: A plan share below this is not a start.
EPSILON = 1e-6


@dataclass
class Future:
    """One future: its name, model, solver and optimum (reported stages, internal optimum per stage)."""

    name: str
    model: AllocationModel
    solver: StageSolver
    status: Status
    stages: list[tuple[str, float]] = field(default_factory=list)
    plan: dict[tuple[str, int], float] = field(default_factory=dict)

    @property
    def reported(self) -> list:
        return [s for s in self.model.stages if s.reported]

    def starts(self) -> dict[tuple[str, int], int]:
        """(project, start) -> global x column."""
        starts = self.model.index.starts
        cols = self.model.columns.col("x", starts["x"])
        return {(p, int(s)): int(c) for p, s, c in zip(starts["project"], starts["start"], cols)}


@dataclass
class Regret:
    """The regret table and the least-regret plan."""

    futures: list[str]
    table: pd.DataFrame
    projects: pd.DataFrame
    max_regret: float | None
    max_regret_stage: str | None
    max_regrets: list[dict[str, Any]]
    relative: bool
    status: str
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"futures": self.futures, "relative": self.relative, "status": self.status,
                "plans": records(self.table),
                "least_regret": {"projects": records(self.projects), "max_regret": self.max_regret,
                                 "stage": self.max_regret_stage, "max_regrets": self.max_regrets}}


def plan_of(model: AllocationModel, values: np.ndarray) -> dict[tuple[str, int], float]:
    """The starts of a solution with their shares."""
    starts = model.index.starts
    share = values[model.columns.col("x", starts["x"])]
    share = np.where(share > 1 - EPSILON, 1.0, share)
    return {(p, int(s)): float(v) for p, s, v in zip(starts["project"], starts["start"], share) if v > EPSILON}


def evaluate_plan(future: Future, plan: dict[tuple[str, int], float]) -> list[tuple[str, float]] | None:
    """The future's reported stages with its starts fixed to ``plan``; None when the plan breaks a rule
    of the future (a start it does not allow, a budget, a hard goal)."""
    starts = future.starts()
    if any(key not in starts for key in plan):
        return None
    matrix = future.solver.matrix
    cols = matrix.positions[np.array(list(starts.values()), dtype=np.int64)]
    values = np.array([plan.get(key, 0.0) for key in starts], dtype=float)
    keep = cols >= 0
    cols, values = cols[keep], values[keep]
    lp = matrix.highs.getLp()
    lower = np.asarray(lp.col_lower_, dtype=float)[cols]
    upper = np.asarray(lp.col_upper_, dtype=float)[cols]
    matrix.set_bounds(cols, values, values)
    try:
        result = future.solver.solve()
    finally:
        matrix.highs.changeColsBounds(len(cols), cols.astype(np.int32), lower, upper)
    if result.values is None or not Status(result.status).solved:
        return None
    return list(result.stages)


def _regret(value: float, optimum: float, minimised: bool, relative: bool) -> float:
    internal = value - optimum if minimised else optimum - value
    if relative:
        return internal / abs(optimum) if optimum else internal
    return internal


def _lp_matrix(highs: highspy.Highs) -> tuple[Any, sp.csc_matrix]:
    lp = highs.getLp()
    a = lp.a_matrix_
    shape = (lp.num_row_, lp.num_col_)
    start, index, value = (np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_))
    if a.format_ == highspy.MatrixFormat.kRowwise:
        return lp, sp.csr_matrix((value, index, start), shape=shape).tocsc()
    return lp, sp.csc_matrix((value, index, start), shape=shape)


def _joint(futures: list[Future], relative: bool, options: SolveOptions):
    """The joint model as one HiGHS instance; returns it, the base's x columns in it and the
    regret columns (one per stage position) with the rows that define them."""
    blocks, lowers, uppers, integrality, row_lo, row_up, offsets = [], [], [], [], [], [], []
    offset = 0
    for f in futures:
        lp, a = _lp_matrix(f.solver.matrix.highs)
        blocks.append(a)
        lowers.append(np.asarray(lp.col_lower_, dtype=float))
        uppers.append(np.asarray(lp.col_upper_, dtype=float))
        integer = f.solver.matrix.integer if f.solver.matrix.integer is not None else np.zeros(lp.num_col_, bool)
        integrality.append(np.asarray(integer, dtype=bool))
        row_lo.append(np.asarray(lp.row_lower_, dtype=float))
        row_up.append(np.asarray(lp.row_upper_, dtype=float))
        offsets.append(offset)
        offset += lp.num_col_
    lower, upper = np.concatenate(lowers), np.concatenate(uppers)
    base_starts = futures[0].starts()
    keys = list(base_starts)
    extra_rows: list[tuple[list[int], list[float], float, float]] = []

    def hcol(i: int, col: int) -> int:
        return offsets[i] + int(futures[i].solver.matrix.positions[col])

    def unit(i: int, col: int) -> float:
        return float(futures[i].solver.matrix.col_scale[int(futures[i].solver.matrix.positions[col])])

    for i, f in enumerate(futures[1:], start=1):
        mine = f.starts()
        for key, col in mine.items():
            if key in base_starts:
                base_col = base_starts[key]
                extra_rows.append(([hcol(i, col), hcol(0, base_col)], [unit(i, col), -unit(0, base_col)], 0.0, 0.0))
            else:
                lower[hcol(i, col)] = upper[hcol(i, col)] = 0.0
        for key in keys:
            if key not in mine:
                lower[hcol(0, base_starts[key])] = upper[hcol(0, base_starts[key])] = 0.0
    positions = max(len(f.reported) for f in futures)
    regret_cols = [offset + k for k in range(positions)]
    for i, f in enumerate(futures):
        scale = f.solver.matrix.col_scale
        for k, (stage, (_, optimum)) in enumerate(zip(f.reported, f.stages)):
            present = f.solver.matrix.positions[stage.cols] >= 0
            cols = f.solver.matrix.positions[stage.cols[present]]
            coefs = stage.coefs[present] * scale[cols]
            internal = optimum * stage.sign  # the internal (minimised) optimum
            denom = abs(optimum) if relative and optimum else 1.0
            # R_k - internal(x) / denom >= -internal optimum / denom
            extra_rows.append(([regret_cols[k], *(offsets[i] + cols).tolist()],
                               [1.0, *(-coefs / denom).tolist()], -internal / denom, highspy.kHighsInf))
    blocks_matrix = sp.block_diag(blocks, format="csr") if blocks else sp.csr_matrix((0, 0))
    n = offset + positions
    rows = [blocks_matrix.tocoo()]
    data, ri, ci = [], [], []
    for r, (cols, coefs, _, _) in enumerate(extra_rows):
        largest = max(abs(c) for c in coefs)
        factor = 2.0 ** -np.round(np.log2(largest)) if largest > 0 else 1.0
        for c, v in zip(cols, coefs):
            ri.append(blocks_matrix.shape[0] + r)
            ci.append(c)
            data.append(v * factor)
        low, high = extra_rows[r][2], extra_rows[r][3]
        extra_rows[r] = (cols, coefs, float(low * factor) if np.isfinite(low) else low,
                         float(high * factor) if np.isfinite(high) else high)
    full = sp.coo_matrix((np.concatenate([rows[0].data, data]), (np.concatenate([rows[0].row, ri]),
                          np.concatenate([rows[0].col, ci]))), shape=(blocks_matrix.shape[0] + len(extra_rows), n))
    a = full.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, a.shape[0]
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.concatenate([lower, np.full(positions, -highspy.kHighsInf)])
    lp.col_upper_ = np.concatenate([upper, np.full(positions, highspy.kHighsInf)])
    lp.row_lower_ = np.concatenate(row_lo + [np.array([r[2] for r in extra_rows])])
    lp.row_upper_ = np.concatenate(row_up + [np.array([r[3] for r in extra_rows])])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    integer = np.concatenate(integrality + [np.zeros(positions, dtype=bool)])
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    highs = new_highs(options.verbose)
    highs.setOptionValue("mip_rel_gap", float(options.mip_gap))
    with solver_output_to_stderr():
        highs.passModel(lp)
    base_x = {key: hcol(0, col) for key, col in base_starts.items()}
    return highs, base_x, regret_cols


def _solve_joint(futures: list[Future], relative: bool, options: SolveOptions) -> tuple[Status, dict | None]:
    highs, base_x, regret_cols = _joint(futures, relative, options)
    deadline = None if options.time_limit is None else time.perf_counter() + options.time_limit
    n = highs.getNumCol()
    status: Status = Status.optimal
    solution = None
    for col in regret_cols:
        cost = np.zeros(n)
        cost[col] = 1.0
        highs.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        if deadline is not None:
            highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
        with solver_output_to_stderr():
            run = run_highs(highs, deadline)
        if run.abandoned:  # HiGHS is still running after a stop request: nothing can be read from it
            return Status.interrupted, None
        status, has_plan = read_highs(highs, run.cancelled)
        if not has_plan:
            return status, None
        solution = np.asarray(highs.getSolution().col_value, dtype=float)
        if status != Status.optimal:
            break
        optimum = float(solution[col])
        room = STAGE_TOLERANCE * abs(optimum) + 1e-9
        highs.addRow(-highspy.kHighsInf, optimum + room, 1, np.array([col], dtype=np.int32), np.array([1.0]))
        highs.setSolution(_solution(solution))
    if solution is None:
        return status, None
    base = futures[0]
    integer = base.solver.matrix.integer
    plan = {}
    for key, col in base.starts().items():
        local = int(base.solver.matrix.positions[col])
        value = float(solution[base_x[key]] * base.solver.matrix.col_scale[local])
        plan[key] = float(np.round(value)) if integer is not None and integer[local] else value
    return status, {k: v for k, v in plan.items() if v > EPSILON}


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    return solution


def least_regret(scenarios: list[Scenario], options: SolveOptions, relative: bool = False, workers: int = 1,
                 dask_address: str | None = None) -> Regret:
    """Regret of every future's optimum and of the least-regret plan in every future (the base first,
    named ``base``, then each variant by its name)."""
    del workers, dask_address  # the futures are few; they are solved here, where they are evaluated
    began = time.perf_counter()
    futures = []
    for i, scenario in enumerate(scenarios):
        model = build_model(scenario)
        solver = StageSolver(model, options)
        result = solver.solve()
        name = BASE if i == 0 else str(scenario.variant or scenario.name)
        futures.append(Future(name, model, solver, Status(result.status), list(result.stages),
                              plan_of(model, result.values) if result.values is not None else {}))
    plans = [(f"optimum of {f.name}", f.plan) for f in futures if f.status.solved]
    solvable = all(f.status.solved for f in futures)
    status, joint = _solve_joint(futures, relative, options) if solvable else (Status.infeasible, None)
    if joint is not None:
        plans.append(("least regret", joint))
    rows = []
    for name, plan in plans:
        for f in futures:
            found = evaluate_plan(f, plan)
            for k, (stage, (stage_name, optimum)) in enumerate(zip(f.reported, f.stages)):
                value = None if found is None else found[k][1]
                rows.append({"plan": name, "future": f.name, "stage": stage_name, "position": k + 1,
                             "value": value, "optimum": optimum,
                             "regret": None if value is None else _regret(value, optimum, stage.sign > 0, relative),
                             "feasible": found is not None})
    table = pd.DataFrame(rows, columns=["plan", "future", "stage", "position", "value", "optimum", "regret",
                                        "feasible"])
    mine = table[table["plan"] == "least regret"]
    max_regrets: list[dict[str, Any]] = []
    first_value: float | None = None
    first_stage: str | None = None
    for k, group in mine.groupby("position", sort=True):
        worst = float(group["regret"].max()) if group["feasible"].all() else None
        names = ", ".join(dict.fromkeys(group["stage"]))
        max_regrets.append({"position": int(k), "stage": names, "value": worst})
        if first_value is None and worst is not None and worst > 1e-9:
            first_value, first_stage = worst, names
    if joint is not None and first_value is None and max_regrets:
        first_value, first_stage = 0.0, str(max_regrets[0]["stage"])
    projects = _plan_frame(futures[0].model, joint or {})
    return Regret([f.name for f in futures], table, projects, first_value, first_stage, max_regrets, relative,
                  str(status) if joint is not None or not solvable else str(status), time.perf_counter() - began)


def _plan_frame(model: AllocationModel, plan: dict[tuple[str, int], float]) -> pd.DataFrame:
    projects = model.index.projects
    rows = [{"project": p, "start": s, "share": v, "region": projects.loc[p, "region"],
             "kind": projects.loc[p, "kind"], "cost": v * float(projects.loc[p, "cost"])}
            for (p, s), v in sorted(plan.items(), key=lambda item: (item[0][1], item[0][0]))]
    return pd.DataFrame(rows, columns=["project", "start", "share", "region", "kind", "cost"])


__all__ = ["BASE", "Regret", "evaluate_plan", "least_regret", "plan_of"]
