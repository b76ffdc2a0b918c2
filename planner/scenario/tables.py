"""Typed tables from raw sheets, following the declared contract.

Each declared sheet becomes a :class:`pandas.DataFrame` with one column per
declared column (defaults filled in) and a ``row`` column holding the Excel
row number, so that any later rule can point the planner at the cell.
Every problem is collected; nothing stops at the first one.

Ids are compared as a person reads them (:func:`planner.scenario.cells.clean`),
and two ids of one sheet's key that differ only by upper/lower case are an
error: to a person they are the same id. A sheet whose column names are not on
row 1 gets one message saying so, not one per column and row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from planner.errors import Problem
from planner.scenario import cells
from planner.scenario.reader import RawSheet, RawWorkbook
from planner.scenario.schema import MAX_HORIZON, SETTINGS, SETTINGS_BY_KEY, SHEETS, Column, Setting, Sheet
from planner.scenario.suggest import did_you_mean

ROW = "row"
#: Rows below row 1 searched for column names when row 1 holds none (a title above the table).
HEADER_SEARCH_ROWS = 20


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
    if abs(number) > cells.MAX_MAGNITUDE:
        raise cells.CellError(f"implausibly large: more than {cells.MAX_MAGNITUDE:.0e} in any unit; check the "
                              "unit and the number of zeros")
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
    misplaced = _header_not_on_row_1(sheet, raw)
    if misplaced is not None:
        return empty_table(sheet), [misplaced]
    problems: list[Problem] = []
    positions = _column_positions(sheet, raw, problems)
    missing = [c for c in sheet.columns if c.required and c.name not in positions]
    for column in missing:
        problems.append(Problem("error", raw.name, 1, column.name, "required column is missing"))
    records: list[dict[str, Any]] = []
    written: dict[tuple[int, str], str] = {}  # (row, column) -> id as written, when cleaning changed it
    for excel_row, values in raw.rows:
        record: dict[str, Any] = {ROW: excel_row}
        for column in sheet.columns:
            position = positions.get(column.name)
            value = values[position] if position is not None and position < len(values) else None
            record[column.name] = _typed_cell(raw.name, excel_row, column, value, problems)
            if column.type == "id" and isinstance(value, str) and record[column.name] not in (None, value.strip()):
                written[(excel_row, column.name)] = value
        records.append(record)
    table = pd.DataFrame(records, columns=[c.name for c in sheet.columns] + [ROW], dtype=object)
    table[ROW] = table[ROW].astype(int)
    problems += _duplicate_keys(sheet, raw.name, table, written)
    return table, problems


def _header_name(cell: Any) -> str:
    return cells.clean(str(cell)).lower()


def _header_not_on_row_1(sheet: Sheet, raw: RawSheet) -> Problem | None:
    """One message when row 1 names none of the sheet's columns (a title or blank rows above the table)."""
    declared = {c.name for c in sheet.columns}
    if any(_header_name(h) in declared for h in raw.header if not cells.is_blank(h)):
        return None
    expected = ", ".join(c.name for c in sheet.columns)
    for excel_row, values in raw.rows[:HEADER_SEARCH_ROWS]:
        if any(isinstance(v, str) and _header_name(v) in declared for v in values):
            return Problem("error", raw.name, 1, None,
                           f"the column names must be on row 1, but they are on row {excel_row} (a title or "
                           f"blank rows above the table?): delete rows 1-{excel_row - 1} in Excel or LibreOffice")
    return Problem("error", raw.name, 1, None,
                   f"row 1 names none of this sheet's columns ({expected}); put the column names on row 1")


def _column_positions(sheet: Sheet, raw: RawSheet, problems: list[Problem]) -> dict[str, int]:
    declared = {c.name for c in sheet.columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(raw.header):
        if cells.is_blank(cell):
            continue
        name = _header_name(cell)
        if name in positions:
            problems.append(Problem("error", raw.name, 1, name, "column appears twice in the header"))
        elif name in declared:
            positions[name] = index
        else:
            problems.append(Problem("warning", raw.name, 1, cells.clean(str(cell)),
                                    "unknown column; it is ignored", hint=did_you_mean(name, declared)))
    return positions


def _typed_cell(sheet_name: str, row: int, column: Column, value: Any,
                problems: list[Problem]) -> Any:
    if isinstance(value, cells.ExcelError):  # reported by the reader at its cell
        return value if column.type == "any" else None  # "any" is typed later (Settings.value)
    if cells.is_blank(value):
        if column.required:
            problems.append(Problem("error", sheet_name, row, column.name, "value is missing"))
        return column.default
    try:
        return parse_value(column, value)
    except cells.CellError as exc:
        problems.append(Problem("error", sheet_name, row, column.name, str(exc), value))
        return None


def _duplicate_keys(sheet: Sheet, sheet_name: str, table: pd.DataFrame,
                    written: dict[tuple[int, str], str] | None = None) -> list[Problem]:
    """Rows whose key repeats an earlier row's: exactly, or but for upper/lower case."""
    if not sheet.key or table.empty:
        return []
    written = written or {}
    seen: dict[tuple[str, ...], tuple[int, tuple[str, ...]]] = {}
    problems = []
    for record in table[list(sheet.key) + [ROW]].to_dict("records"):
        row = int(record[ROW])
        exact = tuple(str(record[k]) for k in sheet.key)
        folded = tuple(part.casefold() for part in exact)
        if folded not in seen:
            seen[folded] = (row, exact)
            continue
        first_row, first = seen[folded]
        value = ", ".join(str(record[k]) for k in sheet.key if record[k] is not None)
        if exact == first:
            message = f"duplicate {' + '.join(sheet.key)}"
            dirty = [cells.shown(written[(r, k)]) for r in (first_row, row) for k in sheet.key if (r, k) in written]
            if dirty:
                message += (f" (as written, {' and '.join(dirty)} {'carries' if len(dirty) == 1 else 'carry'} "
                            "invisible characters or odd spaces, which are ignored)")
        else:
            shown_first = ", ".join(p for p in first if p != "None")
            message = (f"same {' + '.join(sheet.key)} as row {first_row} ({shown_first}) but for upper/lower "
                       "case: to a person they are one id; use one spelling, or rename one")
        problems.append(Problem("error", sheet_name, row, sheet.key[0], message, value))
    return problems


def read_settings(table: pd.DataFrame) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """Typed settings with defaults, the Excel row of each key, and problems."""
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
    rows: dict[str, int] = {}
    problems: list[Problem] = []
    reported: set[str] = set()  # keys whose value is an Excel error, reported by the reader
    for record in table.itertuples(index=False):
        key = cells.clean(str(record.key or "")).lower()
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
        if isinstance(raw_value, cells.ExcelError):
            reported.add(key)
            continue
        if cells.is_blank(raw_value):
            continue
        try:
            values[key] = parse_value(spec, raw_value)
        except cells.CellError as exc:
            problems.append(Problem("error", "Settings", row, "value", f"{key}: {exc}", raw_value))
    problems = [_horizon_like_a_year(p, values) for p in problems]
    for spec in SETTINGS:
        if spec.key in reported:
            continue
        if spec.required and (spec.key not in rows or values[spec.key] is None):
            if not any(p.severity == "error" and p.message.startswith(spec.key + ":") for p in problems):
                problems.append(Problem("error", "Settings", rows.get(spec.key), "value",
                                        f"{spec.key}: required setting is missing"))
    return values, rows, problems


def _horizon_like_a_year(problem: Problem, values: dict[str, Any]) -> Problem:
    """A horizon over the limit that looks like a year (2035) is most likely the last year."""
    if not problem.message.startswith("horizon:") or problem.value is None:
        return problem
    try:
        horizon = cells.parse_int(problem.value)
    except cells.CellError:
        return problem
    if horizon <= MAX_HORIZON:
        return problem
    message = (f"horizon: at most {MAX_HORIZON} years; a horizon of {horizon:,} years would build a model "
               "too large to solve")
    start = values.get("start_year")
    if 1900 <= horizon <= 2300:
        meant = f" (for {start}-{horizon}, write {horizon - start + 1})" if isinstance(start, int) \
            and horizon >= start else ""
        message = (f"horizon: {horizon} looks like a year; the horizon is the number of years planned"
                   f"{meant}")
    return Problem(problem.severity, problem.sheet, problem.row, problem.column, message, problem.value)
