"""The validated scenario: typed tables plus the facts every later stage needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import Problem

#: Budget scope id of a pooled (national) fund: its Budgets rows have a blank region.
POOLED = ""


@dataclass
class Scenario:
    """A scenario that passed validation.

    ``tables`` holds one DataFrame per declared sheet (column names as declared,
    plus ``row``, the Excel row). ``settings`` holds typed settings with defaults.
    """

    settings: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    setting_rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    path: Path | None = None
    variant: str | None = None

    @property
    def name(self) -> str:
        base = str(self.settings.get("name") or (self.path.stem if self.path else "scenario"))
        return f"{base} [{self.variant}]" if self.variant else base

    @property
    def start_year(self) -> int:
        return int(self.settings["start_year"])

    @property
    def horizon(self) -> int:
        return int(self.settings["horizon"])

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.start_year + self.horizon))

    @property
    def last_year(self) -> int:
        return self.start_year + self.horizon - 1

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @cached_property
    def regions(self) -> list[str]:
        return list(self.tables["Regions"]["region"])

    @cached_property
    def groups(self) -> dict[str, list[str]]:
        """Group name -> member regions, in Regions order."""
        table = self.tables["Regions"]
        members: dict[str, list[str]] = {}
        for region, group in zip(table["region"], table["group"]):
            if group:
                members.setdefault(group, []).append(region)
        return members

    def scope_regions(self, scope: str | None) -> list[str]:
        """Regions a goal scope covers: blank = all, a region id, or a group name."""
        if not scope:
            return self.regions
        if scope in self.groups:
            return self.groups[scope]
        return [scope]

    def discount(self, year: int) -> float:
        """delta_t = (1 + discount_rate) ** -(t - y0)."""
        rate = float(self.settings.get("discount_rate") or 0.0)
        return (1.0 + rate) ** -(year - self.start_year)
