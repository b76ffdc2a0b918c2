"""planner: an optimisation-based policy planner for regional development.

The pipeline reads as verbs: load a scenario workbook -> validate it -> build the
mixed-integer model -> solve it with HiGHS -> extract tables -> advise -> write results.

For notebooks::

    import planner
    r = planner.solve("scenarios/small.xlsx")
    r.status, r.objective, r.plan, r.goals, r.spending, r.regions
    r.to_excel("small-results.xlsx")

    s = planner.load("scenarios/small.xlsx")        # tables are DataFrames
    s.tables["Budgets"]["amount"] *= 1.2
    planner.solve(s).objective

See :mod:`planner.api` for every function. Bad input raises :class:`ScenarioInvalid`,
which carries every located problem (``.problems``).
"""

from __future__ import annotations

from typing import Any

from planner.errors import ScenarioInvalid
from planner.version import __version__

#: The notebook API, imported on first use: ``import planner`` stays fast for the CLI, which
#: needs only some of it (PEP 562 module __getattr__).
_API = ("load", "solve", "compare", "diagnose", "frontier", "alternatives", "marginal", "price_of_fairness",
        "robust", "Result", "Comparison", "Robust", "Scenario", "Status")


def __getattr__(name: str) -> Any:
    if name in _API:
        from planner import api  # lazy, for start-up time (see _API)

        return getattr(api, name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = ["ScenarioInvalid", "__version__", *_API]
