"""Scenario variants: named changes applied to the raw sheets before validation.

A Variants row changes, on ``sheet``, in the rows matching ``where``
(``column=value`` pairs separated by ``;``, blank = all rows), ``column``: set to
``set``, or multiplied by ``multiply``. Changes are applied to the values as
written, so the changed scenario goes through exactly the same checks as a
workbook edited by hand.
"""

from __future__ import annotations

import copy

import pandas as pd

from planner.errors import Problem
from planner.scenario import cells
from planner.scenario.reader import RawSheet, RawWorkbook
from planner.scenario.suggest import did_you_mean
from planner.scenario.tables import ROW


def variant_names(variants: pd.DataFrame) -> list[str]:
    """Variant names in the order they first appear."""
    return list(dict.fromkeys(v for v in variants["variant"] if v is not None))


def apply_variant(raw: RawWorkbook, variants: pd.DataFrame, name: str) -> tuple[RawWorkbook, list[Problem]]:
    """A copy of ``raw`` with variant ``name`` applied, and problems naming Variants rows."""
    changed = copy.deepcopy(raw)
    problems: list[Problem] = []
    rows = variants[variants["variant"] == name]
    if rows.empty:
        known = ", ".join(variant_names(variants)) or "none"
        return changed, [Problem("error", "Variants", None, "variant", f"unknown variant (known: {known})", name,
                                 hint=did_you_mean(name, variant_names(variants)))]
    for change in rows.to_dict("records"):
        problems += _apply(changed, change)
    return changed, problems


def _apply(raw: RawWorkbook, change: dict) -> list[Problem]:
    row = int(change[ROW])
    sheet = raw.get(str(change["sheet"]))
    if sheet is None:
        return [Problem("error", "Variants", row, "sheet", "no such sheet in the workbook", change["sheet"])]
    header = _header(sheet)
    column = str(change["column"]).strip().lower()
    if column not in header:
        return [Problem("error", "Variants", row, "column", f"sheet {sheet.name} has no such column", change["column"])]
    conditions, problems = _conditions(change, header, row)
    if problems:
        return problems
    has_set = not cells.is_blank(change["set"])
    has_factor = change["multiply"] is not None
    if has_set == has_factor:
        return [Problem("error", "Variants", row, "set", "give either set or multiply (exactly one)")]
    matched = 0
    for _, values in sheet.rows:
        if not all(_same(_cell(values, header[c]), v) for c, v in conditions):
            continue
        matched += 1
        position = header[column]
        while len(values) <= position:
            values.append(None)
        if has_set:
            values[position] = change["set"]
        else:
            try:
                values[position] = cells.parse_number(values[position]) * float(change["multiply"])
            except cells.CellError as exc:
                return [Problem("error", "Variants", row, "multiply",
                                f"cannot multiply {sheet.name}.{column}: {exc}", values[position])]
    if matched == 0:
        return [Problem("error", "Variants", row, "where", f"matches no row of {sheet.name}",
                        change["where"] or "all rows")]
    return []


def _header(sheet: RawSheet) -> dict[str, int]:
    return {str(h).strip().lower(): i for i, h in enumerate(sheet.header) if not cells.is_blank(h)}


def _conditions(change: dict, header: dict[str, int], row: int):
    conditions, problems = [], []
    text = change["where"] or ""
    for part in str(text).split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            problems.append(Problem("error", "Variants", row, "where", "expected column=value", part.strip()))
            continue
        column, value = (p.strip() for p in part.split("=", 1))
        if column.lower() not in header:
            problems.append(Problem("error", "Variants", row, "where", "no such column", column))
            continue
        conditions.append((column.lower(), value))
    return conditions, problems


def _cell(values: list, position: int):
    return values[position] if position < len(values) else None


def _same(cell, wanted: str) -> bool:
    """A cell matches a where-value when their texts agree (1.0 matches 1; case-insensitive)."""
    if cells.is_blank(cell):
        return wanted == ""
    return cells.parse_text(cell).lower() == wanted.lower()
