"""A plan in every sample: its stages and goals (models/robust.md, section 3), and the core index.

:func:`evaluate` computes, for a fixed plan, every goal's level in every sample, the
shortfalls, and each reported stage's value per sample: a priority's scored shortfall
sum_g weight_g max(0, shortfall_gs) / scale_g (soft equity units as the plan has them), the
discounted benefit with the sample's impacts, and the stages that do not depend on the
samples (costs) as they are. The same function at the point estimates gives the value of a
plan "at the point estimates".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.advice.robust.outcomes import Outcomes
from planner.advice.robust.saa import tail_mean
from planner.advice.robust.samples_solve import BENEFIT_STAGES
from planner.model import AllocationModel
from planner.model.objectives import stage_value

#: z of a two-sided 95% interval (Wilson score interval of the core index).
Z95 = 1.959963984540054
#: Quantiles reported in the risk profile.
QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class Evaluation:
    """A plan in every sample: ``levels`` and ``met`` (samples x goals), ``stages`` (samples x
    reported stages, reported sense) and the stage names, with ``varies`` per stage."""

    levels: np.ndarray
    met: np.ndarray
    stages: np.ndarray
    names: list[str]
    varies: list[bool]
    minimised: list[bool]


def evaluate(model: AllocationModel, outcome: Outcomes, theta: np.ndarray, values: np.ndarray,
             varying_benefit: bool, varying_goals: np.ndarray) -> Evaluation:
    """The plan ``values`` (global columns of ``model``) in every sample of ``theta``."""
    theta = np.atleast_2d(theta)
    goals = model.index.goals
    count = len(theta)
    if len(goals):
        levels = outcome.goal_levels(theta, values)
        target = goals["target"].to_numpy(dtype=float)
        gap = np.where(goals["sense"].to_numpy() == ">=", target - levels, levels - target)
        tolerance = 1e-6 * np.maximum(1.0, np.abs(target))
        met = gap <= tolerance
        shortfall = np.where(met, 0.0, np.maximum(gap, 0.0))
    else:
        levels = met = shortfall = np.zeros((count, 0))
    soft = np.flatnonzero(~goals["hard"].to_numpy(dtype=bool)) if len(goals) else np.zeros(0, dtype=np.int64)
    u_offset = model.columns.offsets["u"]
    benefit = outcome.benefit_values(theta, values) if varying_benefit else None
    names, columns, varies, minimised = [], [], [], []
    for stage in model.stages:
        if not stage.reported:
            continue
        names.append(stage.name)
        minimised.append(stage.sign > 0)
        if stage.name in BENEFIT_STAGES and benefit is not None:
            columns.append(benefit)
            varies.append(True)
            continue
        local = stage.cols - u_offset
        is_u = (local >= 0) & (local < len(soft))
        if not is_u.any():
            columns.append(np.full(count, stage_value(stage, values)))
            varies.append(False)
            continue
        rest = float(stage.sign * np.dot(stage.coefs[~is_u], values[stage.cols[~is_u]]))
        goal_of = soft[local[is_u]]
        scored = shortfall[:, goal_of] @ stage.coefs[is_u]
        columns.append(rest + stage.sign * scored)
        varies.append(bool(varying_goals[goal_of].any()))
    stages = np.column_stack(columns) if columns else np.zeros((count, 0))
    return Evaluation(levels, met, stages, names, varies, minimised)


def measure_of(values: np.ndarray, measure: str, alpha: float, minimised: bool) -> float:
    """expected: the mean; worst: the largest loss or the smallest benefit; cvar: the mean of the
    worst alpha share (:func:`planner.advice.robust.saa.tail_mean`)."""
    if measure == "expected":
        return float(np.mean(values))
    if measure == "worst":
        return float(np.max(values) if minimised else np.min(values))
    return tail_mean(values, alpha, upper=minimised)


def risk_table(model: AllocationModel, evaluation: Evaluation) -> pd.DataFrame:
    """name, kind, p10, p50, p90, mean, p_met, target: each reported stage (objective rows; p_met for a
    priority: the share of samples in which every goal of it is met), then each goal's level."""
    rows = []
    for j, name in enumerate(evaluation.names):
        column = evaluation.stages[:, j]
        p_met = float(np.mean(column <= 1e-12)) if name.startswith("priority ") else None
        rows.append(_quantiles(name, "objective", column, p_met, None))
    goals = model.index.goals
    for g, goal in enumerate(goals.itertuples(index=False)):
        rows.append(_quantiles(str(goal.goal), "goal", evaluation.levels[:, g], float(np.mean(evaluation.met[:, g])),
                               float(goal.target)))
    return pd.DataFrame(rows, columns=["name", "kind", "p10", "p50", "p90", "mean", "p_met", "target"])


def _quantiles(name: str, kind: str, values: np.ndarray, p_met: float | None, target: float | None) -> dict:
    p10, p50, p90 = (float(np.quantile(values, q)) for q in QUANTILES)
    return {"name": name, "kind": kind, "p10": p10, "p50": p50, "p90": p90, "mean": float(np.mean(values)),
            "p_met": p_met, "target": target}


def wilson(successes: np.ndarray, trials: int) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score 95% interval of a share successes / trials."""
    if trials <= 0:
        nan = np.full(len(successes), np.nan)
        return nan, nan
    p = np.asarray(successes, dtype=float) / trials
    z2 = Z95 ** 2
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = Z95 * np.sqrt(p * (1 - p) / trials + z2 / (4 * trials ** 2)) / (1 + z2 / trials)
    return np.maximum(centre - half, 0.0), np.minimum(centre + half, 1.0)


def core_index(model: AllocationModel, shares: list[np.ndarray | None], deterministic: np.ndarray | None,
               robust: np.ndarray | None) -> pd.DataFrame:
    """One row per candidate project: the share of samples (with a plan) whose optimum contains it, its
    Wilson 95% interval, the mean share funded, and whether the deterministic and robust plans have it;
    sorted by share (then by name)."""
    projects = model.index.projects
    solved = [s for s in shares if s is not None]
    matrix = np.vstack(solved) if solved else np.zeros((0, len(projects)))
    contains = (matrix > 0).sum(axis=0)
    low, high = wilson(contains, len(solved))
    share = contains / len(solved) if solved else np.full(len(projects), np.nan)
    frame = pd.DataFrame({
        "project": projects.index.to_numpy(), "name": projects["name"].to_numpy(),
        "region": projects["region"].to_numpy(), "kind": projects["kind"].to_numpy(),
        "share": share, "low": low, "high": high,
        "mean_funded": matrix.mean(axis=0) if solved else np.full(len(projects), np.nan),
        "in_deterministic": deterministic > 0 if deterministic is not None else False,
        "in_robust": robust > 0 if robust is not None else False,
    })
    frame["class"] = np.where(frame["share"] >= 1.0, "core", np.where(frame["share"] <= 0.0, "never", "borderline"))
    return frame.sort_values(["share", "project"], ascending=[False, True], kind="stable").reset_index(drop=True)


__all__ = ["Evaluation", "core_index", "evaluate", "measure_of", "risk_table", "wilson"]
