"""The main job as verbs: load -> build -> solve -> extract -> write."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from planner.formulation import build_model
from planner.results import Answer, extract
from planner.scenario import Scenario, load_scenario
from planner.solve import SolveOptions, solve

log = logging.getLogger(__name__)


def solve_options(scenario: Scenario, time_limit: float | None = None,
                  mip_gap: float | None = None, verbose: bool = False,
                  threads: int | None = None) -> SolveOptions:
    """Command-line options override the workbook's Settings."""
    settings = scenario.settings
    return SolveOptions(
        mip_gap=float(mip_gap if mip_gap is not None else settings.get("mip_gap") or 1e-4),
        time_limit=time_limit if time_limit is not None else settings.get("time_limit"),
        verbose=verbose,
        threads=threads,
    )


def solve_scenario(scenario: Scenario, options: SolveOptions) -> Answer:
    """Build, solve and extract the answer of a validated scenario."""
    started = time.perf_counter()
    model = build_model(scenario)
    built = time.perf_counter()
    result = solve(model, options)
    answer = extract(model, result)
    log.info("build %.2f s, hand-off %.2f s, solve %.2f s, extract %.2f s",
             built - started, result.handoff_seconds, result.solve_seconds,
             time.perf_counter() - built - result.handoff_seconds - result.solve_seconds)
    return answer


def run_scenario(path: Path, time_limit: float | None = None, mip_gap: float | None = None,
                 verbose: bool = False, out: Path | None = None) -> Answer:
    """Load, solve and (optionally) write the results workbook of one file."""
    scenario = load_scenario(path)
    for warning in scenario.warnings:
        log.warning("%s", warning)
    answer = solve_scenario(scenario, solve_options(scenario, time_limit, mip_gap, verbose))
    if out is not None and answer.status in ("optimal", "feasible", "interrupted"):
        from planner.report import write_results

        write_results(answer, out)
    return answer
