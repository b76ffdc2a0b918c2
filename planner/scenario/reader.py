"""Read the raw tables of a scenario workbook.

The file is first checked as a package (:func:`planner.scenario.safety.inspect_workbook`:
format from the first bytes, zip-bomb limits, no DTDs, formulas without saved
values); only then are cell values read, with python-calamine, which is about
ten times faster than openpyxl and computes a sheet's extent from the cells
that exist rather than from the ``<dimension>`` tag a program may have written
wrongly. The result is a :class:`RawSheet` per sheet: header names and rows of
raw values, each with the Excel row number the planner sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine

from planner.errors import Problem, WorkbookFileError
from planner.scenario.cells import is_blank
from planner.scenario.safety import PackageInfo, describe, inspect_workbook


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
        return self.sheets.get(name.strip().lower())


def read_workbook(path: Path, wanted: set[str]) -> RawWorkbook:
    """Read the sheets whose lower-case names are in ``wanted``.

    Other sheets are left unread (a planner's notes, charts, pivot tables).
    Formula cells without a saved value, merged cells inside a table and
    hidden sheets are reported as problems located at their cells.
    """
    path = Path(path)
    info = inspect_workbook(path)
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types
        raise WorkbookFileError(f"{describe(path)} could not be read as a workbook: {exc}") from exc
    problems: list[Problem] = []
    sheets: dict[str, RawSheet] = {}
    try:
        for name in book.sheet_names:
            key = name.strip().lower()
            if key not in wanted or key in sheets:
                continue
            sheet = book.get_sheet_by_name(name)
            sheets[key] = _raw_sheet(name, sheet)
            problems += _sheet_problems(name, sheet, info)
    except WorkbookFileError:
        raise
    except Exception as exc:
        raise WorkbookFileError(f"{describe(path)} could not be read: {exc}") from exc
    finally:
        book.close()
    return RawWorkbook(path=path, sheets=sheets, problems=problems)


def _raw_sheet(name: str, sheet: Any) -> RawSheet:
    values = sheet.to_python(skip_empty_area=False)
    if not values:
        return RawSheet(name, [], [])
    header = list(values[0])
    rows = [
        (index + 1, list(row))
        for index, row in enumerate(values)
        if index > 0 and not all(is_blank(v) for v in row)
    ]
    return RawSheet(name, header, rows)


def _sheet_problems(name: str, sheet: Any, info: PackageInfo) -> list[Problem]:
    problems: list[Problem] = []
    if name in info.hidden:
        problems.append(Problem("warning", name, None, None,
                                "sheet is hidden in Excel; it is read all the same"))
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
