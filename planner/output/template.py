"""``planner template``: an empty contract workbook, documented from the schema.

Every declared sheet with its header row (frozen), drop-down lists on enum and
yes/no columns and on every id column that refers to another sheet (fed from that
sheet's id column, so a planner picks a region, fund, project, indicator, cluster,
link or partner instead of typing it), the Settings keys pre-filled with their
defaults, and a README sheet describing each column, all from
:mod:`planner.scenario.schema`.

A list of several ids (``requires``, ``funds``, ``regions``, ...) and a column that may
name ids of two sheets (a goal's region or group) offer the list without refusing other
text; the other id lists refuse what is not on them.
"""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from planner.output.excel import TEXT_PER_WIDTH, atomic_write, finish_workbook, planner_workbook
from planner.scenario.schema import SETTINGS, SHEETS, SHEETS_BY_NAME, Column, describe_default, describe_type

BOOL_CHOICES = ("yes", "no")
TEMPLATE_ROWS = 1000  # rows that carry drop-down lists


def reference_rows() -> list[tuple[str, str, str, str, str, str, str]]:
    """(sheet, column, required, type, unit, default, description) for every column."""
    rows = []
    for sheet in SHEETS:
        for column in sheet.columns:
            rows.append((sheet.name, column.name, "yes" if column.required else "no",
                         describe_type(column), column.unit, describe_default(column.default),
                         column.description))
    for setting in SETTINGS:
        rows.append(("Settings", f"key = {setting.key}", "yes" if setting.required else "no",
                     describe_type(setting), "", describe_default(setting.default), setting.description))
    return rows


def write_template(target: Path, *, force: bool = False) -> Path:
    """Write the template workbook atomically to ``target`` (``force``: replace an existing file)."""

    def write(path: Path) -> None:
        wb = planner_workbook()
        readme = wb.active
        readme.title = "README"
        readme.append(["sheet", "column", "required", "type", "unit", "default", "description"])
        for row in reference_rows():
            readme.append(list(row))
        _style_header(readme, 7)
        for sheet in SHEETS:
            ws = wb.create_sheet(sheet.name)
            ws.append([c.name for c in sheet.columns])
            _style_header(ws, len(sheet.columns))
            for position, column in enumerate(sheet.columns, start=1):
                _add_dropdown(ws, position, column)
            if sheet.name == "Settings":
                for setting in SETTINGS:
                    ws.append([setting.key, describe_default(setting.default) or None])
        for letter, width in zip("ABCDEFG", (14, 22, 9, 18, 14, 12, 90)):
            readme.column_dimensions[letter].width = width
        for row in readme.iter_rows(min_row=2):
            row[6].alignment = Alignment(wrap_text=True, vertical="top")
            lines = math.ceil(len(str(row[6].value or "")) / (90 * TEXT_PER_WIDTH))
            if lines > 1:
                readme.row_dimensions[row[6].row].height = 15 * lines + 2
        finish_workbook(wb, "planner template", "")
        wb.save(path)

    return atomic_write(target, write, force=force)


def _style_header(ws, count: int) -> None:
    for position in range(1, count + 1):
        ws.cell(row=1, column=position).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(position)].width = 16
    ws.freeze_panes = "A2"


def _add_dropdown(ws, position: int, column: Column) -> None:
    choices = column.choices or (BOOL_CHOICES if column.type == "bool" else ())
    letter = get_column_letter(position)
    if choices:
        validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    elif column.refers:
        validation = DataValidation(type="list", formula1=id_list(column.refers[0]), allow_blank=True,
                                    showErrorMessage=column.type != "ids" and len(column.refers) == 1)
        names = " or ".join(column.refers)
        validation.promptTitle = column.name
        validation.prompt = (f"Pick from {names}" + (" (several: separate them with commas)"
                                                      if column.type == "ids" else ""))[:255]
        validation.showInputMessage = True
    else:
        return
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    ws.add_data_validation(validation)


def id_list(reference: str) -> str:
    """The cells of the id column ``Sheet.column`` below its header, for a list validation."""
    sheet, column = reference.split(".")
    position = [c.name for c in SHEETS_BY_NAME[sheet.lower()].columns].index(column) + 1
    letter = get_column_letter(position)
    return f"'{sheet}'!${letter}$2:${letter}${TEMPLATE_ROWS}"
