"""Cell parsing: what Excel users write is read as they meant it, or rejected, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.scenario import cells


@pytest.mark.parametrize("raw, expected", [
    (5, 5.0), (2.5, 2.5), ("1 200", 1200.0), ("1\u00a0200,000" if False else "1\u00a0200", 1200.0),
    ("5%", 0.05), (" 12.5 % ", 0.125), ("-3", -3.0), ("1e3", 1000.0), ("1,234,567", 1234567.0),
    ("1,234.5", 1234.5), ("2\u202f026", 2026.0),
])
def test_numbers(raw, expected):
    assert cells.parse_number(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["1.234,5", "1,5", "1,200", "abc", "", "1.2.3", True, dt.date(2026, 1, 1)])
def test_numbers_rejected(raw):
    with pytest.raises(cells.CellError):
        cells.parse_number(raw)


@pytest.mark.parametrize("raw, expected", [
    ("yes", True), ("Y", True), ("TRUE", True), (True, True), (1, True), ("1", True),
    ("no", False), ("n", False), ("False", False), (0, False), (0.0, False),
])
def test_booleans(raw, expected):
    assert cells.parse_bool(raw) is expected


def test_boolean_rejected():
    with pytest.raises(cells.CellError, match="expected yes or no"):
        cells.parse_bool("maybe")


def test_years_from_numbers_text_and_dates():
    assert cells.parse_year(2026.0) == 2026
    assert cells.parse_year("2026") == 2026
    assert cells.parse_year(dt.datetime(2027, 5, 1)) == 2027
    with pytest.raises(cells.CellError):
        cells.parse_year(2026.5)


def test_ids_are_strings():
    assert cells.parse_id(1.0) == "1"
    assert cells.parse_id(" P1 ") == "P1"
    assert cells.parse_ids("A, B;C,,A") == ("A", "B", "C")
    with pytest.raises(cells.CellError):
        cells.parse_id("x" * 256)


def test_enum_is_case_insensitive_and_lists_choices():
    assert cells.parse_enum("Transport", ("transport", "other")) == "transport"
    with pytest.raises(cells.CellError, match="expected one of transport, other"):
        cells.parse_enum("road", ("transport", "other"))
