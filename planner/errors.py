"""Errors and input problems that the planner reports to people.

Two kinds of failure reach a planner:

* a file that cannot be read at all (:class:`WorkbookFileError`): one clear
  sentence naming the file and, where there is one, the cell or range;
* a workbook that reads but breaks the contract: a list of :class:`Problem`
  records, each located at ``Sheet!ROW: column`` so that the planner can go
  straight to the cell in Excel. All problems are collected and reported at
  once (:class:`ScenarioInvalid`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


class PlannerError(Exception):
    """Base class of every error the CLI turns into a message and an exit code."""

    exit_code = 1


class WorkbookFileError(PlannerError):
    """The file is not a workbook the planner can read (format, safety, access)."""


class OutputError(PlannerError):
    """An output file could not be written (e.g. it is open in Excel)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a scenario workbook.

    ``row`` is the Excel row number the planner sees (the header is row 1);
    ``None`` when the problem concerns a whole sheet or column. ``hint``: a likely fix
    ("did you mean samarkand?"), told after the value.
    """

    severity: Severity
    sheet: str
    row: int | None
    column: str | None
    message: str
    value: Any = None
    hint: str = ""

    @property
    def location(self) -> str:
        """``Sheet!ROW`` (or just ``Sheet`` when no row applies)."""
        return f"{self.sheet}!{self.row}" if self.row is not None else self.sheet

    def __str__(self) -> str:
        parts = [self.location]
        if self.column:
            parts.append(self.column)
        text = ": ".join(parts) + ": " + self.message
        if self.value is not None and self.value != "":
            text += f" ({_show(self.value)})"
        if self.hint:
            text += f"; {self.hint}"
        return text


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ScenarioInvalid(PlannerError):
    """The workbook breaks the contract; ``problems`` lists every error and warning."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the scenario workbook")
