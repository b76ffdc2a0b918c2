"""The main job as verbs: load -> build -> solve -> extract -> advise -> write.

:func:`run_scenario` is what ``planner solve`` does for one file; :func:`solve_loaded`
the same for a scenario already in memory (a notebook's edited copy). Both return a
:class:`Result`: the answer, the advice computed for it and the run record, with the
``--json`` object and the results workbook one call away.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from planner.advice.diagnose import diagnose, diagnose_goals
from planner.advice.diagnose.goals import SOLVE_BUDGET
from planner.advice.fairness import price_of_fairness
from planner.advice.findings import Findings
from planner.advice.marginal import marginal_table
from planner.output.brief import brief, brief_text
from planner.output.labels import language
from planner.output.results_workbook import write_figures, write_results
from planner.results import Answer, solve_scenario
from planner.scenario import Scenario, load_scenario
from planner.solver import Progress, SolveOptions
from planner.status import Status, note_stop, stops_noted
from planner.version import __version__

log = logging.getLogger(__name__)


@dataclass
class Result:
    """The outcome of solving one scenario, as an analyst uses it in a notebook.

    ``plan``, ``goals``, ``spending`` and ``regions`` are pandas DataFrames (the tables of
    ``--json``); ``findings`` holds the advice asked for (diagnosis of an infeasible
    scenario, marginal values, price of fairness).
    """

    answer: Answer
    findings: Findings = field(default_factory=Findings)
    scenario: Scenario | None = None

    @property
    def status(self) -> Status:
        return Status(self.answer.status)

    @property
    def objective(self) -> float | None:
        return self.answer.objective

    @property
    def stages(self) -> list[tuple[str, float]]:
        return self.answer.stages

    @property
    def plan(self) -> pd.DataFrame:
        return self.answer.projects

    @property
    def goals(self) -> pd.DataFrame:
        return self.answer.goals

    @property
    def spending(self) -> pd.DataFrame:
        return self.answer.spending

    @property
    def regions(self) -> pd.DataFrame:
        return self.answer.regions

    @property
    def exit_code(self) -> int:
        return self.status.exit_code

    def to_json(self) -> dict[str, Any]:
        """The ``planner solve --json`` object."""
        return self.answer.to_json() | self.findings.to_json()

    def to_excel(self, path: Path | str, force: bool = False, lang: str | None = None,
                 figures: Path | str | None = None) -> Path:
        """Write the results workbook (atomically) and return its path: in ``lang`` (en, ru, uz;
        default Settings.language, else English), with the map also as PNG and SVG in the folder
        ``figures`` when given. Never over the input workbook; an existing file the planner did not
        write is replaced only with ``force`` (:class:`planner.errors.OutputError` otherwise).
        """
        source = self.scenario.path if self.scenario is not None else None
        return write_results(self.answer, Path(path), self.findings, force=force,
                             protect=[source] if source is not None else [], lang=lang,
                             figures=Path(figures) if figures is not None else None)

    def brief(self, lang: str | None = None) -> str:
        """The Brief (what the plan funds, gets and misses) as text, in ``lang``."""
        return brief_text(brief(self.answer, self.findings, language(lang or self.answer.language)))

    def __repr__(self) -> str:
        objective = "" if self.objective is None else f", objective={self.objective:,.6g}"
        return f"<Result {self.answer.scenario}: {self.status}{objective}, {len(self.plan)} plan rows>"


def run_record(path: Path | None, options: SolveOptions) -> dict[str, Any]:
    """Input file and SHA-256, versions, options and date: what it takes to reproduce a run."""
    record: dict[str, Any] = {}
    if path is not None:
        record["input file"] = Path(path).name
        record["input sha256"] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return record | {
        "planner version": __version__,
        "pyomo version": version("pyomo"),
        "highspy version": version("highspy"),
        "options": f"mip_gap={options.mip_gap}, time_limit={options.time_limit}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def default_results_path(path: Path) -> Path:
    """``<input>-results.xlsx`` beside the input."""
    return Path(path).with_name(f"{Path(path).stem}-results.xlsx")


def solve_loaded(scenario: Scenario, options: SolveOptions, fairness: bool = False,
                 marginal: bool = False, step: float = 0.05, explain_goals: bool = True,
                 progress: Progress | None = None) -> Result:
    """Solve a validated scenario and add the advice asked for: a diagnosis when infeasible, and
    (unless ``explain_goals`` is False) why each missed soft goal is missed and what it would take.

    Once the solve is done nothing loses it: after Ctrl-C or SIGTERM (during the solve or
    the advice) the remaining advice is skipped and the answer is returned.
    """
    mark = stops_noted()
    answer = solve_scenario(scenario, options, progress)
    findings = Findings()
    try:
        source = scenario.path if scenario.path is not None and Path(scenario.path).is_file() else None
        answer.run = run_record(source, options) | ({"variant": scenario.variant} if scenario.variant else {})
        if fairness and stops_noted() == mark:
            findings.price_of_fairness = price_of_fairness(scenario, options)
        if answer.status == Status.infeasible and stops_noted() == mark:
            findings.diagnosis = diagnose(scenario, options)
        if marginal and Status(answer.status).solved and stops_noted() == mark:
            findings.marginal = marginal_table(scenario, options, step=step)
        # Explained only for a proven optimum: the goals of a plan stopped by the time limit are
        # missed for a reason the solver did not finish finding.
        if explain_goals and answer.status == Status.optimal and stops_noted() == mark:
            findings.goals = diagnose_goals(scenario, answer, options, budget=options.time_limit or SOLVE_BUDGET)
    except KeyboardInterrupt as interrupt:
        note_stop(interrupt)
        log.warning("stopped: the advice not yet computed is left out")
    return Result(answer, findings, scenario)


def run_scenario(path: Path, time_limit: float | None = None, mip_gap: float | None = None,
                 verbose: bool = False, out: Path | None = None, variant: str | None = None,
                 fairness: bool = False, marginal: bool = False, step: float = 0.05,
                 explain_goals: bool = True, progress: Progress | None = None, lang: str | None = None,
                 figures: Path | None = None) -> Result:
    """Load, solve and (when ``out`` is given) write the results workbook of one file (in ``lang``,
    with the map also in the folder ``figures`` when given)."""
    scenario = load_scenario(path, variant)
    for warning in scenario.warnings:
        log.warning("%s", warning)
    options = SolveOptions.from_settings(scenario.settings, time_limit, mip_gap, verbose)
    result = solve_loaded(scenario, options, fairness=fairness, marginal=marginal, step=step,
                          explain_goals=explain_goals, progress=progress)
    if result.answer.spread.get("warning"):
        log.warning("%s", result.answer.spread["text"])
    if out is not None:
        result.to_excel(out, lang=lang, figures=figures)
    elif figures is not None:
        write_figures(result.answer, figures, language(lang or result.answer.language))
    return result


__all__ = ["Result", "default_results_path", "run_record", "run_scenario", "solve_loaded"]
