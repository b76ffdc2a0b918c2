"""Check a workbook file before any reader parses its XML.

Workbooks arrive by email and from other programs, so the file is treated as
hostile until proven otherwise. :func:`inspect_workbook` looks at the path, the
first bytes (not the extension), the zip directory (zip-bomb limits) and every
member's XML prolog (no DTDs: billion laughs, external entities), streams each
member once in chunks (its real size must match the declared one), and only
then parses ``xl/workbook.xml`` with defusedxml. Every refusal is one sentence
naming the file, raised as :class:`WorkbookFileError`. The file is opened
read-only and nothing is written anywhere.

Formula cells without a cached value, and cells holding an Excel error value
(``#N/A``, ``#DIV/0!``, ... saved as ``t="e"``, which python-calamine reads as
blank), are found by scanning the worksheet bytes rather than by building an
XML tree: ElementTree needs ~15 s per 100 MB of sheet XML, a byte scan well
under 1 s.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from planner.errors import WorkbookFileError

MB = 1024 * 1024
MAX_UNPACKED_BYTES = 200 * MB       # all members together, as declared in the zip directory
MAX_RATIO = 100                     # compression ratio above which a member is a bomb ...
RATIO_MIN_BYTES = 1 * MB            # ... when it also unpacks to more than this
MAX_MEMBERS = 10_000
MAX_DIRECTORY_BYTES = MAX_MEMBERS * 512  # the zip directory is read whole by zipfile
MAX_PARSED_PART_BYTES = 16 * MB     # workbook.xml and its rels are parsed into a tree
MAX_FORMULA_REFS = 1_000            # formula cells without value (and error cells) listed per sheet
HEAD_BYTES = 64 * 1024              # where an XML prolog (and any DTD) must end
CHUNK_BYTES = 1 * MB

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class PackageInfo:
    """What the caller needs to know about a workbook package that passed the checks."""

    sheets: dict[str, str]            # sheet name (as in workbook.xml) -> zip member path
    hidden: frozenset[str]            # sheets whose state is hidden or veryHidden
    formulas_without_value: dict[str, list[str]]  # sheet -> refs ('B7'), at most MAX_FORMULA_REFS
    #: sheet -> (ref, Excel error text) of cells holding an error value ('B7', '#N/A'), at most MAX_FORMULA_REFS
    error_cells: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def describe(path: Path) -> str:
    """The quoted file name used in messages, e.g. ``'scen.xlsx'``."""
    return f"'{Path(path).name}'"


def check_defusedxml() -> None:
    """Raise RuntimeError unless openpyxl parses XML through defusedxml.

    openpyxl silently falls back to the unprotected standard-library parser when
    defusedxml is missing or ``OPENPYXL_DEFUSEDXML`` is set to anything but True.
    """
    import openpyxl.xml  # imported here: openpyxl is slow to import and only writes files

    if not openpyxl.xml.DEFUSEDXML:
        raise RuntimeError("openpyxl is not using defusedxml: install defusedxml "
                           "and leave OPENPYXL_DEFUSEDXML unset")


def inspect_workbook(path: Path) -> PackageInfo:
    """Check that ``path`` is a safe, readable .xlsx/.xlsm package and describe it."""
    path = Path(path)
    _check_path(path)
    try:
        handle = path.open("rb")
    except PermissionError:
        raise _refuse(path, "cannot be read: permission denied (is it open in another program?)") from None
    except OSError as exc:
        raise _refuse(path, f"cannot be read: {exc.strerror or exc}") from None
    with handle:
        size = _file_size(handle)
        _check_format(path, handle.read(8192))
        _check_extension(path)
        with _open_zip(path, handle, size) as zf:
            scans = {info.filename: _scan_member(path, zf, info)
                     for info in zf.infolist() if not info.is_dir()}
            sheets, hidden = _sheet_list(path, zf)
    return PackageInfo(
        sheets=sheets,
        hidden=hidden,
        formulas_without_value={name: scans[member].refs for name, member in sheets.items()
                                if member in scans and scans[member].refs},
        error_cells={name: scans[member].errors for name, member in sheets.items()
                     if member in scans and scans[member].errors},
    )


def _refuse(path: Path, message: str) -> WorkbookFileError:
    return WorkbookFileError(f"{describe(path)} {message}")


def _file_size(handle: BinaryIO) -> int:
    return os.fstat(handle.fileno()).st_size


# --- 1. the path ------------------------------------------------------------------------------

def _check_path(path: Path) -> None:
    """Refuse missing files, folders, Excel and LibreOffice lock files and anything that is not a regular file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise WorkbookFileError(f"No such file: {describe(path)}") from None
    except PermissionError:
        raise _refuse(path, "cannot be read: permission denied") from None
    except OSError as exc:
        raise _refuse(path, f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise _refuse(path, "is a folder, not a workbook file")
    if path.name.startswith("~$"):
        raise _refuse(path, f"is Excel's lock file for a workbook that is open in Excel, not a "
                            f"workbook: open '{path.name[2:]}' instead")
    if path.name.startswith(".~lock.") and path.name.endswith("#"):
        raise _refuse(path, f"is LibreOffice's lock file for a workbook that is open in LibreOffice, not a "
                            f"workbook: open '{path.name[7:-1]}' instead")
    if not stat.S_ISREG(mode):  # a pipe or device would block or never end
        raise _refuse(path, "is not a regular file")


# --- 2. the format, from the first bytes --------------------------------------------------------

def _check_format(path: Path, head: bytes) -> None:
    """Tell zip packages from empty files, old or encrypted Excel files, text and anything else."""
    if not head:
        raise _refuse(path, "is empty (0 bytes)")
    if head.startswith(OLE_MAGIC):
        if path.suffix.lower() in ACCEPTED_SUFFIXES:
            # Excel stores a password-protected .xlsx as an OLE container around the package.
            raise _refuse(path, "is password-protected (encrypted): remove the password in Excel "
                                "(File > Info > Protect Workbook) or LibreOffice (File > Properties > "
                                "Security) and save again")
        raise _refuse(path, "is an old Excel 97-2003 .xls file: open it in Excel or LibreOffice and save it as .xlsx")
    if head.startswith(ZIP_MAGIC):
        return
    text = _as_text(head)
    if text is not None and text.lstrip().startswith("<"):
        raise _refuse(path, "is an HTML or XML text file, not an Excel workbook: open it in Excel or "
                            "LibreOffice and save it as .xlsx")
    if text is not None and any(sep in text for sep in ",;\t"):
        raise _refuse(path, "is a CSV/text file, not an Excel workbook: open it in Excel or LibreOffice and "
                            "save it as .xlsx")
    raise _refuse(path, "is not an Excel workbook (.xlsx/.xlsm)")


def _as_text(head: bytes) -> str | None:
    """Decode ``head`` if it is plausibly text (UTF-16 with BOM, else UTF-8 or a legacy 8-bit code page)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[2:].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", errors="replace")
    elif b"\x00" in head:
        return None
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    controls = sum(1 for ch in text if not ch.isprintable() and ch not in "\t\r\n\f")
    return text if controls <= len(text) // 100 else None


def _check_extension(path: Path) -> None:
    """Only .xlsx and .xlsm are read: an .ods, .docx or .zip is a zip too, but not a workbook."""
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        shown = f"the extension '{path.suffix}'" if suffix else "no extension"
        raise _refuse(path, f"has {shown}; only .xlsx and .xlsm workbooks are read: open it in "
                            "Excel or LibreOffice and save it as .xlsx (in LibreOffice: File > Save As, "
                            "Excel 2007-365)")


# --- 3. the zip directory ------------------------------------------------------------------------

def _open_zip(path: Path, handle: BinaryIO, size: int) -> zipfile.ZipFile:
    """Open the zip and check its directory (sizes, ratios, member count) without decompressing."""
    _check_directory_extent(path, handle, size)
    damaged = _refuse(path, "is damaged or truncated (not a complete .xlsx file)")
    try:
        zf = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error, NotImplementedError):
        raise damaged from None
    try:
        _check_members(path, zf.infolist(), size, damaged)
    except BaseException:
        zf.close()
        raise
    return zf


def _check_directory_extent(path: Path, handle: BinaryIO, size: int) -> None:
    """Refuse a zip whose directory is too big before zipfile loads all of it into memory.

    Mirrors how zipfile finds the end record (and a ZIP64 one just before it).
    """
    tail_size = min(size, 22 + 0xFFFF + 20 + 56)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return  # zipfile will report it as damaged
    count, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
    if at >= 76 and tail[at - 20:at - 16] == b"PK\x06\x07" and tail[at - 76:at - 72] == b"PK\x06\x06":
        count, directory_bytes = struct.unpack_from("<QQ", tail, at - 76 + 32)
    if count > MAX_MEMBERS or directory_bytes > MAX_DIRECTORY_BYTES:
        raise _too_many_members(path)


def _too_many_members(path: Path) -> WorkbookFileError:
    return _refuse(path, f"has more than {MAX_MEMBERS:,} zip members (possible zip bomb); refusing to read it")


def _check_members(path: Path, infos: list[zipfile.ZipInfo], size: int,
                   damaged: WorkbookFileError) -> None:
    """Zip-bomb limits on the declared sizes, and the members a workbook must (not) have."""
    for info in infos:
        if info.header_offset + 30 + info.compress_size > size:
            raise damaged
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise _refuse(path, f"unpacks to {total / MB:,.0f} MB, more than the {MAX_UNPACKED_BYTES // MB} MB "
                            "limit (possible zip bomb); refusing to read it")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise _refuse(path, f"contains {info.filename}, which unpacks {ratio:,.0f} times its size to "
                                f"{info.file_size / MB:,.0f} MB (possible zip bomb); refusing to read it")
    if len(infos) > MAX_MEMBERS:  # the end record may understate the count
        raise _too_many_members(path)
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _refuse(path, "is damaged: a zip member appears twice")
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(path, f"is not a workbook Excel wrote: {info.filename} is zip-encrypted or "
                                "uses an unusual compression method")
    if WORKBOOK not in names:
        raise _refuse(path, f"is not an Excel workbook (.xlsx/.xlsm): it has no {WORKBOOK}")


# --- 4./5. every member, streamed once ------------------------------------------------------------

@dataclass(frozen=True)
class _Scan:
    """What the byte scan found in one worksheet."""

    refs: list[str]                   # formula cells without a cached value
    errors: list[tuple[str, str]]     # (ref, Excel error text) of error cells


def _scan_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Scan:
    """Stream one member: refuse DTDs in its prolog; return a worksheet's formula cells without
    value and its error cells."""
    chunks = _member_chunks(path, zf, info)
    head = next(chunks, b"")
    _check_prolog(path, info, head)
    scanner = _FormulaScanner.for_worksheet(head)
    if scanner:
        scanner.feed(head)
    for chunk in chunks:  # always read to the end: that checks the size and the CRC
        if scanner:
            scanner.feed(chunk)
    if not scanner:
        return _Scan([], [])
    refs = scanner.finish()
    return _Scan(refs, scanner.errors)


def _member_chunks(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield a member's bytes (first HEAD_BYTES, then CHUNK_BYTES at a time), checking size and CRC.

    zipfile silently stops at the declared size (python-calamine fails instead),
    so a member that unpacks to more than its header says would slip past the
    zip-bomb limits and be scanned only in part: opening it with one byte more
    than declared reveals it.
    """
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    probe.CRC = None  # type: ignore[assignment]  # checked below, after the size
    total, crc = 0, 0
    try:
        with zf.open(probe) as stream:
            while chunk := stream.read(HEAD_BYTES if total == 0 else CHUNK_BYTES):
                total += len(chunk)
                if total > info.file_size:
                    raise _refuse(path, f"contains {info.filename}, which unpacks to more than its zip "
                                        "header declares (possible zip bomb); refusing to read it")
                crc = zlib.crc32(chunk, crc)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        raise _refuse(path, f"is damaged or truncated ({info.filename} cannot be unpacked)") from exc
    if total != info.file_size or crc != info.CRC:
        raise _refuse(path, f"is damaged or truncated ({info.filename} fails its checksum)")


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_NOISE = re.compile(rb"<!--.*?(?:-->|\Z)|<\?.*?(?:\?>|\Z)", re.DOTALL)  # comments, PIs
_ELEMENT = re.compile(rb"<[^?!]")


def _check_prolog(path: Path, info: zipfile.ZipInfo, head: bytes) -> None:
    """Refuse a DTD in the first 64 KB of an XML member: real xlsx parts never carry one.

    Members are recognised by name (.xml, .rels, .vml) or by content, so that a
    sheet stored under another name is checked too.

    A DTD must come before the first element, so a prolog longer than the
    64 KB looked at is refused too. NUL bytes are dropped first so that
    UTF-16/32 text is searched as well.
    """
    name = info.filename.lower()
    if name.endswith(".svg"):  # images, parsed by no reader here; SVG files often carry a DOCTYPE
        return
    text = head.replace(b"\x00", b"")
    looks_xml = text.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<")
    if not looks_xml and not name.endswith((".xml", ".rels", ".vml")):
        return
    if _DTD.search(text):
        raise _refuse(path, f"contains an XML document type declaration in {info.filename} (possible "
                            "billion-laughs or external-entity attack); refusing to read it")
    if info.file_size > len(head) and not _ELEMENT.search(_PROLOG_NOISE.sub(b"", text)):
        raise _refuse(path, f"has an XML prolog longer than {HEAD_BYTES // 1024} KB in {info.filename} "
                            "(possible XML attack); refusing to read it")


_EMPTY_STRING_RESULT = re.compile(rb"""\st\s*=\s*["']str["']""")
_REF = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")


class _FormulaScanner:
    """Find formula cells without a cached value in worksheet XML, chunk by chunk.

    A cell is ``<c r="B7">`` then ``<f>`` then ``<v>``; it has a value when its
    formula element is followed by a ``<v>`` with text. A cell whose type is
    ``t="e"`` holds an Excel error value (``<v>#N/A</v>``), typed or computed:
    python-calamine reads it as blank, so it is listed here with its text. Chunks are cut after the
    last ``</c>`` so no cell is split. The DTD check has run, so no entity can
    hide markup; oddly written XML (comments, CDATA) can only make a cell look
    valueless. Three literal-prefixed patterns instead of one alternation keep
    the scan near 0.5 s per 100 MB; runs stop at the next ``<`` (never inside
    an attribute value), so hostile bytes cannot make it quadratic. A ``>``
    inside an attribute of a self-closing ``<f .../>`` is not recognised: no
    writer produces one.
    """

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        no_value = rb"(?!\s*<" + p + rb"v(?:\s[^<>]*)?>[^<])"
        self._patterns = [re.compile(end + no_value) for end in (
            rb"</" + p + rb"f\s*>",        # <f>SUM(A1:A3)</f>
            rb"<" + p + rb"f\s[^<>]*/>",    # <f t="shared" si="0"/>
            rb"<" + p + rb"f/>",
        )]
        self._formula = b"<" + prefix + b"f"
        self._cell_open = b"<" + prefix + b"c"
        self._cell_end = b"</" + prefix + b"c>"
        # The opening tag of an error cell; [^<>] keeps each try inside one tag (linear).
        self._error_cell = re.compile(rb"<" + p + rb"""c\s[^<>]*?\bt\s*=\s*["']e["'][^<>]*>""")
        self._error_value = re.compile(rb"<" + p + rb"v(?:\s[^<>]*)?>([^<]*)</" + p + rb"v\s*>")
        self._carry = b""
        self.refs: list[str] = []
        self.errors: list[tuple[str, str]] = []

    @classmethod
    def for_worksheet(cls, head: bytes) -> _FormulaScanner | None:
        """A scanner for the root element's namespace prefix, or None if this is not a worksheet."""
        root = re.search(rb"<([\w.-]+:)?worksheet[\s>/]", head)
        return cls(root.group(1) or b"") if root else None

    def feed(self, chunk: bytes) -> None:
        """Scan the complete cells in carry + chunk; keep the rest for the next chunk."""
        buffer = self._carry + chunk
        cut = buffer.rfind(self._cell_end)
        if cut < 0 and len(buffer) < 16 * CHUNK_BYTES:
            self._carry = buffer
            return
        end = cut + len(self._cell_end) if cut >= 0 else len(buffer)
        self._scan(buffer[:end])
        self._carry = buffer[end:]

    def finish(self) -> list[str]:
        self._scan(self._carry)
        self._carry = b""
        return self.refs

    def _scan(self, segment: bytes) -> None:
        self._scan_errors(segment)
        if len(self.refs) >= MAX_FORMULA_REFS or self._formula not in segment:
            return
        found = [m for pattern in self._patterns for m in pattern.finditer(segment)]
        for match in sorted(found, key=lambda m: m.start()):
            if len(self.refs) >= MAX_FORMULA_REFS:
                break
            tag = self._tag_before(segment, match.start())
            if _EMPTY_STRING_RESULT.search(tag) and self._has_value_element(segment, match.end()):
                continue  # a formula whose saved result is the empty string: Excel writes t="str" and <v></v>
            ref = _REF.search(tag)
            self.refs.append(ref.group(1).decode("utf-8", errors="replace") if ref else "?")

    def _scan_errors(self, segment: bytes) -> None:
        """Cells typed ``t="e"``: their reference and error text (the text of their ``<v>``)."""
        if len(self.errors) >= MAX_FORMULA_REFS or (b'"e"' not in segment and b"'e'" not in segment):
            return
        for match in self._error_cell.finditer(segment):
            if len(self.errors) >= MAX_FORMULA_REFS:
                break
            tag = match.group(0)
            ref = _REF.search(tag)
            text = ""
            if not tag.endswith(b"/>"):
                end = segment.find(self._cell_end, match.end(), match.end() + HEAD_BYTES)
                value = self._error_value.search(segment, match.end(), end if end >= 0 else match.end())
                text = value.group(1).decode("utf-8", errors="replace").strip()[:32] if value else ""
            self.errors.append((ref.group(1).decode("utf-8", errors="replace") if ref else "?", text))

    def _has_value_element(self, segment: bytes, position: int) -> bool:
        return re.match(rb"\s*<" + re.escape(self._cell_open[1:-1]) + rb"v[\s/>]", segment[position:position + 256]) \
            is not None

    def _tag_before(self, segment: bytes, position: int) -> bytes:
        """The opening tag of the cell that encloses ``position`` (b'' when none is found)."""
        start, window = position, max(0, position - HEAD_BYTES)  # a cell never comes close to 64 KB
        while (start := segment.rfind(self._cell_open, window, start)) >= 0:
            after = start + len(self._cell_open)
            if segment[after:after + 1] in (b" ", b"\t", b"\r", b"\n", b">", b"/"):
                return segment[start:max(start, segment.find(b">", start, start + HEAD_BYTES))]
        return b""


# --- the sheet list ---------------------------------------------------------------------------

def _sheet_list(path: Path, zf: zipfile.ZipFile) -> tuple[dict[str, str], frozenset[str]]:
    """Map sheet names to zip members through workbook.xml and its relationships."""
    workbook = _parse_part(path, zf, WORKBOOK)
    targets = _relationship_targets(path, zf)
    members = {name.lower(): name for name in zf.namelist()}  # OPC part names ignore case
    sheets: dict[str, str] = {}
    hidden: set[str] = set()
    for sheet in _children(workbook, "sheets", "sheet"):
        name = sheet.get("name")
        rel_id = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        if not name or rel_id not in targets:
            raise _refuse(path, f"is damaged: a sheet in {WORKBOOK} has no name or no relationship")
        member = members.get(targets[rel_id].lower())
        if member is None:
            raise _refuse(path, f"is damaged: sheet '{name}' points to {targets[rel_id]}, "
                                "which is not in the file")
        sheets[name] = member
        if sheet.get("state") in ("hidden", "veryHidden"):
            hidden.add(name)
    return sheets, frozenset(hidden)


def _relationship_targets(path: Path, zf: zipfile.ZipFile) -> dict[str, str]:
    """Relationship id -> member path for workbook.xml's internal relationships."""
    if WORKBOOK_RELS not in zf.NameToInfo:
        raise _refuse(path, f"is damaged: it has no {WORKBOOK_RELS}")
    targets = {}
    for rel in _children(_parse_part(path, zf, WORKBOOK_RELS), None, "Relationship"):
        target, rel_id = rel.get("Target"), rel.get("Id")
        if target and rel_id and rel.get("TargetMode") != "External":
            target = unquote(target)
            resolved = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            targets[rel_id] = posixpath.normpath(resolved)
    return targets


def _parse_part(path: Path, zf: zipfile.ZipFile, member: str) -> Element:
    """Parse a small package part with defusedxml; every failure is one sentence naming the part."""
    if zf.getinfo(member).file_size > MAX_PARSED_PART_BYTES:
        raise _refuse(path, f"has an implausibly large {member}; refusing to read it")
    try:
        return SafeET.fromstring(zf.read(member), forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise _refuse(path, f"contains a forbidden XML construct in {member} ({type(exc).__name__}: "
                            "possible XML attack); refusing to read it") from None
    except ParseError as exc:
        line, column = exc.position
        raise _refuse(path, f"is damaged: {member} is not well-formed XML "
                            f"(line {line}, column {column})") from None


def _children(root: Element, parent: str | None, tag: str) -> Iterator[Element]:
    """Elements named ``tag`` (any namespace or prefix) under the root's ``parent`` child, or the root."""
    containers = [root] if parent is None else [e for e in root if _local(e.tag) == parent]
    for container in containers:
        yield from (e for e in container if _local(e.tag) == tag)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
