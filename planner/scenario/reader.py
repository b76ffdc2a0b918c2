"""Read the raw tables of a scenario workbook.

The file is first checked as a package (:func:`planner.scenario.safety.inspect_workbook`:
format from the first bytes, zip-bomb limits, no DTDs, formulas without saved
values); only then are cell values read, with python-calamine, which is about
ten times faster than openpyxl and computes a sheet's extent from the cells
that exist rather than from the ``<dimension>`` tag a program may have written
wrongly. The result is a :class:`RawSheet` per sheet: header names and rows of
raw values, each with the Excel row number the planner sees.

python-calamine reads a cell holding an Excel error (``#N/A``, ``#DIV/0!``) as
blank; the package scan finds those cells, and the reader puts an
:class:`~planner.scenario.cells.ExcelError` in their place and reports each at
its cell, so that no error value is ever read as data or as a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine

from planner.errors import Problem, WorkbookFileError
from planner.scenario.cells import ExcelError, clean, is_blank, shown
from planner.scenario.safety import PackageInfo, describe, inspect_workbook

#: What each Excel error value means, for the message.
ERROR_MEANINGS = {
    "#N/A": "a lookup found no match",
    "#DIV/0!": "a division by zero",
    "#VALUE!": "a value of the wrong type in the formula",
    "#REF!": "the formula refers to a cell that was deleted",
    "#NAME?": "an unknown function or name in the formula",
    "#NUM!": "a number the formula cannot compute",
    "#NULL!": "ranges that do not intersect",
}


def sheet_key(name: str) -> str:
    """How sheet names are matched: ignoring case, surrounding spaces and invisible characters."""
    return clean(str(name)).lower()


@dataclass
class RawSheet:
    """A sheet as written: its name, header cells and data rows."""

    name: str
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (Excel row number, values)


@dataclass
class RawWorkbook:
    """Every sheet of a workbook, keyed by its name in lower case."""

    path: Path
    sheets: dict[str, RawSheet]
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str) -> RawSheet | None:
        return self.sheets.get(sheet_key(name))


def read_workbook(path: Path, wanted: set[str]) -> RawWorkbook:
    """Read the sheets whose lower-case names are in ``wanted``.

    Other sheets are left unread (a planner's notes, charts, pivot tables).
    Formula cells without a saved value, cells holding an Excel error, merged
    cells inside a table, two sheets whose names differ only by case or spaces,
    and hidden sheets are reported as problems located at their cells; so is an
    Excel or LibreOffice lock file beside the workbook (it is open there, and
    what is on screen may not be saved).
    """
    path = Path(path)
    info = inspect_workbook(path)
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types
        raise WorkbookFileError(f"{describe(path)} could not be read as a workbook: {exc}") from exc
    problems: list[Problem] = lock_file_warnings(path)
    sheets: dict[str, RawSheet] = {}
    try:
        for name in book.sheet_names:
            key = sheet_key(name)
            if key not in wanted:
                continue
            if key in sheets:
                problems.append(Problem(
                    "error", sheets[key].name, None, None,
                    f"the workbook has two sheets with this name, {shown(sheets[key].name)} and {shown(name)} "
                    "(sheet names are matched ignoring upper/lower case and surrounding spaces); delete or "
                    "rename one of them"))
                continue
            sheet = book.get_sheet_by_name(name)
            raw = _raw_sheet(name, sheet, info.error_cells.get(name, []))
            sheets[key] = raw
            problems += _sheet_problems(name, sheet, info, raw)
    except WorkbookFileError:
        raise
    except Exception as exc:
        raise WorkbookFileError(f"{describe(path)} could not be read: {exc}") from exc
    finally:
        book.close()
    return RawWorkbook(path=path, sheets=sheets, problems=problems)


def lock_file_warnings(path: Path) -> list[Problem]:
    """A warning when Excel (``~$name.xlsx``) or LibreOffice (``.~lock.name.xlsx#``) has the workbook open."""
    locks = [name for name in (f"~${path.name}", f".~lock.{path.name}#") if (path.parent / name).exists()]
    if not locks:
        return []
    return [Problem("warning", path.name, None, None,
                    f"the workbook is open in Excel or LibreOffice (its lock file '{locks[0]}' is beside it): "
                    "changes not yet saved there are not read; save the workbook first")]


def _raw_sheet(name: str, sheet: Any, errors: list[tuple[str, str]]) -> RawSheet:
    values = [list(row) for row in sheet.to_python(skip_empty_area=False)]
    for ref, text in errors:  # calamine reads them as blank: mark them, the type check refuses them
        position = _position(ref)
        # A header cell stays blank (its column is missing); a cell beyond the cells calamine
        # returned stays unread. Both are reported at their cell all the same.
        if position is None or position[0] == 0 or position[0] >= len(values):
            continue
        row, column = position
        cells = values[row]
        cells.extend([None] * (column + 1 - len(cells)))
        cells[column] = ExcelError(text, ref)
    if not values:
        return RawSheet(name, [], [])
    header = list(values[0])
    rows = [
        (index + 1, list(row))
        for index, row in enumerate(values)
        if index > 0 and not all(is_blank(v) for v in row)
    ]
    return RawSheet(name, header, rows)


def _sheet_problems(name: str, sheet: Any, info: PackageInfo, raw: RawSheet) -> list[Problem]:
    problems: list[Problem] = []
    if name in info.hidden:
        problems.append(Problem("warning", name, None, None,
                                "sheet is hidden in Excel; it is read all the same"))
    for ref, text in info.error_cells.get(name, []):
        problems.append(_error_cell_problem(name, ref, text, raw))
    for cell in info.formulas_without_value.get(name, []):
        problems.append(Problem(
            "error", name, _row_of(cell), None,
            f"cell {cell} holds a formula with no saved value (the file was written by a "
            "program and never opened in a spreadsheet program); open and save it in Excel or "
            "LibreOffice, or type the value",
        ))
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        ref = f"{_column_letter(c0)}{r0 + 1}:{_column_letter(c1)}{r1 + 1}"
        problems.append(Problem(
            "error", name, r0 + 1, None,
            f"merged cells {ref} inside a table; unmerge them so that every row has its own values",
        ))
    return problems


def _error_cell_problem(name: str, ref: str, text: str, raw: RawSheet) -> Problem:
    position = _position(ref)
    column = None
    if position is not None and position[0] > 0 and position[1] < len(raw.header):
        header = raw.header[position[1]]
        column = None if is_blank(header) else clean(str(header)).lower()
    error = text or "error value"
    meaning = ERROR_MEANINGS.get(text.upper())
    where = "header cell" if position is not None and position[0] == 0 else "cell"
    return Problem("error", name, position[0] + 1 if position else None, column,
                   f"{where} {ref} holds the Excel error {error}{f' ({meaning})' if meaning else ''}, not a value: "
                   "correct the formula, or type the value, in Excel or LibreOffice")


def _position(ref: str) -> tuple[int, int] | None:
    """(row, column) from 0 of a cell reference such as 'B7'; None when it is not one."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})", ref.strip())
    if match is None or int(match.group(2)) < 1:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1


def _row_of(cell: str) -> int | None:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
