"""Rules of the uncertainty columns: an impact's range and a partner's reliability.

``Impacts.low`` and ``Impacts.high`` give the range of an impact whose ``value`` is the most
likely one (``planner robust`` draws it from triangular(low, value, high)); a blank side is the
value itself. ``Partners.reliability`` is typed and bounded by the schema (in (0, 1]).
"""

from __future__ import annotations

from planner.errors import Problem
from planner.scenario.checks import Tables, _records
from planner.scenario.tables import ROW


def check_uncertainty(tables: Tables) -> list[Problem]:
    """low <= value <= high on every Impacts row that gives a range, located at the cell."""
    problems: list[Problem] = []
    impacts = tables["Impacts"]
    if "low" not in impacts or "high" not in impacts:
        return problems
    for r in _records(impacts):
        value, low, high = r["value"], r["low"], r["high"]
        if value is None:
            continue
        if low is not None and high is not None and low > high:
            problems.append(Problem("error", "Impacts", r[ROW], "low",
                                    f"low is above high ({high:g}); the range is low to high", low))
            continue
        if low is not None and low > value:
            problems.append(Problem("error", "Impacts", r[ROW], "low",
                                    f"low is above the most likely value ({value:g}); low <= value <= high",
                                    low))
        if high is not None and high < value:
            problems.append(Problem("error", "Impacts", r[ROW], "high",
                                    f"high is below the most likely value ({value:g}); low <= value <= high",
                                    high))
    return problems


__all__ = ["check_uncertainty"]
