"""The Python API for analysts: load, solve, compare and advise from a notebook.

Every function takes a workbook path or a :class:`~planner.scenario.Scenario` (from
:func:`load`, possibly edited: its ``tables`` are pandas DataFrames) and returns
objects whose tables are DataFrames. Bad input raises :class:`ScenarioInvalid`
carrying every located problem (``.problems``, each with ``sheet``, ``row``,
``column``, ``message``), including a file that cannot be read at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from planner.advice.alternatives import Alternatives, find_alternatives
from planner.advice.diagnose import Diagnosis
from planner.advice.diagnose import diagnose as diagnose_scenario
from planner.advice.fairness import price_of_fairness as fairness_of
from planner.advice.frontier import Frontier, budget_frontier, goal_frontier
from planner.advice.marginal import marginal_table
from planner.advice.robust import Robustness, robust_analysis
from planner.comparison import (
    Job,
    Outcome,
    allocation_by_region,
    exit_code,
    file_titles,
    goals_matrix,
    input_differences,
    make_jobs,
    overview,
    projects_matrix,
    run_jobs,
    unique_labels,
)
from planner.errors import Problem, ScenarioInvalid, WorkbookFileError
from planner.output.comparison_workbook import write_comparison
from planner.output.robust_workbook import write_robust
from planner.pipeline import Result, run_record, solve_loaded
from planner.scenario import Scenario, load_scenario, revalidate
from planner.scenario.variants import variant_names
from planner.solver import SolveOptions
from planner.status import Status

ScenarioLike = Scenario | str | os.PathLike


def load(path: str | os.PathLike, variant: str | None = None) -> Scenario:
    """A validated scenario (optionally one of its variants); its ``tables`` are DataFrames."""
    try:
        return load_scenario(Path(path), variant)
    except WorkbookFileError as exc:
        raise ScenarioInvalid([Problem("error", Path(path).name, None, None, str(exc))]) from exc


def _scenario(item: ScenarioLike, variant: str | None = None) -> Scenario:
    if isinstance(item, Scenario):
        if variant is not None:
            raise ValueError("variant applies to a workbook path; a loaded scenario is already one variant")
        return revalidate(item)
    return load(item, variant)


def _options(scenario: Scenario, time_limit: float | None, mip_gap: float | None) -> SolveOptions:
    return SolveOptions.from_settings(scenario.settings, time_limit=time_limit, mip_gap=mip_gap)


def solve(scenario: ScenarioLike, variant: str | None = None, time_limit: float | None = None,
          mip_gap: float | None = None, marginal: bool = False, price_of_fairness: bool = False,
          explain_goals: bool = True) -> Result:
    """Solve a scenario: ``status``, ``objective``, ``stages``, and DataFrames ``plan``, ``goals``,
    ``spending``, ``regions``; ``to_excel(path)`` and ``to_json()``. An infeasible scenario comes
    back with ``status`` "infeasible" and its diagnosis in ``findings.diagnosis``."""
    loaded = _scenario(scenario, variant)
    return solve_loaded(loaded, _options(loaded, time_limit, mip_gap), fairness=price_of_fairness,
                        marginal=marginal, explain_goals=explain_goals)


def diagnose(scenario: ScenarioLike, variant: str | None = None, time_limit: float | None = None,
             goal: str | None = None) -> Diagnosis:
    """Why a scenario is infeasible, in workbook terms, and the cheapest repairs; for a feasible one,
    why each missed soft goal (or only ``goal``) is missed and what it would take (``.goals``)."""
    loaded = _scenario(scenario, variant)
    return diagnose_scenario(loaded, _options(loaded, time_limit, None), goal=goal)


def marginal(scenario: ScenarioLike, step: float = 0.05, variant: str | None = None,
             time_limit: float | None = None) -> pd.DataFrame:
    """What a step more money in each binding budget buys (one row per budget)."""
    loaded = _scenario(scenario, variant)
    return marginal_table(loaded, _options(loaded, time_limit, None), step=step)


def frontier(scenario: ScenarioLike, fund: str | None = None, start: float = 0.5, stop: float = 1.5,
             steps: int = 11, goal: str | None = None, workers: int = 1, variant: str | None = None,
             time_limit: float | None = None) -> Frontier:
    """Budgets of ``fund`` (all funds when None) scaled from ``start`` to ``stop``; or, with
    ``goal``, that goal's target swept at the cheapest cost. ``.points`` is a DataFrame."""
    loaded = _scenario(scenario, variant)
    options = _options(loaded, time_limit, None)
    if goal is not None:
        return goal_frontier(loaded, goal, start, stop, steps, options, workers)
    return budget_frontier(loaded, fund, start, stop, steps, options, workers)


def alternatives(scenario: ScenarioLike, slack: float = 0.05, count: int = 5, variant: str | None = None,
                 time_limit: float | None = None) -> Alternatives:
    """Near-optimal plans that differ most from the optimum; ``.overview()``, ``.classes()``."""
    loaded = _scenario(scenario, variant)
    return find_alternatives(loaded, slack, count, _options(loaded, time_limit, None))


def price_of_fairness(scenario: ScenarioLike, variant: str | None = None,
                      time_limit: float | None = None) -> dict[str, Any]:
    """Benefit of the most beneficial plan without and with the Equity rules, and what changes."""
    loaded = _scenario(scenario, variant)
    return fairness_of(loaded, _options(loaded, time_limit, None))


@dataclass
class Robust:
    """What ``planner robust`` computes: ``core_index``, the ``deterministic`` and ``robust`` plans (each
    with ``stages``, ``measures``, ``projects`` and ``risk`` DataFrames), ``price_of_robustness`` and,
    with variants, ``regret``; ``to_json()`` and ``to_excel(path)``."""

    analysis: Robustness
    sources: list[Path] = field(default_factory=list)

    @property
    def core_index(self) -> pd.DataFrame:
        return self.analysis.core_index

    @property
    def deterministic(self):
        return self.analysis.deterministic

    @property
    def robust(self):
        return self.analysis.robust

    @property
    def price_of_robustness(self) -> dict[str, Any]:
        return self.analysis.price_of_robustness

    @property
    def regret(self):
        return self.analysis.regret

    def to_json(self) -> dict[str, Any]:
        return self.analysis.to_json()

    def to_excel(self, path: str | os.PathLike, force: bool = False) -> Path:
        """Write the robust workbook (atomically); never over the input workbook, and over an existing
        file the planner did not write only with ``force``."""
        return write_robust(self.analysis, Path(path), force=force, protect=self.sources)


def robust(scenario: ScenarioLike, samples: int = 200, seed: int = 1, measure: str = "cvar", alpha: float = 0.1,
           variants: bool = False, relative: bool = False, workers: int = 1, dask: str | None = None,
           variant: str | None = None, time_limit: float | None = None, mip_gap: float | None = None) -> Robust:
    """Samples of the uncertain impacts and partner deliveries: the core index, the risk profiles of the
    deterministic and the robust plan, the robust plan and its price; with ``variants`` (a workbook path),
    the least-regret plan across the base and its variants. See models/robust.md."""
    loaded = _scenario(scenario, variant)
    futures = None
    if variants:
        if isinstance(scenario, Scenario):
            raise ValueError("variants applies to a workbook path")
        futures = [load(scenario, name) for name in variant_names(loaded.tables["Variants"])]
    options = _options(loaded, time_limit, mip_gap)
    analysis = robust_analysis(loaded, options, samples=samples, seed=seed, measure=measure, alpha=alpha,
                               workers=workers, dask_address=dask, variants=futures, relative=relative)
    source = loaded.path if loaded.path is not None and Path(loaded.path).is_file() else None
    analysis.run = run_record(source, options) | {"samples": samples, "seed": seed, "measure": measure, "alpha": alpha}
    return Robust(analysis, [Path(source)] if source is not None else [])


@dataclass
class Comparison:
    """Several scenarios solved side by side; every table is a DataFrame."""

    outcomes: list[Outcome] = field(default_factory=list)
    #: The workbooks compared (never overwritten by :meth:`to_excel`).
    sources: list[Path] = field(default_factory=list)

    @property
    def overview(self) -> pd.DataFrame:
        """One row per scenario: status, objective, money used, goals met, stage values."""
        return overview(self.outcomes)

    @property
    def allocation(self) -> pd.DataFrame:
        """Region x scenario: money invested, per capita, and indicator gains at the end."""
        return allocation_by_region(self.outcomes)

    @property
    def projects(self) -> pd.DataFrame:
        """Project x scenario start year, and whether it is chosen in every scenario."""
        return projects_matrix(self.outcomes)

    @property
    def goals(self) -> pd.DataFrame:
        """Goal x scenario shortfall."""
        return goals_matrix(self.outcomes)

    @property
    def inputs(self) -> pd.DataFrame:
        """The input cells that differ between the scenarios."""
        return input_differences(self.outcomes)

    @property
    def status(self) -> Status:
        return Status(_status_of(exit_code(self.outcomes)))

    def to_excel(self, path: str | os.PathLike, force: bool = False,
                 figures: str | os.PathLike | None = None) -> Path:
        """Write the comparison workbook (atomically); never over a compared workbook, and over an
        existing file the planner did not write only with ``force``; with ``figures``, its map also
        as PNG and SVG there."""
        return write_comparison(self.outcomes, Path(path), force=force, protect=self.sources,
                                figures=Path(figures) if figures is not None else None)


def _status_of(code: int) -> str:
    return next(s for s in (Status.optimal, Status.invalid, Status.infeasible, Status.no_solution,
                            Status.interrupted) if s.exit_code == code)


def compare(scenarios: list[ScenarioLike], variants: bool = False, workers: int = 1,
            dask: str | None = None, time_limit: float | None = None, mip_gap: float | None = None) -> Comparison:
    """Solve workbooks (with every variant when ``variants``) and loaded scenarios side by side.

    Every scenario gets a label of its own: files with one name in different folders are told
    apart by their folder, and a label still taken gets a number (``minimal (2)``).
    """
    files = [Path(s) for s in scenarios if not isinstance(s, Scenario)]
    titles = iter(file_titles(files))
    per_item: list[list[Job]] = []
    for item in scenarios:
        if isinstance(item, Scenario):
            per_item.append([])
        else:
            title = next(titles)
            per_item.append([replace(job, title=title)
                             for job in make_jobs([Path(item)], variants, time_limit, mip_gap)])
    solved = iter(run_jobs([job for jobs in per_item for job in jobs], workers=workers, dask_address=dask))
    ordered: list[Outcome] = []
    for item, jobs in zip(scenarios, per_item):
        if isinstance(item, Scenario):
            result = solve(item, time_limit=time_limit, mip_gap=mip_gap, explain_goals=False)
            inputs = {n: t.drop(columns=["row"], errors="ignore") for n, t in item.tables.items() if n != "Variants"}
            ordered.append(Outcome(item.name, result.status, result.answer,
                                   "" if result.status.solved else result.answer.message, inputs))
        else:
            ordered += [next(solved) for _ in jobs]
    for outcome, label in zip(ordered, unique_labels([o.label for o in ordered])):
        outcome.label = label
    sources = [s.path for s in scenarios if isinstance(s, Scenario) and s.path is not None] + files
    return Comparison(ordered, sources)


__all__ = ["Comparison", "Result", "Robust", "Scenario", "Status", "alternatives", "compare", "diagnose",
           "frontier", "load", "marginal", "price_of_fairness", "robust", "solve"]
