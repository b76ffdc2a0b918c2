"""The main job as verbs: load -> build -> solve -> extract -> write."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from planner.formulation import build_model
from planner.results import Answer, extract
from planner.scenario import Scenario, load_scenario
from planner.solve import SolveOptions, paused_garbage_collection, solve

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
    with paused_garbage_collection():
        model = build_model(scenario)
    built = time.perf_counter()
    result = solve(model, options)
    answer = extract(model, result)
    log.info("build %.2f s, hand-off %.2f s, solve %.2f s, extract %.2f s",
             built - started, result.handoff_seconds, result.solve_seconds,
             time.perf_counter() - built - result.handoff_seconds - result.solve_seconds)
    return answer


def run_record(path: Path, options: SolveOptions) -> dict[str, Any]:
    """Input file and SHA-256, versions, options and date: what it takes to reproduce a run."""
    from importlib.metadata import version

    from planner import __version__

    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return {
        "input file": Path(path).name,
        "input sha256": digest,
        "planner version": __version__,
        "pyomo version": version("pyomo"),
        "highspy version": version("highspy"),
        "options": f"mip_gap={options.mip_gap}, time_limit={options.time_limit}",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def default_results_path(path: Path) -> Path:
    """``<input>-results.xlsx`` beside the input."""
    return Path(path).with_name(f"{Path(path).stem}-results.xlsx")


def run_scenario(path: Path, time_limit: float | None = None, mip_gap: float | None = None,
                 verbose: bool = False, out: Path | None = None, variant: str | None = None,
                 fairness: bool = False, marginal: bool = False, step: float = 0.05) -> Answer:
    """Load, solve and (when ``out`` is given) write the results workbook of one file."""
    scenario = load_scenario(path, variant)
    for warning in scenario.warnings:
        log.warning("%s", warning)
    options = solve_options(scenario, time_limit, mip_gap, verbose)
    answer = solve_scenario(scenario, options)
    answer.run = run_record(path, options) | ({"variant": variant} if variant else {})
    if fairness:
        from planner.fairness import price_of_fairness

        answer.price_of_fairness = price_of_fairness(scenario, options)
    extra: dict = {}
    if answer.status == "infeasible":
        from planner.advice.diagnose import diagnose
        from planner.advice.workbooks import diagnosis_sheet

        answer.diagnosis = diagnose(scenario, options)
        extra["Diagnosis"] = diagnosis_sheet(answer.diagnosis)
    if marginal and answer.status in ("optimal", "feasible"):
        from planner.advice.marginal import marginal_table
        from planner.advice.workbooks import marginal_sheet

        answer.marginal = marginal_table(scenario, options, step=step)
        extra["Marginal"] = marginal_sheet(answer.marginal)
    if out is not None:
        from planner.report import write_results

        write_results(answer, out, extra_sheets=extra)
    return answer
