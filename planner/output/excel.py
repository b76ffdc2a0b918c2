"""The one Excel layer: files written safely, tables, number formats and charts.

Every file the planner writes goes through :func:`atomic_write`:

* the target is checked first (:func:`check_target`, which the command line also calls
  before any solve): not a folder, not an input of the run, not an existing file the
  planner did not write (unless ``force``), in a folder that exists and can be written;
* the workbook goes to a temporary file beside the target and is moved into place only
  when complete, so a crash, Ctrl-C or SIGTERM never leaves half a workbook; a first
  Ctrl-C or SIGTERM while writing lets the file finish, a second stops at once and
  removes the temporary file;
* a symbolic link given as the target keeps pointing where it pointed: the file it
  points to is replaced;
* the file gets the permissions a new file gets (or those of the file it replaces).

Workbooks the planner writes say so in their document properties (author and last
author ``planner``); one that someone else saved since is no longer the planner's.

Text that came from the input is written as text, never as a formula, so a project
called ``=HYPERLINK(...)`` stays a name, and characters a workbook cannot hold (control
characters pasted from Word) become spaces.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.errors import OutputError
from planner.status import stops_deferred

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Author and last author of every workbook the planner writes.
PLANNER = "planner"
#: Characters an .xlsx cell cannot hold (XML 1.0), replaced by a space on writing.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: The first sheets of workbooks older planner versions wrote (author 'openpyxl'): still the planner's.
LEGACY_LAYOUTS = (("Summary", "Plan", "Spending", "Goals"),
                  ("Overview", "Allocation by region", "Projects", "Goals", "Inputs that differ"),
                  ("Frontier", "About"), ("Overview", "Optimum"), ("README", "Settings", "Regions"))
MAX_PROPERTIES_BYTES = 1024 * 1024

_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
         "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


def check_target(target: Path | str, protect: Iterable[Path | str] = (), force: bool = False) -> Path:
    """The file a writer will replace, or :class:`OutputError` saying in one sentence why not.

    Refused: an empty name or a folder; a folder that does not exist or cannot be written;
    one of ``protect`` (the run's inputs), also through another spelling or a link; an
    existing file the planner did not write, unless ``force``; a read-only file. A symbolic
    link resolves to the file it points to, which is what is replaced.
    """
    shown = str(target)
    if not shown.strip():
        raise OutputError(f"Cannot write {shown!r}: that is not a file name; give one such as results.xlsx")
    real = Path(os.path.realpath(target))
    if real.is_dir():
        empty = " (an empty --out names the current folder)" if shown == "." else ""
        raise OutputError(f"Cannot write '{shown}': it is a folder{empty}; give a file name such as "
                          f"{Path(shown) / 'results.xlsx'}")
    for source in protect:
        if _same_file(real, Path(source)):
            raise OutputError(f"Cannot write '{shown}': it is the input workbook {Path(source).name!r}, which the "
                              "planner never overwrites; choose another file with --out")
    directory = real.parent
    if not directory.is_dir():
        raise OutputError(f"Cannot write '{shown}': folder '{directory}' does not exist")
    if real.exists() or real.is_symlink():
        if not real.is_file():
            raise OutputError(f"Cannot write '{shown}': it exists and is not a regular file")
        if not force and not written_by_planner(real):
            raise OutputError(f"Cannot write '{shown}': the file exists and was not written by the planner (or was "
                              "saved by another program since); choose another file with --out, or add --force "
                              "to replace it")
        if not os.access(real, os.W_OK):
            raise OutputError(f"Cannot write '{shown}': the file is read-only")
    _check_writable(directory, shown)
    return real


def _same_file(real: Path, source: Path) -> bool:
    if real == Path(os.path.realpath(source)):
        return True
    try:
        return real.exists() and source.exists() and os.path.samefile(real, source)
    except OSError:
        return False


def _check_writable(directory: Path, shown: str) -> None:
    """Create and remove a file in ``directory``: the only reliable test (permissions, read-only disks)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".~planner-probe.", dir=directory)
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
        raise OutputError(f"Cannot write '{shown}': folder '{directory}' cannot be written ({reason})") from None
    os.close(fd)
    os.unlink(probe)


def written_by_planner(path: Path | str) -> bool:
    """Whether ``path`` is a workbook the planner wrote and nobody saved since.

    Its core properties (read safely: size-limited, no DTD) name the planner as author
    and last author; or it is an older planner workbook (author openpyxl, the planner's
    sheets) that no other program saved.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > MAX_PROPERTIES_BYTES:
                return False
            core = SafeET.fromstring(zf.read(info), forbid_dtd=True)
            creator = core.findtext("dc:creator", default="", namespaces=_CORE)
            modified_by = core.findtext("cp:lastModifiedBy", default=None, namespaces=_CORE)
            if creator == PLANNER:
                return modified_by == PLANNER
            if creator != "openpyxl" or modified_by is not None:
                return False
            workbook = zf.getinfo("xl/workbook.xml")
            if workbook.file_size > MAX_PROPERTIES_BYTES:
                return False
            names = [e.get("name") for e in SafeET.fromstring(zf.read(workbook), forbid_dtd=True).iter()
                     if e.tag.rpartition("}")[2] == "sheet"]
    except (OSError, KeyError, ValueError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile,
            ParseError, defusedxml.DefusedXmlException):
        return False
    return any(tuple(names[:len(layout)]) == layout for layout in LEGACY_LAYOUTS)


def atomic_write(target: Path | str, write: Callable[[Path], None], *, force: bool = False,
                 protect: Iterable[Path | str] = ()) -> Path:
    """Call ``write(temporary_path)`` then move the finished file onto ``target``.

    ``target`` is checked by :func:`check_target` (``protect``: the run's inputs; ``force``:
    replace a file the planner did not write). Any failure is an :class:`OutputError`; the
    temporary file never outlives the call. Returns ``target``.
    """
    shown = Path(target)
    real = check_target(target, protect, force)
    with stops_deferred():
        try:
            fd, temporary = tempfile.mkstemp(prefix=f".~{real.stem}.", suffix=real.suffix, dir=real.parent)
        except OSError as exc:
            raise OutputError(f"Cannot write '{shown}': {exc.strerror or exc}") from exc
        os.close(fd)
        temp_path = Path(temporary)
        try:
            write(temp_path)
            os.chmod(temp_path, _mode_for(real))
            os.replace(temp_path, real)
        except PermissionError as exc:
            raise OutputError(
                f"Cannot write '{shown}': permission denied. Is it open in Excel or LibreOffice? "
                "Close it and run again, or choose another file with --out") from exc
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"Cannot write '{shown}': {exc.strerror or exc}") from exc
        except Exception as exc:  # a writer failing on a value must not take the run down with a traceback
            raise OutputError(f"Cannot write '{shown}': the workbook could not be written "
                              f"({type(exc).__name__}: {exc})") from exc
        finally:
            if temp_path.exists():
                temp_path.unlink()
    return shown


def _mode_for(real: Path) -> int:
    """The permissions of the file being replaced, or those a new file gets (mkstemp's are owner-only)."""
    try:
        return real.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def safe_cell_value(value: Any) -> Any:
    """Plain Python values for openpyxl (numpy scalars unwrapped, NaN as blank)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (tuple, list)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return UNWRITABLE.sub(" ", value)
    return value


def write_frame(ws: Worksheet, frame: pd.DataFrame, start_row: int = 1,
                number_formats: dict[str, str] | None = None) -> None:
    """Write a table with a header row; text is always stored as text."""
    number_formats = number_formats or {}
    for c, name in enumerate(frame.columns, start=1):
        _set(ws, start_row, c, safe_cell_value(str(name)))
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
        _set(ws, row, first_column + j, safe_cell_value(str(name))).font = Font(bold=True)
    for i, record in enumerate(frame.itertuples(index=False), start=row + 1):
        for j, value in enumerate(record):
            cell = _set(ws, i, first_column + j, safe_cell_value(value))
            fmt = formats.get(frame.columns[j])
            if fmt and isinstance(cell.value, (int, float)):
                cell.number_format = fmt


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet), marked as the planner's."""
    wb = planner_workbook()
    wb.remove(wb.active)
    return wb


def planner_workbook() -> Workbook:
    """A new workbook whose document properties say the planner wrote it."""
    wb = Workbook()
    wb.properties.creator = PLANNER
    wb.properties.lastModifiedBy = PLANNER
    return wb
