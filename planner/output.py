"""Writing files safely: atomic replacement and formula-safe cells.

Every file the planner writes goes to a temporary file beside the target and
is moved into place only when complete, so a crash or Ctrl-C never leaves half
a workbook. Text that came from the input is written as text, never as a
formula, so a project called ``=HYPERLINK(...)`` stays a name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd
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
