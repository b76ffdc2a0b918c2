"""Scenario workbooks: read, type-check and validate them against the contract.

``load_scenario(path)`` is the single entry point: it returns a validated
:class:`Scenario` (warnings attached) or raises :class:`ScenarioInvalid`
listing every problem at once, or :class:`WorkbookFileError` for a file that
cannot be read at all.
"""

from __future__ import annotations

from pathlib import Path

from planner.errors import Problem, ScenarioInvalid
from planner.scenario.data import Scenario
from planner.scenario.family_rules import check_families
from planner.scenario.reader import read_workbook
from planner.scenario.rules import check_all
from planner.scenario.schema import SHEETS
from planner.scenario.tables import read_settings, read_tables

__all__ = ["Scenario", "load_scenario", "check_scenario"]


def check_scenario(path: Path | str) -> tuple[Scenario | None, list[Problem]]:
    """Read and validate; return the scenario (None when there are errors) and all problems."""
    path = Path(path)
    raw = read_workbook(path, {s.name.lower() for s in SHEETS})
    tables, problems = read_tables(raw)
    problems = raw.problems + problems
    settings, setting_rows, setting_problems = read_settings(tables["Settings"])
    problems += setting_problems
    problems += check_all(tables, settings)
    problems += check_families(tables, settings)
    if any(p.severity == "error" for p in problems):
        return None, problems
    scenario = Scenario(settings=settings, tables=tables, setting_rows=setting_rows,
                        problems=problems, path=path)
    return scenario, problems


def load_scenario(path: Path | str) -> Scenario:
    """A validated scenario, or :class:`ScenarioInvalid` with every problem."""
    scenario, problems = check_scenario(path)
    if scenario is None:
        raise ScenarioInvalid(problems)
    return scenario
