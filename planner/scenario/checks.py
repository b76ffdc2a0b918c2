"""Cross-sheet rules of the contract: references, windows, cycles, conflicts.

Each ``check_*`` function takes the typed tables and returns problems located
at ``Sheet!ROW: column``. They run only on cells that parsed, so a bad cell is
reported once, by the type check, and not again here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from planner.errors import Problem
from planner.scenario.suggest import did_you_mean
from planner.scenario.tables import ROW

Tables = dict[str, pd.DataFrame]


def check_all(tables: Tables, settings: dict[str, Any]) -> list[Problem]:
    """Every cross-sheet rule, in sheet order."""
    problems: list[Problem] = []
    years = _horizon(settings)
    problems += check_regions(tables)
    problems += check_baseline(tables)
    problems += check_budgets(tables, years)
    problems += check_projects(tables, years)
    problems += check_impacts(tables)
    problems += check_goals(tables, years)
    problems += check_magnitudes(tables)
    return problems


#: Numbers of one kind that span more than this ratio cannot share one row's scale (the solver
#: then works at about 1e-12 of the largest value; scaling cannot help).
SPAN_WARNING = 1e12


def check_magnitudes(tables: Tables) -> list[Problem]:
    """Warn when the money of the workbook (costs, budgets, partner caps), or the values of one
    indicator (baselines, impacts, targets), span more than 12 orders of magnitude: such numbers
    meet in the same rows of the model, and no choice of units makes them both exact."""
    groups: list[tuple[str, list[tuple[str, int, str, float]]]] = []
    money = [("Projects", r[ROW], "cost", r["cost"]) for r in _records(tables["Projects"])]
    money += [("Budgets", r[ROW], "amount", r["amount"]) for r in _records(tables["Budgets"])]
    money += [("Partners", r[ROW], "max_per_year", r["max_per_year"]) for r in _records(tables["Partners"])]
    groups.append(("money", money))
    for indicator in _ids(tables, "Indicators", "indicator"):
        cells = [(sheet, r[ROW], column, r[column]) for sheet, column in
                 (("Baseline", "value"), ("Impacts", "value"), ("Goals", "target"))
                 for r in _records(tables[sheet]) if r.get("indicator") == indicator]
        groups.append((f"indicator {indicator}", cells))
    problems = []
    for what, cells in groups:
        sized = [(abs(float(v)), sheet, row, column) for sheet, row, column, v in cells
                 if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and v != 0]
        if len(sized) < 2:
            continue
        low, high = min(sized), max(sized)
        if high[0] / low[0] > SPAN_WARNING:
            problems.append(Problem(
                "warning", high[1], high[2], high[3],
                f"the {what} spans more than 12 orders of magnitude: {high[0]:.3g} here, {low[0]:.3g} at "
                f"{low[1]}!{low[2]} ({low[3]}); no units make both exact in the solver: check for a typing "
                "or unit mistake", high[0]))
    return problems


def _horizon(settings: dict[str, Any]) -> range | None:
    start, horizon = settings.get("start_year"), settings.get("horizon")
    if isinstance(start, int) and isinstance(horizon, int) and horizon >= 1:
        return range(start, start + horizon)
    return None


def _ids(tables: Tables, sheet: str, column: str) -> set[str]:
    return {v for v in tables[sheet][column] if v is not None}


def _unknown(sheet: str, row: int, column: str, what: str, value: Any, known: Iterable[Any] = ()) -> Problem:
    """An id that no sheet declares; ``known``: the ids it could have been ("did you mean ...?"). When
    the near one differs only by upper/lower case, the message says that ids are matched exactly."""
    hint = did_you_mean(value, known)
    folded = str(value).casefold()
    if hint and any(k is not None and str(k).casefold() == folded for k in known):
        hint += " (ids are matched exactly, upper/lower case included)"
    return Problem("error", sheet, row, column, f"unknown {what}", value, hint=hint)


def _records(table: pd.DataFrame) -> Iterable[dict[str, Any]]:
    return table.to_dict("records")


def check_regions(tables: Tables) -> list[Problem]:
    """A group name may not also be a region id (a goal scope would be ambiguous)."""
    regions = _ids(tables, "Regions", "region")
    return [
        Problem("error", "Regions", r[ROW], "group",
                "group name is also a region id; goals could not tell them apart", r["group"])
        for r in _records(tables["Regions"])
        if r["group"] is not None and r["group"] in regions
    ]


def unknown_references(tables: Tables, sheet: str, known: dict[str, tuple[set[str], str]]) -> list[Problem]:
    """Cells of ``sheet`` whose id is not among the known ones: column -> (known ids, what)."""
    problems = []
    for r in _records(tables[sheet]):
        for column, (ids, what) in known.items():
            if r[column] is not None and r[column] not in ids:
                problems.append(_unknown(sheet, r[ROW], column, what, r[column], ids))
    return problems


def check_baseline(tables: Tables) -> list[Problem]:
    """Baseline rows name known regions and indicators."""
    return unknown_references(tables, "Baseline", {
        "region": (_ids(tables, "Regions", "region"), "region"),
        "indicator": (_ids(tables, "Indicators", "indicator"), "indicator"),
    })


def check_budgets(tables: Tables, years: range | None) -> list[Problem]:
    """Known funds and regions, years inside the horizon, one kind of scope per fund."""
    funds = _ids(tables, "Funds", "fund")
    regions = _ids(tables, "Regions", "region")
    problems = []
    scope_kind: dict[str, tuple[bool, int]] = {}
    for r in _records(tables["Budgets"]):
        if r["fund"] is not None and r["fund"] not in funds:
            problems.append(_unknown("Budgets", r[ROW], "fund", "fund", r["fund"], funds))
        if r["region"] is not None and r["region"] not in regions:
            problems.append(_unknown("Budgets", r[ROW], "region", "region", r["region"], regions))
        if years is not None and r["year"] is not None and r["year"] not in years:
            problems.append(Problem("error", "Budgets", r[ROW], "year",
                                    f"year outside the horizon {years[0]}-{years[-1]}", r["year"]))
        if r["fund"] is None:
            continue
        pooled = r["region"] is None
        first = scope_kind.setdefault(r["fund"], (pooled, r[ROW]))
        if first[0] != pooled:
            problems.append(Problem(
                "error", "Budgets", r[ROW], "region",
                f"fund {r['fund']} mixes pooled rows (blank region) and regional rows "
                f"(first row of the other kind: {first[1]}); use one kind per fund",
                r["region"] or "blank"))
    return problems


def check_projects(tables: Tables, years: range | None) -> list[Problem]:
    """References, start windows, requires cycles and requires/excludes conflicts."""
    projects = tables["Projects"]
    regions = _ids(tables, "Regions", "region")
    funds = _ids(tables, "Funds", "fund")
    ids = _ids(tables, "Projects", "project")
    problems = []
    for r in _records(projects):
        if r["region"] is not None and r["region"] not in regions:
            problems.append(_unknown("Projects", r[ROW], "region", "region", r["region"], regions))
        for column, known, what in (("requires", ids, "project"), ("excludes", ids, "project"),
                                    ("funds", funds, "fund")):
            for ref in r[column] or ():
                if ref not in known:
                    problems.append(_unknown("Projects", r[ROW], column, what, ref, known))
                elif column != "funds" and ref == r["project"]:
                    problems.append(Problem("error", "Projects", r[ROW], column,
                                            "a project cannot refer to itself", ref))
        conflict = set(r["requires"] or ()) & set(r["excludes"] or ())
        for ref in sorted(conflict):
            problems.append(Problem("error", "Projects", r[ROW], "excludes",
                                    "project both requires and excludes", ref))
        problems += _start_window(r, years)
    problems += _requires_cycles(projects)
    problems += _excluded_requirements(projects)
    return problems


def _start_window(r: dict[str, Any], years: range | None) -> list[Problem]:
    earliest, latest = r["earliest_start"], r["latest_start"]
    if earliest is not None and latest is not None and earliest > latest:
        return [Problem("error", "Projects", r[ROW], "earliest_start",
                        f"earliest_start is after latest_start ({latest})", earliest)]
    if years is None or r["duration"] is None:
        return []
    if latest is not None and latest < years[0]:
        return _started_before(r, years)
    first = max(earliest if earliest is not None else years[0], years[0])
    last = min(latest if latest is not None else years[-1], years[-1] - r["duration"] + 1)
    if first <= last:
        return []
    message = (f"no start year fits the horizon {years[0]}-{years[-1]} "
               f"(duration {r['duration']}, start window {earliest or '-'} to {latest or '-'})")
    if r["mandatory"]:
        return [Problem("error", "Projects", r[ROW], "mandatory",
                        "mandatory project: " + message, r["project"])]
    return [Problem("warning", "Projects", r[ROW], "project",
                    message + "; it can never be chosen", r["project"])]


def under_way(r: dict[str, Any], start_year: int) -> bool:
    """A project already under way: mandatory, started in earliest_start = latest_start < start_year."""
    earliest, latest = r.get("earliest_start"), r.get("latest_start")
    return bool(r.get("mandatory")) and earliest is not None and earliest == latest and earliest < start_year


def _started_before(r: dict[str, Any], years: range) -> list[Problem]:
    """A start window that ends before the horizon: only a project under way may have one."""
    if not under_way(r, years[0]):
        return [Problem("error", "Projects", r[ROW], "latest_start",
                        f"latest_start is before the horizon starts ({years[0]}); only a mandatory project with "
                        "earliest_start = latest_start can have started before it (it is then under way)",
                        r["latest_start"])]
    start = r["earliest_start"]
    if start + r["duration"] <= years[0]:
        return [Problem("error", "Projects", r[ROW], "earliest_start",
                        f"a project under way since {start} with duration {r['duration']} is complete before "
                        f"the horizon starts ({years[0]}); its effect belongs in the Baseline", start)]
    return []


def _requires_cycles(projects: pd.DataFrame) -> list[Problem]:
    graph = {r["project"]: list(r["requires"] or ()) for r in _records(projects)}
    rows = dict(zip(projects["project"], projects[ROW]))
    state: dict[str, int] = {}
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    problems.append(Problem("error", "Projects", int(rows[nxt]), "requires",
                                            "requires cycle: " + " -> ".join(cycle)))
            elif state.get(nxt) is None:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in graph:
        if node is not None and state.get(node) is None:
            visit(node, [])
    return problems


def _excluded_requirements(projects: pd.DataFrame) -> list[Problem]:
    """p requires q while q excludes p (the other direction is caught per row)."""
    excludes = {r["project"]: set(r["excludes"] or ()) for r in _records(projects)}
    problems = []
    for r in _records(projects):
        for q in r["requires"] or ():
            if r["project"] in excludes.get(q, set()):
                problems.append(Problem("error", "Projects", r[ROW], "requires",
                                        f"requires a project that excludes it ({q} excludes "
                                        f"{r['project']})", q))
    return problems


def check_impacts(tables: Tables) -> list[Problem]:
    """Impacts name known projects (or clusters, for synergy), indicators and regions."""
    return unknown_references(tables, "Impacts", {
        "project": (_ids(tables, "Projects", "project") | _ids(tables, "Clusters", "cluster"), "project"),
        "indicator": (_ids(tables, "Indicators", "indicator"), "indicator"),
        "region": (_ids(tables, "Regions", "region"), "region"),
    })


def check_goals(tables: Tables, years: range | None) -> list[Problem]:
    """Known indicators and scopes, years inside the horizon, goals that can move."""
    indicators = _ids(tables, "Indicators", "indicator")
    regions = _ids(tables, "Regions", "region")
    groups = {g for g in tables["Regions"]["group"] if g is not None}
    movable = _ids(tables, "Baseline", "indicator") | _ids(tables, "Impacts", "indicator")
    problems = []
    for r in _records(tables["Goals"]):
        if r["indicator"] is not None:
            if r["indicator"] not in indicators:
                problems.append(_unknown("Goals", r[ROW], "indicator", "indicator", r["indicator"], indicators))
            elif r["indicator"] not in movable:
                problems.append(Problem("warning", "Goals", r[ROW], "indicator",
                                        "no Baseline or Impacts row mentions this indicator; "
                                        "the goal can never move", r["indicator"]))
        if r["region"] is not None and r["region"] not in regions | groups:
            problems.append(_unknown("Goals", r[ROW], "region", "region or group", r["region"], regions | groups))
        if years is not None and r["year"] is not None and r["year"] not in years:
            problems.append(Problem("error", "Goals", r[ROW], "year",
                                    f"year outside the horizon {years[0]}-{years[-1]}", r["year"]))
    return problems
