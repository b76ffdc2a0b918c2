"""Turn cell values, as Excel users actually write them, into typed values.

Each parser takes the raw value that the reader returned (str, int, float,
bool, date/datetime, ``None`` or an :class:`ExcelError`) and returns the typed
value, or raises :class:`CellError` with a message a planner understands.
Parsers never guess: a number in a locale that cannot be told apart
(``1.234,5``) is rejected.

Text is compared as a person reads it (:func:`clean`): Unicode-normalised (NFC),
invisible format characters (zero-width spaces, byte-order marks, soft hyphens,
direction marks) dropped, no-break and other spaces made plain spaces, control
characters (``_x000B_`` from text pasted out of Word) made spaces, surrounding
spaces trimmed. So ``'N1\\u200b'`` and ``'N1'`` are one id, and no control
character reaches a results workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_ID_LENGTH = 255
#: Characters that separate ids in a list cell (``requires``, ``funds``, ...): no id may contain one.
LIST_SEPARATORS = ",;"
#: A number larger than this in absolute value, in any unit, is a typing or unit mistake.
MAX_MAGNITUDE = 1e15
#: Years are four-digit years.
YEARS = range(1000, 10000)

_TRUE = {"yes", "y", "true", "1", "1.0"}
_FALSE = {"no", "n", "false", "0", "0.0"}

# Spaces people and locales put between thousands: space, no-break space,
# narrow no-break space, thin space.
_GROUP_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d)")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3}){2,}(\.\d+)?$|^[+-]?\d{1,3}(,\d{3})+\.\d+$")


class CellError(ValueError):
    """A cell whose value does not fit its column."""


@dataclass(frozen=True)
class ExcelError:
    """A cell holding an Excel error value (``#N/A``, ``#DIV/0!``, ...): never data.

    The reader puts one in place of the blank python-calamine returns for such a
    cell and reports it at its cell; parsers refuse it.
    """

    text: str  # '#N/A' ('' when the file gave none)
    ref: str   # 'B7'

    def __str__(self) -> str:
        return self.text or "#error"


# Zero-width and other invisible format characters (Unicode category Cf) are dropped; line and
# other control characters become spaces (text keeps its line breaks and tabs).
_PLAIN = re.compile(r"[ -~]*")


def clean(text: str, keep_lines: bool = False) -> str:
    """Text as a person reads it: NFC, invisible characters dropped, odd spaces and control
    characters made spaces, trimmed. ``keep_lines`` keeps line breaks and tabs (free text)."""
    if _PLAIN.fullmatch(text):
        return text.strip()
    kept = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if keep_lines and ch in "\n\t":
            kept.append(ch)
        elif category in ("Cc", "Zs", "Zl", "Zp"):
            kept.append(" ")
        else:
            kept.append(ch)
    return "".join(kept).strip()


def shown(text: str) -> str:
    """Text quoted so that invisible characters show: ``'N1\\u200b'``."""
    return "'" + "".join(ch if ch.isprintable() and unicodedata.category(ch) != "Cf" else f"\\u{ord(ch):04x}"
                         for ch in text) + "'"


def is_blank(value: Any) -> bool:
    """Empty cells, empty strings and strings of spaces or invisible characters are blank."""
    if value is None:
        return True
    if isinstance(value, str):
        return clean(value) == ""
    if isinstance(value, float):
        return math.isnan(value)
    return False


def _refuse_error(value: Any) -> None:
    if isinstance(value, ExcelError):
        raise CellError(f"the Excel error {value} is not a value")


def parse_id(value: Any) -> str:
    """Ids are strings: ``1`` and ``1.0`` both become ``"1"``; compared as :func:`clean` reads them."""
    _refuse_error(value)
    if isinstance(value, bool):
        raise CellError("expected an id, got a yes/no value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellError("expected an id, got a date")
    text = clean(str(value))
    if len(text) > MAX_ID_LENGTH:
        raise CellError(f"id is longer than {MAX_ID_LENGTH} characters")
    if any(sep in text for sep in LIST_SEPARATORS):
        raise CellError("an id cannot contain a comma or a semicolon: they separate the ids of a list "
                        "(requires, funds, regions, ...); use one id per cell here")
    return text


def parse_text(value: Any) -> str:
    """Free text, trimmed, as :func:`clean` reads it (line breaks kept); whole-number floats lose their ``.0``."""
    _refuse_error(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value), keep_lines=True)


def parse_number(value: Any) -> float:
    """Numbers, numbers stored as text (``1 200``, ``5%``), never a guessed locale."""
    _refuse_error(value)
    if isinstance(value, bool):
        raise CellError("expected a number, got a yes/no value")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise CellError("expected a number, got a date")
    else:
        number = _number_from_text(str(value))
    if math.isnan(number) or math.isinf(number):
        raise CellError("expected a finite number")
    return number


def _number_from_text(text: str) -> float:
    text = clean(text)
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    text = _GROUP_SPACES.sub("", text)
    if _COMMA_THOUSANDS.match(text):
        text = text.replace(",", "")
    elif "," in text:
        raise CellError(
            "number written with a comma, whose meaning depends on the locale; "
            "type it as a number without thousands separators (e.g. 1234.5)"
        )
    if not _PLAIN_NUMBER.match(text):
        raise CellError("expected a number")
    number = float(text)
    return number / 100.0 if percent else number


def parse_int(value: Any) -> int:
    """Whole numbers; ``2026.0`` and ``"2 026"`` are accepted."""
    number = parse_number(value)
    if not number.is_integer():
        raise CellError("expected a whole number")
    return int(number)


def parse_year(value: Any) -> int:
    """A four-digit year; a date typed where a year is expected gives its year."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    year = parse_int(value)
    if year not in YEARS:
        raise CellError("expected a year with four digits")
    return year


def parse_bool(value: Any) -> bool:
    """yes/no/y/n/true/false/1/0 in any case, and Excel's TRUE/FALSE."""
    _refuse_error(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = clean(str(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("expected yes or no")


def parse_enum(value: Any, choices: tuple[str, ...]) -> str:
    """One of ``choices``, matched case-insensitively."""
    text = parse_text(value).lower()
    if text not in choices:
        raise CellError(f"expected one of {', '.join(choices)}")
    return text


def parse_ids(value: Any) -> tuple[str, ...]:
    """A comma-separated list of ids (semicolons are accepted too), each read as :func:`clean` reads it."""
    _refuse_error(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    parts = (clean(p) for p in re.split(r"[,;]", str(value)))
    ids = tuple(dict.fromkeys(p for p in parts if p))
    for item in ids:
        if len(item) > MAX_ID_LENGTH:
            raise CellError(f"id is longer than {MAX_ID_LENGTH} characters")
    return ids
