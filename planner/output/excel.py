"""The one Excel layer: files written safely, tables, number formats, charts, pictures and print setup.

Every workbook the planner writes (results, diagnosis, marginal, frontier, alternatives,
compare, template, and any new one) goes through these helpers, so a person sees the same
things everywhere:

* **number formats from meaning**: a column's format is chosen from its name by the declared
  rules of :data:`FORMAT_RULES` (money with thousands separators and as many decimals as its
  figures need, shares and progress as %, years without separators, counts as integers, gaps in
  scientific form, per-person figures in the unit their header states), so a new column gets a
  sensible format without anyone choosing one; every numeric cell gets a format (never General);
* **no noise**: solver noise (|x| below :data:`NOISE` of the column's scale) is written as 0;
* **tables**: a bold, wrapped header row (translated by :mod:`planner.output.labels`), widths from
  the content, the header frozen and filtered, yes/no instead of TRUE/FALSE;
* **charts** placed below or beside the tables (:func:`place_chart`: never over a used cell), line
  charts unsmoothed, axes shown and titled, bar value axes from zero;
* **print setup** on every sheet (:func:`finish_workbook`): landscape A4, one page wide, the header
  row repeated, a footer with scenario, sheet and date.

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

import datetime
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from planner.errors import OutputError
from planner.output.labels import header_label, word
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
    """Plain Python values for openpyxl (numpy scalars unwrapped, NaN and infinities as blank,
    characters a workbook cannot hold as spaces)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (value != value or math.isinf(value)):
        return None
    if isinstance(value, (tuple, list, set, frozenset)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return UNWRITABLE.sub(" ", value)
    return value


def _set(ws: Worksheet, row: int, column: int, value: Any):
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


# --- number formats from meaning -----------------------------------------------------------------

#: Number formats by meaning (fixed ones; money and plain numbers take their decimals from the figures).
MONEY = "#,##0.00"
NUMBER = "#,##0.###"  # kept for callers that name a format; write_table never writes it
SHARE = "0.0%"
GAP = "0.00E+00"
COUNT = "#,##0"
YEAR = "0"
SECONDS = "0.0"

#: How a column's meaning is read from its name (lower case), first match wins. Kinds: gap, year,
#: count, seconds, per_person, share, money, number (the default).
FORMAT_RULES: tuple[tuple[str, str], ...] = (
    (r"\bgap\b|mip_gap", "gap"),
    (r"^(year|start|complete|complete_from|start_year|first_year|last_year)$|\byear$", "year"),
    (r"^(population|chosen_in|points|count|priority|conflict|row|duration|plans|projects_count)$"
     r"|_count$|^number of ", "count"),
    (r"seconds", "seconds"),
    (r"\bper (person|capita|[\d,]+ persons)\b|per_capita", "per_person"),
    (r"share\b|_share|progress|_pct\b|\bpct\b|attainment|percent|factor", "share"),
    (r"budget|\bused\b|unused|carried|invested|money|benefit\b|benefit_|amount|cost|\bpaid\b|spent|"
     r"available|balance|\bstep\b|^construction$|^running$|debt", "money"),
)

#: |x| at or below NOISE x max(1, the column's largest |x|) is solver noise and written as 0.
NOISE = 1e-6


def format_kind(name: object) -> str:
    """The meaning of a column (or of a summary item) read from its name, by :data:`FORMAT_RULES`."""
    text = str(name).strip().lower()
    for pattern, kind in FORMAT_RULES:
        if re.search(pattern, text):
            return kind
    return "number"


def decimals_for(values: Iterable[Any], most: int = 4) -> int:
    """Decimals that show a column's typical figure with three significant digits (0 ... ``most``)."""
    numbers = np.array([abs(float(v)) for v in values if _is_number(v)], dtype=float)
    numbers = numbers[np.isfinite(numbers) & (numbers > 0)]
    if not len(numbers):
        return 0
    if np.all(np.abs(numbers - np.round(numbers)) < 1e-9):
        return 0
    typical = float(np.median(numbers))
    return int(min(max(2 - math.floor(math.log10(typical)), 0), most))


def number_format(kind: str, values: Iterable[Any] = ()) -> str:
    """The Excel number format of a column of ``kind`` holding ``values``."""
    fixed = {"gap": GAP, "year": YEAR, "count": COUNT, "seconds": SECONDS, "share": SHARE}
    if kind in fixed:
        return fixed[kind]
    decimals = decimals_for(values, most=2 if kind == "money" else 4)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def clean_number(value: float, scale: float, kind: str) -> float:
    """``value`` with solver noise (relative to the column's ``scale``) written as 0."""
    if kind == "gap":
        return value
    return 0.0 if abs(value) <= NOISE * max(1.0, scale) else value


def _shown_length(value: Any, fmt: str) -> int:
    """About how many characters ``value`` takes when shown with ``fmt``."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if not _is_number(value):
        return len(str(value))
    v = float(value)
    if fmt == SHARE:
        return len(f"{v:.1%}")
    if fmt == GAP:
        return 9
    if fmt in (YEAR, SECONDS):
        return len(f"{v:.1f}")
    decimals = len(fmt.split(".")[1]) if "." in fmt else 0
    return len(f"{v:,.{decimals}f}")


# --- tables --------------------------------------------------------------------------------------

#: Pixels per character of column width and per point of row height (Excel's defaults, Calibri 11).
PX_PER_CHAR = 7.0
PX_PER_POINT = 4 / 3
DEFAULT_WIDTH = 8.43
DEFAULT_HEIGHT = 15.0
CM = 96 / 2.54  # pixels per centimetre

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
HEADER_BORDER = Border(bottom=Side(style="thin", color="7F7F7F"))
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(horizontal="center", vertical="top")
TOP = Alignment(vertical="top")
#: Widest column (characters); longer text wraps.
MAX_WIDTH = 50
#: Characters of running text per unit of column width (a width unit is the width of a digit).
TEXT_PER_WIDTH = 1.15
EMPTY_NOTE = "nothing to show (no plan, or nothing of this kind)"


@dataclass
class Box:
    """The cells a table (or a chart) covers: rows and columns, 1-based and inclusive."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int


def write_table(ws: Worksheet, frame: pd.DataFrame, row: int = 1, column: int = 1,
                formats: dict[str, str] | None = None, lang: str = "en",
                widths: bool = True, max_width: int = MAX_WIDTH) -> Box:
    """A table with a header row at (``row``, ``column``): every numeric column formatted from its
    meaning (``formats`` overrides by column name), noise written as 0, bools as yes/no, text as
    text, header bold and wrapped, column widths from the content (``widths=False`` keeps the
    sheet's), long text wrapped with its row made tall enough. Returns the cells it covers."""
    formats = formats or {}
    names = [str(c) for c in frame.columns]
    labels = [header_label(name, lang) for name in names]
    for j, label in enumerate(labels):
        cell = _set(ws, row, column + j, safe_cell_value(label))
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    lines: dict[int, int] = {}
    for j, name in enumerate(names):
        values = frame.iloc[:, j].tolist()
        kind = format_kind(name)
        numbers = [float(v) for v in values if _is_number(v) and math.isfinite(float(v))]
        scale = max((abs(v) for v in numbers), default=0.0)
        cleaned = [clean_number(v, scale, kind) for v in numbers]
        fmt = formats.get(name) or number_format(kind, cleaned)
        if fmt == NUMBER:  # a caller's generic choice: decimals from the figures instead
            fmt = number_format("number", cleaned)
        longest = 0
        texts: list[tuple[int, int]] = []
        for i, value in enumerate(values, start=row + 1):
            value = safe_cell_value(value)
            flag = isinstance(value, (bool, np.bool_)) or value in ("yes", "no")
            if isinstance(value, (bool, np.bool_)):
                value = word("yes" if value else "no", lang)
            elif flag:
                value = word(value, lang)
            elif isinstance(value, float):
                value = clean_number(value, scale, kind)
            cell = _set(ws, i, column + j, value)
            # every cell at the top of its row, so a row made tall by wrapped text still reads across;
            # yes/no centred, so it never reads glued to the figure before it
            cell.alignment = CENTRED if flag else TOP
            if _is_number(value):
                cell.number_format = fmt
            elif isinstance(value, str):
                texts.append((i, len(value) + 8 * value.count("\n")))
            if i - row <= 300:
                longest = max(longest, _shown_length(value, fmt))
        letter = get_column_letter(column + j)
        if widths:
            words = max((len(w) for w in labels[j].split()), default=4)
            wanted = float(min(max(longest, words, min(len(labels[j]), 12), 5) + 2, max_width + 2))
            if row > 1 and letter in ws.column_dimensions and ws.column_dimensions[letter].width:
                wanted = max(wanted, ws.column_dimensions[letter].width)  # a second table below the first
            ws.column_dimensions[letter].width = wanted
        width = float(ws.column_dimensions[letter].width or DEFAULT_WIDTH)
        lines[row] = max(lines.get(row, 1), min(math.ceil(len(labels[j]) / max(width - 1, 1)), 6))
        for i, length in texts:
            if length > width * TEXT_PER_WIDTH:
                ws.cell(row=i, column=column + j).alignment = WRAP_TOP
                lines[i] = max(lines.get(i, 1), min(math.ceil(length / (width * TEXT_PER_WIDTH)), 20))
    for r, count in lines.items():
        if count > 1:
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, DEFAULT_HEIGHT * count + 2)
    return Box(row, column, row + len(frame), column + max(len(names), 1) - 1)


def add_sheet(wb: Workbook, name: str, frame: pd.DataFrame, formats: dict[str, str] | None = None,
              start_row: int = 1, note: str = EMPTY_NOTE, filters: bool = True, lang: str = "en",
              title: str | None = None, details: Callable[[str], bool] | None = None) -> Worksheet:
    """A table on sheet ``title`` (or ``name``; created when missing): header frozen and filtered.

    ``start_row`` > 1 writes a second table below an existing one on the same sheet
    (not frozen, no filter). An empty frame becomes one ``note`` row. Columns for which
    ``details(name)`` is true are grouped and folded (the + above them unfolds them; a printed
    page leaves them out): detail a reader opens when needed, e.g. the Plan's payment per fund and year.
    """
    title = (title or name)[:31]
    ws = wb[title] if title in wb.sheetnames else wb.create_sheet(title)
    if frame.empty:
        frame = pd.DataFrame({"note": [note]})
    box = write_table(ws, frame, row=start_row, formats=formats, lang=lang)
    if details is not None:
        folded = [k for k, c in enumerate(frame.columns, start=1) if details(str(c))]
        if folded:
            ws.column_dimensions.group(get_column_letter(folded[0]), get_column_letter(folded[-1]), hidden=True,
                                       outline_level=1)
            ws.sheet_properties.outlinePr.summaryRight = False
    if start_row == 1:
        ws.freeze_panes = "B2" if _first_is_key(frame) else "A2"
        if filters and len(frame):
            ws.auto_filter.ref = f"A1:{get_column_letter(box.last_column)}{box.last_row}"
    return ws


def _first_is_key(frame: pd.DataFrame) -> bool:
    """Whether the first column names the rows (text), so it stays in view when scrolling right."""
    return len(frame.columns) > 6 and frame.iloc[:, 0].map(lambda v: isinstance(v, str)).all()


def write_block(ws: Worksheet, frame: pd.DataFrame, first_column: int, formats: dict[str, str] | None = None,
                row: int = 1, lang: str = "en") -> Box:
    """A small table (e.g. a chart's data) beside the main one, formatted like it."""
    return write_table(ws, frame, row=row, column=first_column, formats=formats, lang=lang)


def write_heading(ws: Worksheet, row: int, text: str, column: int = 1, size: int = 12) -> None:
    """A bold line of text (a table's or a section's title)."""
    _set(ws, row, column, text).font = Font(bold=True, size=size)


# --- where charts and pictures go ----------------------------------------------------------------



def used_box(ws: Worksheet) -> Box:
    """The cells that hold a value (the sheet's used range, ignoring formatted empty cells)."""
    rows = [c.row for r in ws.iter_rows() for c in r if c.value is not None]
    cols = [c.column for r in ws.iter_rows() for c in r if c.value is not None]
    if not rows:
        return Box(1, 1, 0, 0)
    return Box(min(rows), min(cols), max(rows), max(cols))


def _column_px(ws: Worksheet, column: int) -> float:
    letter = get_column_letter(column)
    width = ws.column_dimensions[letter].width if letter in ws.column_dimensions else None
    return (width or DEFAULT_WIDTH) * PX_PER_CHAR + 5


def _row_px(ws: Worksheet, row: int) -> float:
    height = ws.row_dimensions[row].height if row in ws.row_dimensions else None
    return (height or DEFAULT_HEIGHT) * PX_PER_POINT


def drawing_box(ws: Worksheet, anchor_row: int, anchor_column: int, width_px: float, height_px: float) -> Box:
    """The cells a drawing of this size anchored at the top left of (row, column) covers."""
    column, left = anchor_column, width_px
    while left > 0:
        left -= _column_px(ws, column)
        column += 1
    row, left = anchor_row, height_px
    while left > 0:
        left -= _row_px(ws, row)
        row += 1
    return Box(anchor_row, anchor_column, row - 1, column - 1)


def _drawings(ws: Worksheet) -> list[Box]:
    boxes = []
    for drawing in list(ws._charts) + list(ws._images):
        row, column = anchor_cell(drawing.anchor)
        if drawing in ws._charts:
            width, height = drawing.width * CM, drawing.height * CM
        else:
            width, height = drawing.width, drawing.height
        boxes.append(drawing_box(ws, row, column, width, height))
    return boxes


def anchor_cell(anchor: Any) -> tuple[int, int]:
    """(row, column), 1-based, of a drawing's top left cell: a cell name before the file is
    written, an anchor object once it is read back."""
    if isinstance(anchor, str):
        letters, row = coordinate_from_string(anchor)
        return row, column_index_from_string(letters)
    return anchor._from.row + 1, anchor._from.col + 1


def place(ws: Worksheet, width_px: float, height_px: float, where: str = "below",
          first_column: int | None = None) -> str:
    """The anchor cell for a drawing of this size, over no used cell and no other drawing.

    ``below``: under everything on the sheet, from column A (``first_column`` to start further
    right). ``beside``: right of the used columns (or from ``first_column``), below whatever is
    already in those columns.
    """
    used = used_box(ws)
    drawings = _drawings(ws)
    if where == "below":
        column = first_column or 1
        row = max([used.last_row] + [b.last_row for b in drawings]) + 2
        return f"{get_column_letter(column)}{row}"
    column = first_column or used.last_column + 2
    row = 1
    for _ in range(1000):
        box = drawing_box(ws, row, column, width_px, height_px)
        blockers = [c.row for r in ws.iter_rows(min_row=box.first_row, max_row=box.last_row,
                                                 min_col=box.first_column, max_col=box.last_column)
                    for c in r if c.value is not None]
        blockers += [b.last_row for b in drawings if _overlap(b, box)]
        if not blockers:
            return f"{get_column_letter(column)}{row}"
        row = max(blockers) + 2
    raise AssertionError("no room for a drawing")  # pragma: no cover


def _overlap(a: Box, b: Box) -> bool:
    return not (a.last_row < b.first_row or b.last_row < a.first_row or
                a.last_column < b.first_column or b.last_column < a.first_column)


def place_chart(ws: Worksheet, chart, where: str = "below", first_column: int | None = None) -> None:
    """Add ``chart`` below or beside what is on the sheet (never over a used cell or a drawing)."""
    ws.add_chart(chart, place(ws, chart.width * CM, chart.height * CM, where, first_column))


def add_picture(ws: Worksheet, png: bytes, anchor: str | None = None, width_px: float | None = None,
                where: str = "below") -> None:
    """Embed a PNG picture (e.g. the map) at ``anchor`` or below what is on the sheet."""
    from openpyxl.drawing.image import Image

    image = Image(io.BytesIO(png))
    if width_px:
        ratio = width_px / image.width
        image.width, image.height = width_px, image.height * ratio
    ws.add_image(image, anchor or place(ws, image.width, image.height, where))


# --- charts --------------------------------------------------------------------------------------

def _axes(chart, x_title: str, y_title: str, from_zero: bool = False, y_format: str | None = None) -> None:
    """Axes shown (openpyxl hides them from Excel unless told), titled, the value axis from 0."""
    chart.x_axis.title = x_title or None
    chart.y_axis.title = y_title or None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if from_zero:
        chart.y_axis.scaling.min = 0
    if y_format:
        chart.y_axis.number_format = y_format
        chart.y_axis.majorGridlines = chart.y_axis.majorGridlines  # keep the grid
    chart.legend.position = "b"


def bar_chart(title: str, x_title: str = "", y_title: str = "", horizontal: bool = False,
              stacked: bool = False, y_format: str | None = None, width: float = 18, height: float = 9) -> BarChart:
    """An empty bar chart: value axis from zero, axes titled and shown."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    _axes(chart, x_title, y_title, from_zero=True, y_format=y_format)
    chart.width, chart.height = width, height
    return chart


def add_bar_chart(ws: Worksheet, frame: pd.DataFrame, columns: list[str], title: str, anchor: str | None = None,
                  y_title: str = "", header_row: int = 1, width: float = 18, height: float = 9,
                  x_title: str = "", where: str = "below", y_format: str | None = None,
                  category_column: int = 1, first_column: int = 1) -> None:
    """A bar chart of ``columns`` of a table written at (``header_row``, ``first_column``), categories
    from its first column; placed below or beside the tables (``anchor`` ignored: kept for callers)."""
    present = [c for c in columns if c in frame.columns]
    if frame.empty or not present:
        return
    if not (pd.DataFrame(frame[present]).apply(pd.to_numeric, errors="coerce").fillna(0.0).abs() > NOISE).any().any():
        return  # nothing but zeros (no plan): an empty chart says nothing
    chart = bar_chart(title, x_title, y_title, y_format=y_format or _axis_format(present), width=width,
                      height=height)
    for column in present:
        position = first_column + list(frame.columns).index(column)
        chart.add_data(Reference(ws, min_col=position, min_row=header_row, max_row=header_row + len(frame)),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=first_column + category_column - 1, min_row=header_row + 1,
                                   max_row=header_row + len(frame)))
    if len(present) == 1:
        chart.legend = None
    place_chart(ws, chart, where)


def _axis_format(columns: list[str]) -> str | None:
    kinds = {format_kind(c) for c in columns}
    if kinds == {"share"}:
        return "0%"
    if kinds <= {"money", "number", "per_person"}:
        return "#,##0"
    return None


def add_line_chart(ws: Worksheet, frame: pd.DataFrame, x: str, ys: list[str], title: str, x_title: str,
                   y_title: str, anchor: str | None = None, width: float = 20, height: float = 10,
                   where: str = "below", y_format: str | None = None) -> None:
    """A line chart of ``ys`` against ``x`` from a table written at row 1: straight segments between
    the points (no smoothing), markers on the points, axes shown and titled."""
    columns = list(frame.columns)
    present = [y for y in ys if y in columns]
    if x not in columns or not len(frame) or not present:
        return
    chart = LineChart()
    chart.title = title
    _axes(chart, x_title, y_title, y_format=y_format or _axis_format(present))
    for name in present:
        position = columns.index(name) + 1
        chart.add_data(Reference(ws, min_col=position, min_row=1, max_row=len(frame) + 1), titles_from_data=True)
    position = columns.index(x) + 1
    chart.set_categories(Reference(ws, min_col=position, min_row=2, max_row=len(frame) + 1))
    chart.x_axis.number_format = ws.cell(row=2, column=position).number_format or "General"
    chart.x_axis.tickLblSkip = max(1, math.ceil(len(frame) / 12))
    unsmooth(chart)
    if len(present) == 1:
        chart.legend = None
    chart.width, chart.height = width, height
    place_chart(ws, chart, where)


def unsmooth(chart: LineChart) -> None:
    """Straight lines between the points: openpyxl writes every line series smoothed unless told."""
    from openpyxl.chart.marker import Marker

    chart.smooth = False
    for series in chart.series:
        series.smooth = False
        series.marker = Marker(symbol="circle", size=6)


# --- print setup ---------------------------------------------------------------------------------

def print_setup(ws: Worksheet, scenario: str = "", date: str = "", one_page: bool = False,
                header_rows: str | None = "1:1") -> None:
    """Landscape A4, one page wide (and tall when ``one_page``), ``header_rows`` repeated on every
    page, a footer with the scenario, the sheet and the date, page numbers in the header."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = False
    if header_rows and ws.max_row > 1:
        ws.print_title_rows = header_rows
    ws.oddFooter.left.text = _footer_text(scenario)
    ws.oddFooter.center.text = "&A"
    ws.oddFooter.right.text = _footer_text(date) + ("  " if date else "") + "&P / &N"
    for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
        part.size = 8


def _footer_text(text: str) -> str:
    return str(text or "").replace("&", "&&")[:120]


def finish_workbook(wb: Workbook, scenario: str = "", date: str = "", one_page: Iterable[str] = (),
                    no_title_rows: Iterable[str] = ()) -> None:
    """Print setup on every sheet (the sheets named in ``one_page`` fit on one page); the footer's
    date is ``date`` (the run's) or, without one, the day the workbook is written."""
    single, untitled = set(one_page), set(no_title_rows)
    date = date or datetime.date.today().isoformat()
    for ws in wb.worksheets:
        print_setup(ws, scenario, date, one_page=ws.title in single,
                    header_rows=None if ws.title in untitled else "1:1")


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
