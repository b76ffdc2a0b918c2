"""The one Excel layer: files written safely, tables, number formats and charts.

Every file the planner writes goes to a temporary file beside the target and
is moved into place only when complete, so a crash or Ctrl-C never leaves half
a workbook. Text that came from the input is written as text, never as a
formula, so a project called ``=HYPERLINK(...)`` stays a name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.errors import OutputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def atomic_write(target: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)`` then move the finished file onto ``target``."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.exists():
        raise OutputError(f"Cannot write '{target}': folder '{directory}' does not exist")
    fd, temporary = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=target.suffix, dir=directory)
    os.close(fd)
    temp_path = Path(temporary)
    try:
        write(temp_path)
        os.replace(temp_path, target)
    except PermissionError as exc:
        raise OutputError(
            f"Cannot write '{target}': permission denied. Is it open in Excel? "
            "Close it and run again, or choose another file with --out") from exc
    except BaseException:
        raise
    finally:
        if temp_path.exists():
            temp_path.unlink()
    return target


def safe_cell_value(value: Any) -> Any:
    """Plain Python values for openpyxl (numpy scalars unwrapped, NaN as blank)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return value


def write_frame(ws: Worksheet, frame: pd.DataFrame, start_row: int = 1,
                number_formats: dict[str, str] | None = None) -> None:
    """Write a table with a header row; text is always stored as text."""
    number_formats = number_formats or {}
    for c, name in enumerate(frame.columns, start=1):
        _set(ws, start_row, c, str(name))
    for r, record in enumerate(frame.itertuples(index=False), start=start_row + 1):
        for c, value in enumerate(record, start=1):
            cell = _set(ws, r, c, safe_cell_value(value))
            fmt = number_formats.get(frame.columns[c - 1])
            if fmt and isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    for c, name in enumerate(frame.columns, start=1):
        width = max([len(str(name))] + [len(str(v)) for v in frame.iloc[:200, c - 1]])
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 50)


def _set(ws: Worksheet, row: int, column: int, value: Any):
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


# --- the planner's sheets ------------------------------------------------------------------------

#: Number formats by meaning, used by every workbook the planner writes.
MONEY = "#,##0.00"
NUMBER = "#,##0.###"
SHARE = "0.0%"

EMPTY_NOTE = "nothing to show (no plan, or nothing of this kind)"


def add_sheet(wb: Workbook, name: str, frame: pd.DataFrame, formats: dict[str, str] | None = None,
              start_row: int = 1, note: str = EMPTY_NOTE, filters: bool = True) -> Worksheet:
    """A table on sheet ``name`` (created when missing): bold header, frozen and filtered.

    ``start_row`` > 1 writes a second table below an existing one on the same sheet
    (not frozen, no filter). An empty frame becomes one ``note`` row.
    """
    ws = wb[name] if name in wb.sheetnames else wb.create_sheet(name[:31])
    if frame.empty:
        frame = pd.DataFrame({"note": [note]})
    write_frame(ws, frame, start_row=start_row, number_formats=formats or {})
    for cell in ws[start_row]:
        cell.font = Font(bold=True)
    if start_row == 1:
        ws.freeze_panes = "A2"
        if filters:
            ws.auto_filter.ref = ws.dimensions
    return ws


def add_bar_chart(ws: Worksheet, frame: pd.DataFrame, columns: list[str], title: str, anchor: str,
                  y_title: str = "", header_row: int = 1, width: float = 18, height: float = 9) -> None:
    """A bar chart of ``columns`` of a table written at ``header_row``, categories from column A."""
    present = [c for c in columns if c in frame.columns]
    if frame.empty or not present:
        return
    chart = BarChart()
    chart.title = title
    chart.y_axis.title = y_title
    for column in present:
        position = list(frame.columns).index(column) + 1
        chart.add_data(Reference(ws, min_col=position, min_row=header_row, max_row=header_row + len(frame)),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + len(frame)))
    chart.width, chart.height = width, height
    ws.add_chart(chart, anchor)


def add_line_chart(ws: Worksheet, frame: pd.DataFrame, x: str, ys: list[str], title: str, x_title: str,
                   y_title: str, anchor: str, width: float = 20, height: float = 10) -> None:
    """A line chart of ``ys`` against ``x``, from a table written at row 1."""
    columns = list(frame.columns)
    if x not in columns or not len(frame):
        return
    chart = LineChart()
    chart.title = title
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    for name in ys:
        position = columns.index(name) + 1
        chart.add_data(Reference(ws, min_col=position, min_row=1, max_row=len(frame) + 1), titles_from_data=True)
    position = columns.index(x) + 1
    chart.set_categories(Reference(ws, min_col=position, min_row=2, max_row=len(frame) + 1))
    chart.width, chart.height = width, height
    ws.add_chart(chart, anchor)


def write_block(ws: Worksheet, frame: pd.DataFrame, first_column: int, formats: dict[str, str] | None = None,
                row: int = 1) -> None:
    """A small table (e.g. a chart's data) beside the main one, header bold, text as text."""
    formats = formats or {}
    for j, name in enumerate(frame.columns):
        _set(ws, row, first_column + j, str(name)).font = Font(bold=True)
    for i, record in enumerate(frame.itertuples(index=False), start=row + 1):
        for j, value in enumerate(record):
            cell = _set(ws, i, first_column + j, safe_cell_value(value))
            fmt = formats.get(frame.columns[j])
            if fmt and isinstance(cell.value, (int, float)):
                cell.number_format = fmt


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb
