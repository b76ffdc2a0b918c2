"""Rules of investment realism: cost profiles, running costs, tranches, portfolio rules, loans.

Each rule is silent when its sheet or columns are absent, so a workbook that uses none of them
gets no new problem. Projects under way (a start before the horizon) are a start-window rule
(:func:`planner.scenario.checks.under_way`).
"""

from __future__ import annotations

from typing import Any

from planner.errors import Problem
from planner.scenario.checks import Tables, _ids, _records, _unknown
from planner.scenario.tables import ROW

#: Shares of a cost profile must sum to 1 within this.
PROFILE_TOLERANCE = 1e-6


def check_realism(tables: Tables, settings: dict[str, Any]) -> list[Problem]:
    """Every rule of this module, in sheet order."""
    return (check_funds(tables) + check_project_money(tables) + check_cost_profiles(tables)
            + check_portfolio(tables))


def check_funds(tables: Tables) -> list[Problem]:
    """A loan names the grant fund that repays it and how many years it is repaid over; a pooled loan is
    repaid from a pooled fund; a grant's loan columns are ignored (a warning)."""
    funds = {r["fund"]: r for r in _records(tables["Funds"]) if r["fund"] is not None}
    regional = {r["fund"] for r in _records(tables["Budgets"]) if r["fund"] is not None and r["region"] is not None}
    problems: list[Problem] = []
    for r in funds.values():
        row, source = r[ROW], r.get("repaid_from")
        if r.get("kind") != "loan":
            used = [c for c in ("grace_years", "repayment_years", "repaid_from") if r.get(c)]
            used += ["interest_rate"] if r.get("interest_rate") else []
            if used:
                problems.append(Problem("warning", "Funds", row, used[0],
                                        f"only a loan (kind = loan) is repaid; {', '.join(used)} of grant fund "
                                        f"{r['fund']} are ignored", r.get(used[0])))
            continue
        if r.get("repayment_years") is None:
            problems.append(Problem("error", "Funds", row, "repayment_years",
                                    f"loan {r['fund']} needs repayment_years (the number of yearly repayments)"))
        if source is None:
            problems.append(Problem("error", "Funds", row, "repaid_from",
                                    f"loan {r['fund']} needs repaid_from: the fund whose budgets repay it"))
        elif source not in funds:
            problems.append(_unknown("Funds", row, "repaid_from", "fund", source, funds))
        elif source == r["fund"]:
            problems.append(Problem("error", "Funds", row, "repaid_from", "a loan cannot repay itself", source))
        elif funds[source].get("kind") == "loan":
            problems.append(Problem("error", "Funds", row, "repaid_from",
                                    f"{source} is a loan too; a loan is repaid from a grant fund", source))
        elif r["fund"] not in regional and source in regional:
            problems.append(Problem("error", "Funds", row, "repaid_from",
                                    f"loan {r['fund']} is pooled (Budgets rows with a blank region) but {source} "
                                    "has regional budgets; a pooled loan is repaid from a pooled fund", source))
    return problems


def check_project_money(tables: Tables) -> list[Problem]:
    """Known running funds; running funds without a running cost and tranche limits on a project that
    is not divisible are ignored (warnings)."""
    funds = _ids(tables, "Funds", "fund")
    problems: list[Problem] = []
    for r in _records(tables["Projects"]):
        for ref in r.get("running_funds") or ():
            if ref not in funds:
                problems.append(_unknown("Projects", r[ROW], "running_funds", "fund", ref, funds))
        if r.get("running_funds") and not r.get("running_cost"):
            problems.append(Problem("warning", "Projects", r[ROW], "running_funds",
                                    "running_funds without a running_cost are ignored", ", ".join(r["running_funds"])))
        limits = [c for c in ("min_tranche", "max_tranches") if r.get(c) is not None]
        if limits and not r.get("divisible"):
            problems.append(Problem("warning", "Projects", r[ROW], limits[0],
                                    f"only a divisible project is funded in tranches; {' and '.join(limits)} of "
                                    f"{r['project']} are ignored", r[limits[0]]))
    return problems


def check_cost_profiles(tables: Tables) -> list[Problem]:
    """Known projects, offsets within the duration, and shares of each project that sum to 1 (the
    message gives the sum and the rows). Duplicate (project, year_offset) pairs are the sheet's key."""
    durations = {r["project"]: r["duration"] for r in _records(tables["Projects"]) if r["project"] is not None}
    problems: list[Problem] = []
    totals: dict[str, list] = {}
    for r in _records(tables["CostProfiles"]):
        project, offset = r["project"], r["year_offset"]
        if project is None:
            continue
        if project not in durations:
            problems.append(_unknown("CostProfiles", r[ROW], "project", "project", project, durations))
            continue
        duration = durations[project]
        if offset is not None and duration is not None and offset >= duration:
            problems.append(Problem("error", "CostProfiles", r[ROW], "year_offset",
                                    f"year_offset outside 0-{duration - 1}: project {project} takes {duration} "
                                    "year(s)", offset))
        if r["share"] is not None:
            total = totals.setdefault(project, [0.0, []])
            total[0] += float(r["share"])
            total[1].append(r[ROW])
    for project, (total, rows) in totals.items():
        if abs(total - 1.0) > PROFILE_TOLERANCE:
            problems.append(Problem("error", "CostProfiles", rows[0], "share",
                                    f"shares of project {project} sum to {total:.10g}, not 1 (rows "
                                    f"{', '.join(map(str, rows))})"))
    return problems


def portfolio_members(tables: Tables, rule: dict[str, Any]) -> list[str]:
    """Projects a Portfolio rule counts: the listed ones (all when blank) of its kind and host region
    (a region id or a group name; blank = any), in Projects order."""
    listed = set(rule.get("projects") or ())
    regions = _ids(tables, "Regions", "region")
    where = rule.get("region")
    hosts: set[str] | None = None
    if where is not None and where not in regions:
        table = tables["Regions"]
        hosts = {r for r, g in zip(table["region"], table["group"]) if g == where}
    elif where is not None:
        hosts = {where}
    return [p["project"] for p in _records(tables["Projects"])
            if p["project"] is not None and (not listed or p["project"] in listed)
            and (rule.get("kind") is None or p["kind"] == rule["kind"])
            and (hosts is None or p["region"] in hosts)]


def check_portfolio(tables: Tables) -> list[Problem]:
    """Known projects and regions, a bound, at_least <= at_most, a rule that matches projects and asks
    for no more than match."""
    projects = _ids(tables, "Projects", "project")
    regions = _ids(tables, "Regions", "region")
    groups = {g for g in tables["Regions"]["group"] if g is not None}
    problems: list[Problem] = []
    for r in _records(tables["Portfolio"]):
        row = r[ROW]
        unknown = [p for p in r["projects"] or () if p not in projects]
        problems += [_unknown("Portfolio", row, "projects", "project", p, projects) for p in unknown]
        if r["region"] is not None and r["region"] not in regions | groups:
            problems.append(_unknown("Portfolio", row, "region", "region or group", r["region"], regions | groups))
        low, high = r["at_least"], r["at_most"]
        if low is None and high is None:
            problems.append(Problem("error", "Portfolio", row, "at_least",
                                    f"rule {r['rule']} needs at_least, at_most or both"))
        elif low is not None and high is not None and low > high:
            problems.append(Problem("error", "Portfolio", row, "at_least",
                                    f"at_least is above at_most ({high:g})", low))
        if unknown or (r["region"] is not None and r["region"] not in regions | groups):
            continue
        members = portfolio_members(tables, r)
        if not members:
            what = [f"projects {', '.join(r['projects'])}"] if r["projects"] else []
            what += [f"kind {r['kind']}"] if r["kind"] else []
            what += [f"region {r['region']}"] if r["region"] else []
            problems.append(Problem("error", "Portfolio", row, "projects",
                                    f"rule {r['rule']} matches no project ({'; '.join(what) or 'no projects'})"))
        elif low is not None and low > len(members) + 1e-9:
            problems.append(Problem("error", "Portfolio", row, "at_least",
                                    f"rule {r['rule']} asks for at least {low:g} of the {len(members)} matched "
                                    f"project(s) ({', '.join(members)}); it can never hold", low))
    return problems


__all__ = ["check_realism", "portfolio_members"]
