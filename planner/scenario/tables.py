"""Typed tables from raw sheets, following the declared contract.

Each declared sheet becomes a :class:`pandas.DataFrame` with one column per
declared column (defaults filled in) and a ``row`` column holding the Excel
row number, so that any later rule can point the planner at the cell.
Every problem is collected; nothing stops at the first one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from planner.errors import Problem
from planner.scenario import cells
from planner.scenario.reader import RawSheet, RawWorkbook
from planner.scenario.schema import SETTINGS, SETTINGS_BY_KEY, SHEETS, Column, Setting, Sheet
from planner.scenario.suggest import did_you_mean

ROW = "row"


def parse_value(spec: Column | Setting, value: Any) -> Any:
    """Convert one raw cell to the declared type, or raise :class:`cells.CellError`."""
    parsers: dict[str, Callable[[Any], Any]] = {
        "id": cells.parse_id,
        "text": cells.parse_text,
        "number": cells.parse_number,
        "int": cells.parse_int,
        "year": cells.parse_year,
        "bool": cells.parse_bool,
        "ids": cells.parse_ids,
        "enum": lambda v: cells.parse_enum(v, spec.choices),
        "any": lambda v: v,
    }
    typed = parsers[spec.type](value)
    if spec.type in ("number", "int") and typed is not None:
        _check_range(spec, typed)
    return typed


def _check_range(spec: Column | Setting, number: float) -> None:
    if spec.minimum is not None:
        if spec.exclusive_minimum and number <= spec.minimum:
            raise cells.CellError(f"must be above {spec.minimum:g}")
        if not spec.exclusive_minimum and number < spec.minimum:
            raise cells.CellError(f"must be at least {spec.minimum:g}")
    if spec.maximum is not None:
        if spec.exclusive_maximum and number >= spec.maximum:
            raise cells.CellError(f"must be below {spec.maximum:g}")
        if not spec.exclusive_maximum and number > spec.maximum:
            raise cells.CellError(f"must be at most {spec.maximum:g}")


def empty_table(sheet: Sheet) -> pd.DataFrame:
    """A table with the sheet's columns and no rows (an absent optional sheet)."""
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in sheet.columns} | {ROW: pd.Series(dtype=int)})


def read_tables(raw: RawWorkbook) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Typed tables for every declared sheet, keyed by the declared sheet name."""
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for sheet in SHEETS:
        found = raw.get(sheet.name)
        if found is None:
            if sheet.required:
                problems.append(Problem("error", sheet.name, None, None,
                                        "required sheet is missing"))
            tables[sheet.name] = empty_table(sheet)
            continue
        if not sheet.required and not found.rows and all(cells.is_blank(h) for h in found.header):
            tables[sheet.name] = empty_table(sheet)  # an empty optional sheet = no rows
            continue
        table, sheet_problems = _typed_table(sheet, found)
        tables[sheet.name] = table
        problems += sheet_problems
    return tables, problems


def _typed_table(sheet: Sheet, raw: RawSheet) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    positions = _column_positions(sheet, raw, problems)
    missing = [c for c in sheet.columns if c.required and c.name not in positions]
    for column in missing:
        problems.append(Problem("error", raw.name, 1, column.name, "required column is missing"))
    records: list[dict[str, Any]] = []
    for excel_row, values in raw.rows:
        record: dict[str, Any] = {ROW: excel_row}
        for column in sheet.columns:
            position = positions.get(column.name)
            value = values[position] if position is not None and position < len(values) else None
            record[column.name] = _typed_cell(raw.name, excel_row, column, value, problems)
        records.append(record)
    table = pd.DataFrame(records, columns=[c.name for c in sheet.columns] + [ROW], dtype=object)
    table[ROW] = table[ROW].astype(int)
    problems += _duplicate_keys(sheet, raw.name, table)
    return table, problems


def _column_positions(sheet: Sheet, raw: RawSheet, problems: list[Problem]) -> dict[str, int]:
    declared = {c.name for c in sheet.columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(raw.header):
        if cells.is_blank(cell):
            continue
        name = str(cell).strip().lower()
        if name in positions:
            problems.append(Problem("error", raw.name, 1, name, "column appears twice in the header"))
        elif name in declared:
            positions[name] = index
        else:
            problems.append(Problem("warning", raw.name, 1, str(cell).strip(),
                                    "unknown column; it is ignored", hint=did_you_mean(name, declared)))
    return positions


def _typed_cell(sheet_name: str, row: int, column: Column, value: Any,
                problems: list[Problem]) -> Any:
    if cells.is_blank(value):
        if column.required:
            problems.append(Problem("error", sheet_name, row, column.name, "value is missing"))
        return column.default
    try:
        return parse_value(column, value)
    except cells.CellError as exc:
        problems.append(Problem("error", sheet_name, row, column.name, str(exc), value))
        return None


def _duplicate_keys(sheet: Sheet, sheet_name: str, table: pd.DataFrame) -> list[Problem]:
    if not sheet.key or table.empty:
        return []
    keys = table[list(sheet.key)].astype(str)
    duplicated = keys.duplicated(keep="first")
    problems = []
    for _, record in table[duplicated].iterrows():
        value = ", ".join(str(record[k]) for k in sheet.key if record[k] is not None)
        problems.append(Problem("error", sheet_name, int(record[ROW]), sheet.key[0],
                                f"duplicate {' + '.join(sheet.key)}", value))
    return problems


def read_settings(table: pd.DataFrame) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """Typed settings with defaults, the Excel row of each key, and problems."""
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    rows: dict[str, int] = {}
    problems: list[Problem] = []
    for record in table.itertuples(index=False):
        key = str(record.key or "").strip().lower()
        row = int(getattr(record, ROW))
        raw_value = record.value
        if not key:
            continue
        spec = SETTINGS_BY_KEY.get(key)
        if spec is None:
            problems.append(Problem("warning", "Settings", row, "key", "unknown setting; it is ignored", key,
                                    hint=did_you_mean(key, SETTINGS_BY_KEY)))
            continue
        rows[key] = row
        if cells.is_blank(raw_value):
            continue
        try:
            values[key] = parse_value(spec, raw_value)
        except cells.CellError as exc:
            problems.append(Problem("error", "Settings", row, "value", f"{key}: {exc}", raw_value))
    for spec in SETTINGS:
        if spec.required and (spec.key not in rows or values[spec.key] is None):
            if not any(p.severity == "error" and p.message.startswith(spec.key + ":") for p in problems):
                problems.append(Problem("error", "Settings", rows.get(spec.key), "value",
                                        f"{spec.key}: required setting is missing"))
    return values, rows, problems
