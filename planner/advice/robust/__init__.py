"""Plans that survive uncertainty: samples, core index, risk profiles, the robust plan, least regret.

``robust_analysis(scenario, options, ...) -> Robustness`` is what ``planner robust`` computes;
each step is stated precisely in ``models/robust.md``:

1. samples of the uncertain impacts and partner deliveries (:mod:`.sampling`);
2. every sample's own optimum and the core index (:mod:`.samples_solve`, :mod:`.evaluate`);
3. the risk profile of the deterministic and of the robust plan (:mod:`.evaluate`);
4. the robust plan by sample average approximation and the price of robustness (:mod:`.saa`);
5. with variants, the least-regret plan across futures (:mod:`.regret`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.advice.robust.evaluate import Evaluation, core_index, evaluate, measure_of, risk_table
from planner.advice.robust.outcomes import outcomes
from planner.advice.robust.regret import Regret
from planner.advice.robust.saa import MEASURES, solve_robust
from planner.advice.robust.samples_solve import solve_samples
from planner.advice.robust.sampling import draw, parameters
from planner.model import AllocationModel, build_model
from planner.results import chosen_starts, plain, plan_table, records
from planner.scenario import Scenario
from planner.solver import SolveOptions, StageSolver
from planner.status import Status

log = logging.getLogger(__name__)

#: HiGHS options of the sample solves: with a start that already meets every rule, HiGHS's
#: restarts at the root node repeat work (measured on Uzbekistan: 10.6 -> 5.4 s a sample, same optima).
SAMPLE_HIGHS = {"mip_allow_restart": False}


class RobustError(Exception):
    """The scenario has no deterministic plan to start from (infeasible or stopped)."""

    def __init__(self, status: Status, message: str):
        self.status = status
        super().__init__(message)


@dataclass
class PlanProfile:
    """One plan (deterministic or robust): its stages at the point estimates, its measure of each
    sample-dependent stage, its projects and its risk profile."""

    label: str
    values: np.ndarray | None
    stages: list[tuple[str, float]] = field(default_factory=list)
    measures: list[tuple[str, float]] = field(default_factory=list)
    projects: pd.DataFrame = field(default_factory=pd.DataFrame)
    risk: pd.DataFrame = field(default_factory=pd.DataFrame)
    distribution: np.ndarray | None = None  # the principal stage in every sample
    status: str = "optimal"

    @property
    def objective(self) -> float | None:
        return self.stages[-1][1] if self.stages else None

    @property
    def measure_value(self) -> float | None:
        return self.measures[0][1] if self.measures else None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "objective": plain(self.objective),
                "stages": [{"name": n, "value": plain(v)} for n, v in self.stages],
                "measure_value": plain(self.measure_value),
                "measures": [{"name": n, "value": plain(v)} for n, v in self.measures],
                "projects": records(self.projects),
                "risk": records(self.risk[["name", "p10", "p50", "p90", "p_met"]]) if len(self.risk) else []}


@dataclass
class Robustness:
    """What ``planner robust`` reports (``to_json`` is its ``--json`` object)."""

    scenario: str
    samples: int
    seed: int
    measure: str
    alpha: float
    core_index: pd.DataFrame
    deterministic: PlanProfile
    robust: PlanProfile
    price: pd.DataFrame
    uncertain: pd.DataFrame
    principal: str | None
    sample_status: dict[str, int] = field(default_factory=dict)
    regret: Regret | None = None
    run: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def price_of_robustness(self) -> dict[str, Any]:
        """The first stage in which the robust plan gives something up at the point estimates."""
        given = self.price[self.price["given_up"].abs() > 1e-9 * np.maximum(1.0, self.price["deterministic"].abs())] \
            if len(self.price) else self.price
        first = given.iloc[0] if len(given) else None
        return {"stage": None if first is None else first["stage"],
                "value": 0.0 if first is None else float(first["given_up"]),
                "relative": None if first is None or not first["deterministic"] else
                float(first["given_up"] / abs(first["deterministic"])),
                "stages": records(self.price)}

    @property
    def exit_code(self) -> int:
        return Status(self.robust.status).exit_code if self.robust.status in set(Status) else 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "scenario": self.scenario, "samples": self.samples, "seed": self.seed, "measure": self.measure,
            "alpha": self.alpha,
            "core_index": records(self.core_index[["project", "share", "low", "high"]]),
            "deterministic": self.deterministic.to_json(), "robust": self.robust.to_json(),
            "price_of_robustness": self.price_of_robustness,
            "principal_stage": self.principal,
            "sample_status": dict(self.sample_status),
            "figures": plain(self.figures),
        }
        if self.regret is not None:
            data["regret"] = self.regret.to_json()
        return data


def _profile(label: str, model: AllocationModel, evaluation: Evaluation, at_point: Evaluation,
             values: np.ndarray, measure: str, alpha: float) -> PlanProfile:
    stages = [(n, float(at_point.stages[0, j])) for j, n in enumerate(at_point.names)]
    measures = [(n, measure_of(evaluation.stages[:, j], measure, alpha, evaluation.minimised[j]))
                for j, n in enumerate(evaluation.names) if evaluation.varies[j]]
    principal = next((j for j, v in enumerate(evaluation.varies) if v), None)
    return PlanProfile(label, values, stages, measures, plan_table(model, chosen_starts(model, values)),
                       risk_table(model, evaluation),
                       evaluation.stages[:, principal] if principal is not None else None)


def _price(deterministic: PlanProfile, robust: PlanProfile, minimised: list[bool]) -> pd.DataFrame:
    rows = []
    for (name, det), (_, rob), low in zip(deterministic.stages, robust.stages, minimised):
        rows.append({"stage": name, "deterministic": det, "robust": rob, "given_up": rob - det if low else det - rob})
    return pd.DataFrame(rows, columns=["stage", "deterministic", "robust", "given_up"])


def uncertain_table(model: AllocationModel) -> pd.DataFrame:
    """The impacts with a range and the partners with a reliability below 1, as the workbook has them."""
    params = parameters(model)
    table = params.table[params.table["ranged"]]
    rows = [{"what": f"Impacts!{int(r.excel_row)}", "project": r.project, "indicator": r.indicator, "region": r.region,
             "low": r.low, "value": r.value, "high": r.high} for r in table.itertuples(index=False)]
    for partner, reliability in zip(params.partners, params.reliability):
        if reliability < 1:
            rows.append({"what": f"partner {partner}", "project": ", ".join(
                model.index.projects.index[model.index.projects["partner"] == partner]),
                "indicator": "reliability", "region": None, "low": None, "value": float(reliability), "high": None})
    return pd.DataFrame(rows, columns=["what", "project", "indicator", "region", "low", "value", "high"])


def robust_analysis(scenario: Scenario, options: SolveOptions, samples: int = 200, seed: int = 1,
                    measure: str = "cvar", alpha: float = 0.1, workers: int = 1, dask_address: str | None = None,
                    variants: list[Scenario] | None = None, relative: bool = False,
                    progress: Callable[[str, int, int], None] | None = None) -> Robustness:
    """Everything ``planner robust`` computes for ``scenario`` (see the module docstring).

    ``variants``: the futures besides the base for least regret (the base is named ``base``).
    ``progress(step, done, total)`` hears about the sample solves.
    Raises :class:`RobustError` when the deterministic scenario has no plan.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r} (one of: {', '.join(MEASURES)})")
    if not 0 < alpha <= 1:
        raise ValueError("alpha must be in (0, 1]")
    if samples < 1:
        raise ValueError("samples must be at least 1")
    figures: dict[str, Any] = {}
    began = time.perf_counter()
    model = build_model(scenario)
    deterministic = StageSolver(model, options).solve()
    figures["deterministic_seconds"] = round(time.perf_counter() - began, 3)
    if deterministic.values is None:
        raise RobustError(deterministic.status, f"the scenario has no plan at the point estimates: "
                          f"{deterministic.status} {deterministic.message}".strip())
    params = parameters(model)
    outcome = outcomes(model, params)
    if not params.uncertain:
        log.warning("no impact has a range and every partner's reliability is 1: every sample is the point estimate")
    if len(scenario.tables["Equity"]) and params.uncertain:
        log.warning("equity rules and the maxmin floor are held at the point estimates (models/robust.md)")
    drawn = draw(params, samples, seed)
    varies = params.varying
    goal_varies = np.zeros(len(model.index.goals), dtype=bool)
    goal_varies[np.unique(outcome.goals.rows[outcome.goals.varying(varies)])] = True
    benefit_varies = bool(outcome.benefit.varying(varies).any())
    sample_options = _sample_options(options)
    counted = [0]

    def told(n: int) -> None:
        counted[0] += n
        if progress is not None:
            progress("sample optima", counted[0], samples)

    began = time.perf_counter()
    solved = solve_samples(scenario, sample_options, deterministic.values, drawn.theta, workers, dask_address, told,
                           model=model)
    figures["sample_seconds"] = round(time.perf_counter() - began, 3)
    status_counts: dict[str, int] = {}
    for r in solved:
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + 1
    if progress is not None:
        progress("robust plan", 0, 1)
    began = time.perf_counter()
    robust = solve_robust(scenario, options, drawn.theta, measure, alpha, deterministic.values, model=model)
    figures["robust_seconds"] = round(time.perf_counter() - began, 3)
    figures["model_size"] = {"deterministic": dict(zip(("rows", "columns", "nonzeros"), robust.before)),
                             "robust": dict(zip(("rows", "columns", "nonzeros"), robust.after))}
    base = params.base[None, :]

    def profile(label: str, values: np.ndarray) -> PlanProfile:
        return _profile(label, model, evaluate(model, outcome, drawn.theta, values, benefit_varies, goal_varies),
                        evaluate(model, outcome, base, values, benefit_varies, goal_varies), values, measure, alpha)

    det_profile = profile("deterministic", deterministic.values)
    det_profile.status = str(deterministic.status)
    if robust.values is not None:
        rob_profile = profile("robust", robust.values)
        rob_profile.status = str(robust.result.status)
    else:
        rob_profile = PlanProfile("robust", None, status=str(robust.result.status))
    minimised = [s.sign > 0 for s in model.stages if s.reported]
    price = _price(det_profile, rob_profile, minimised) if robust.values is not None else pd.DataFrame(
        columns=["stage", "deterministic", "robust", "given_up"])
    shares = [r["shares"] for r in solved]
    index = core_index(model, shares, _shares(model, deterministic.values),
                       _shares(model, robust.values) if robust.values is not None else None)
    evaluation_names = [s.name for s in model.stages if s.reported]
    principal = next((n for n, v in zip(evaluation_names, _varies(model, goal_varies, benefit_varies)) if v), None)
    result = Robustness(scenario=scenario.name, samples=samples, seed=seed, measure=measure, alpha=alpha,
                        core_index=index, deterministic=det_profile, robust=rob_profile, price=price,
                        uncertain=uncertain_table(model), principal=principal, sample_status=status_counts,
                        figures=figures)
    if variants is not None:
        from planner.advice.robust.regret import least_regret

        began = time.perf_counter()
        result.regret = least_regret([scenario, *variants], options, relative=relative, workers=workers,
                                     dask_address=dask_address)
        figures["regret_seconds"] = round(time.perf_counter() - began, 3)
    return result


def _varies(model: AllocationModel, goal_varies: np.ndarray, benefit_varies: bool) -> list[bool]:
    from planner.advice.robust.samples_solve import BENEFIT_STAGES

    u_offset = model.columns.offsets["u"]
    goals = model.index.goals
    soft = np.flatnonzero(~goals["hard"].to_numpy(dtype=bool)) if len(goals) else np.zeros(0, dtype=np.int64)
    found = []
    for stage in model.stages:
        if not stage.reported:
            continue
        if stage.name in BENEFIT_STAGES:
            found.append(benefit_varies)
            continue
        local = stage.cols - u_offset
        hit = local[(local >= 0) & (local < len(soft))]
        found.append(bool(len(hit) and goal_varies[soft[hit]].any()))
    return found


def _shares(model: AllocationModel, values: np.ndarray | None) -> np.ndarray | None:
    from planner.advice.robust.samples_solve import project_shares

    return None if values is None else project_shares(model, values)


def _sample_options(options: SolveOptions) -> SolveOptions:
    from dataclasses import replace

    return replace(options, highs={**SAMPLE_HIGHS, **options.highs})


__all__ = ["PlanProfile", "RobustError", "Robustness", "robust_analysis", "uncertain_table"]
