"""Turn cell values, as Excel users actually write them, into typed values.

Each parser takes the raw value that the reader returned (str, int, float,
bool, date/datetime or ``None``) and returns the typed value, or raises
:class:`CellError` with a message a planner understands. Parsers never guess:
a number in a locale that cannot be told apart (``1.234,5``) is rejected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

MAX_ID_LENGTH = 255

_TRUE = {"yes", "y", "true", "1", "1.0"}
_FALSE = {"no", "n", "false", "0", "0.0"}

# Spaces people and locales put between thousands: space, no-break space,
# narrow no-break space, thin space.
_GROUP_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d)")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3}){2,}(\.\d+)?$|^[+-]?\d{1,3}(,\d{3})+\.\d+$")


class CellError(ValueError):
    """A cell whose value does not fit its column."""


def is_blank(value: Any) -> bool:
    """Empty cells, empty strings and whitespace-only strings are blank."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    return False


def parse_id(value: Any) -> str:
    """Ids are strings: ``1`` and ``1.0`` both become ``"1"``."""
    if isinstance(value, bool):
        raise CellError("expected an id, got a yes/no value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellError("expected an id, got a date")
    text = str(value).strip()
    if len(text) > MAX_ID_LENGTH:
        raise CellError(f"id is longer than {MAX_ID_LENGTH} characters")
    return text


def parse_text(value: Any) -> str:
    """Free text, trimmed; whole-number floats lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_number(value: Any) -> float:
    """Numbers, numbers stored as text (``1 200``, ``5%``), never a guessed locale."""
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
    text = text.strip()
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
    """A year; a date typed where a year is expected gives its year."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    return parse_int(value)


def parse_bool(value: Any) -> bool:
    """yes/no/y/n/true/false/1/0 in any case, and Excel's TRUE/FALSE."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
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
    """A comma-separated list of ids (semicolons are accepted too)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    parts = re.split(r"[,;]", str(value))
    ids = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
    for item in ids:
        if len(item) > MAX_ID_LENGTH:
            raise CellError(f"id is longer than {MAX_ID_LENGTH} characters")
    return ids
