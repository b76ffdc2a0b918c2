"""Scenario workbooks: read, type-check and validate them against the contract.

``load_scenario(path, variant=None)`` is the single entry point: it returns a
validated :class:`Scenario` (warnings attached) or raises
:class:`ScenarioInvalid` listing every problem at once, or
:class:`WorkbookFileError` for a file that cannot be read at all.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import Problem, ScenarioInvalid
from planner.scenario.candidate_checks import check_candidates
from planner.scenario.checks import check_all
from planner.scenario.data import Scenario
from planner.scenario.family_checks import check_families
from planner.scenario.goal_checks import goal_hygiene
from planner.scenario.reader import RawWorkbook, read_workbook
from planner.scenario.realism_checks import check_realism
from planner.scenario.schema import SHEETS
from planner.scenario.tables import ROW, read_settings, read_tables
from planner.scenario.uncertainty import check_uncertainty
from planner.scenario.variants import apply_variant, variant_names

__all__ = ["Scenario", "check_scenario", "check_tables", "list_variants", "load_scenario", "revalidate"]

WANTED = {s.name.lower() for s in SHEETS}


def _validate(raw: RawWorkbook, path: Path) -> tuple[Scenario | None, list[Problem]]:
    scenario, problems, _ = _read(raw, path)
    return scenario, problems


def _read(raw: RawWorkbook, path: Path) -> tuple[Scenario | None, list[Problem], dict[str, pd.DataFrame]]:
    """Typed tables and every problem of a raw workbook; the scenario is None when there are errors."""
    tables, problems = read_tables(raw)
    problems = raw.problems + problems
    settings, setting_rows, setting_problems = read_settings(tables["Settings"])
    problems += setting_problems
    problems += check_tables(tables, settings)
    if any(p.severity == "error" for p in problems):
        return None, problems, tables
    return Scenario(settings=settings, tables=tables, setting_rows=setting_rows,
                    problems=problems, path=path), problems, tables


def check_tables(tables: dict[str, pd.DataFrame], settings: dict[str, Any]) -> list[Problem]:
    """The contract's cross-sheet rules on typed tables (references, windows, families, investment realism,
    goals, candidates, uncertainty)."""
    return (check_all(tables, settings) + check_families(tables, settings) + check_realism(tables, settings)
            + goal_hygiene(tables, settings) + check_candidates(tables, settings) + check_uncertainty(tables))


def revalidate(scenario: Scenario) -> Scenario:
    """A fresh copy of a scenario whose tables were edited in code, checked again by the rules.

    Raises :class:`ScenarioInvalid` with every problem when an edit broke the contract.
    """
    problems = check_tables(scenario.tables, scenario.settings)
    if any(p.severity == "error" for p in problems):
        raise ScenarioInvalid(problems)
    return dataclasses.replace(scenario, tables=dict(scenario.tables), settings=dict(scenario.settings),
                               problems=problems)


def check_scenario(path: Path | str, variant: str | None = None,
                   check_variants: bool = True) -> tuple[Scenario | None, list[Problem]]:
    """Read and validate; return the scenario (None when there are errors) and all problems.

    With ``variant``, that variant's changes are applied first. Without it, every
    variant is also checked, and an invalid one is reported at its Variants rows.
    """
    path = Path(path)
    raw = read_workbook(path, WANTED)
    scenario, problems, tables = _read(raw, path)
    variants = tables["Variants"]
    if variant is not None:
        if scenario is None:
            return None, problems
        changed, change_problems = apply_variant(raw, variants, variant)
        if any(p.severity == "error" for p in change_problems):
            return None, change_problems
        result, problems = _validate(changed, path)
        if result is not None:
            result.variant = variant
        return result, [_in_variant(p, variant, variants) for p in problems]
    if check_variants:
        # Every variant is checked even when the base has errors (all problems in one pass); a
        # variant's own errors are those the base does not have already.
        known = {str(p) for p in problems if p.severity == "error"}
        for name in variant_names(variants):
            changed, change_problems = apply_variant(raw, variants, name)
            if not any(p.severity == "error" for p in change_problems):
                _, change_problems = _validate(changed, path)
            for p in change_problems:
                if p.sheet == "Variants" and str(p) not in known:
                    problems.append(p)
                elif p.severity == "error" and p.sheet != "Variants" and str(p) not in known:
                    problems.append(_in_variant(p, name, variants))
                known.add(str(p))
        if any(p.severity == "error" for p in problems):
            return None, problems
    return scenario, problems


def _in_variant(problem: Problem, name: str, variants) -> Problem:
    """Locate a problem of a variant at the variant's Variants rows."""
    if problem.sheet == "Variants":
        return problem
    rows = variants[variants["variant"] == name][ROW].tolist()
    where = f"rows {', '.join(map(str, rows))}" if len(rows) > 1 else f"row {rows[0]}" if rows else "?"
    return Problem(problem.severity, "Variants", rows[0] if rows else None, "variant",
                   f"variant {name} (Variants {where}) gives: {problem}")


def list_variants(path: Path | str) -> list[str]:
    """Names of the variants a valid workbook declares."""
    scenario = load_scenario(path)
    return variant_names(scenario.tables["Variants"])


def load_scenario(path: Path | str, variant: str | None = None) -> Scenario:
    """A validated scenario (optionally a variant of it), or :class:`ScenarioInvalid`."""
    scenario, problems = check_scenario(path, variant, check_variants=False)
    if scenario is None:
        raise ScenarioInvalid(problems)
    return scenario
