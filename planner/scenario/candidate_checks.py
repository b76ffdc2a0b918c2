"""Candidates that can never be chosen, and candidates spread unevenly over the regions.

Warnings (a workbook may still be solved), each located at the cell to change:

* a project whose partner would have to put in more a year than the partner's cap
  (``Partners.max_per_year``): partner_share x cost / duration > cap, for a project that
  cannot be funded in part;
* a project that no start year can pay for: in every start year of its window, some year
  of payment has less money in the funds it may use (``Projects.funds``, blank = any) than
  its own cost a year (for each paying region, by its CostShares share). Money is counted
  generously (a carry-over fund's whole budget up to that year), so the warning is certain;
  a divisible project is warned about only when there is no money at all;
* a cluster role nobody can fill because the projects offering it can never be chosen
  (for either reason above, or no start year fits the horizon);
* candidate projects spread unevenly: the own cost of all candidates paid by a region, per
  person, in the region with least is below 1 / ``Settings.spread_warning`` of the region
  with most: no plan can invest more per person there than its candidates cost.

Every rule reads the typed tables and skips cells that did not parse (reported elsewhere).
"""

from __future__ import annotations

from typing import Any

from planner.errors import Problem
from planner.scenario.checks import Tables, _horizon, _records, under_way
from planner.scenario.tables import ROW
from planner.scenario.units import per_person_unit

#: Money below this is none.
TOLERANCE = 1e-9


def check_candidates(tables: Tables, settings: dict[str, Any]) -> list[Problem]:
    """Every candidate rule, in sheet order."""
    years = _horizon(settings)
    problems: list[Problem] = []
    never: dict[str, int] = {}
    payers = _payer_table(tables)
    if years is not None:
        money = _money(tables, years)
        caps = {p["partner"]: p for p in _records(tables["Partners"]) if p["partner"] is not None}
        all_funds = [f["fund"] for f in _records(tables["Funds"]) if f["fund"] is not None]
        paid = Payment(profiles(tables), float(settings.get("cost_escalation") or 0.0), years)
        for r in _records(tables["Projects"]):
            found = _partner_cap(caps, r, paid) + _unfundable(money, all_funds, payers, r, paid)
            if found or _no_window(r, years):
                never[r["project"]] = r[ROW]
            problems += found[:1]
    problems += _unfillable_roles(tables, never)
    problems += candidate_spread(tables, settings, payers)
    return problems


def _number(value: float) -> str:
    return f"{value:,.6g}"


class Payment:
    """What share of a project's cost is paid in each year of the horizon for a given start: its
    CostProfiles shares (evenly over the duration when it has none) times the price escalation."""

    def __init__(self, shares: dict[str, dict[int, float]], escalation: float, years: range):
        self.shares, self.escalation, self.years = shares, escalation, years

    def plain(self, r: dict[str, Any]) -> bool:
        """Paid evenly at base-year prices inside the horizon (the cost / duration of every year)."""
        return r["project"] not in self.shares and not self.escalation and not under_way(r, self.years[0])

    def yearly(self, r: dict[str, Any], start: int) -> list[tuple[int, float]]:
        """(year, share of the cost paid then) for the years of the horizon with a payment."""
        listed = self.shares.get(r["project"])
        duration = r["duration"]
        paid = []
        for offset in range(duration):
            year = start + offset
            share = 1.0 / duration if listed is None else listed.get(offset, 0.0)
            if year in self.years and share > 0:
                paid.append((year, share * (1.0 + self.escalation) ** (year - self.years[0])))
        return paid


def profiles(tables: Tables) -> dict[str, dict[int, float]]:
    """project -> {year_offset: share} of the CostProfiles sheet (cells that parsed)."""
    shares: dict[str, dict[int, float]] = {}
    for c in _records(tables["CostProfiles"]):
        if c["project"] is not None and c["year_offset"] is not None and c["share"] is not None:
            shares.setdefault(c["project"], {})[int(c["year_offset"])] = float(c["share"])
    return shares


def _window(r: dict[str, Any], years: range) -> range:
    if under_way(r, years[0]):
        return range(r["earliest_start"], r["earliest_start"] + 1)
    earliest = r["earliest_start"] if r["earliest_start"] is not None else years[0]
    latest = r["latest_start"] if r["latest_start"] is not None else years[-1]
    duration = r["duration"] or 1
    return range(max(earliest, years[0]), min(latest, years[-1] - duration + 1) + 1)


def _no_window(r: dict[str, Any], years: range) -> bool:
    return r["duration"] is not None and len(_window(r, years)) == 0


def _partner_cap(caps: dict[str, dict[str, Any]], r: dict[str, Any], paid: Payment) -> list[Problem]:
    """A partner's yearly share above its cap: the project can never be chosen (unless divisible).
    With a cost profile or price escalation, the largest yearly payment of the start that asks least."""
    partner, share = r.get("partner"), r.get("partner_share")
    if partner is None or not share or r["cost"] is None or not r["duration"] or r["divisible"]:
        return []
    if partner not in caps or caps[partner]["max_per_year"] is None:
        return []
    if paid.plain(r):
        need = share * r["cost"] / r["duration"]
        how = f"{_number(need)} a year ({_number(share)} x {_number(r['cost'])} / {r['duration']} year(s))"
    else:
        window = _window(r, paid.years)
        need = min((max((share * r["cost"] * w for _, w in paid.yearly(r, s)), default=0.0) for s in window),
                   default=0.0)
        how = (f"{_number(need)} in its largest year of payment ({_number(share)} x {_number(r['cost'])} x the "
               "largest yearly share of its cost profile and price escalation)")
    cap = caps[partner]["max_per_year"]
    if need <= cap + TOLERANCE * max(1.0, cap):
        return []
    return [Problem("warning", "Projects", r[ROW], "partner_share",
                    f"project {r['project']} can never be chosen: partner {partner} would put in {how}, "
                    f"above its cap of {_number(cap)} a year (Partners!{caps[partner][ROW]} max_per_year)"
                    + ("; it is mandatory, so no plan exists" if r["mandatory"] else ""), share)]


Money = tuple[dict[tuple[str, str, int], float], dict[str, bool]]


def _money(tables: Tables, years: range) -> Money:
    """Money available per (fund, scope, year) of the horizon (a carry-over fund's: all of it up to
    that year), and whether each fund is pooled. scope is "" for a pooled fund (Budgets rows with a
    blank region), else the region."""
    carry = {f["fund"]: bool(f["carry_over"]) for f in _records(tables["Funds"]) if f["fund"] is not None}
    amounts: dict[tuple[str, str, int], float] = {}
    pooled: dict[str, bool] = {}
    for b in _records(tables["Budgets"]):
        if b["fund"] is None or b["year"] is None or b["amount"] is None:
            continue
        scope = b["region"] or ""
        pooled.setdefault(b["fund"], scope == "")
        key = (b["fund"], scope, int(b["year"]))
        amounts[key] = amounts.get(key, 0.0) + float(b["amount"])
    available: dict[tuple[str, str, int], float] = {}
    for fund, scope in {(f, s) for f, s, _ in amounts}:
        running = 0.0
        for year in years:
            amount = amounts.get((fund, scope, year), 0.0)
            running = running + amount if carry.get(fund) else amount
            available[(fund, scope, year)] = running
    return available, pooled


def _payer_table(tables: Tables) -> dict[str, list[tuple[str, float]]]:
    """project -> (paying region, share) from CostShares."""
    shares: dict[str, list[tuple[str, float]]] = {}
    for c in _records(tables["CostShares"]):
        if c["project"] is not None and c["region"] is not None and c["share"]:
            shares.setdefault(c["project"], []).append((c["region"], float(c["share"])))
    return shares


def _payers(payers: dict[str, list[tuple[str, float]]], r: dict[str, Any]) -> list[tuple[str, float]]:
    return payers.get(r["project"]) or [(r["region"], 1.0)]


def _unfundable(money: Money, all_funds: list[str], payers: dict[str, list[tuple[str, float]]],
                r: dict[str, Any], paid: Payment) -> list[Problem]:
    """No start year whose every year of construction payment its funds could pay (running costs come on
    top, so the warning stays certain)."""
    if r["cost"] is None or not r["duration"] or r["region"] is None:
        return []
    years = paid.years
    own_share = (1.0 - float(r.get("partner_share") or 0.0))
    own = own_share * r["cost"] / r["duration"]
    window = _window(r, years)
    if own <= TOLERANCE or not window:
        return []
    if paid.plain(r):
        yearly = {s: [(t, own) for t in range(s, s + r["duration"])] for s in window}
    else:
        yearly = {s: [(t, own_share * r["cost"] * w) for t, w in paid.yearly(r, s)] for s in window}
        own = max((a for rows in yearly.values() for _, a in rows), default=0.0)
    available, pooled = money
    funds = list(r["funds"] or ()) or all_funds
    paying = _payers(payers, r)

    def held(year: int, payer: str) -> float:
        return sum(available.get((f, "" if pooled.get(f, True) else payer, year), 0.0) for f in funds)

    best = 0.0  # over starts: the least money, relative to the need, in a year of payment
    for start in window:
        worst = min((held(t, payer) / (share * need) for t, need in yearly[start] if need > TOLERANCE
                     for payer, share in paying), default=1.0)
        best = max(best, worst)
    if (r["divisible"] and best > TOLERANCE) or best >= 1.0 - 1e-9:
        return []
    which = ", ".join(funds) if r["funds"] else "any fund"
    where = f"start {window[0]}" if len(window) == 1 else f"starts {window[0]}-{window[-1]}"
    if best <= TOLERANCE:
        text = (f"none of the funds it may use ({which}) has money in every year it would be paid "
                f"({where}, {r['duration']} year(s) of payment each)")
    else:
        needs = f"{_number(own)} a year" if paid.plain(r) else f"up to {_number(own)} in a year"
        text = (f"it needs {needs} of own cost, and in every start year ({where}) some year of "
                f"payment has at most {best:.0%} of that in the funds it may use ({which})")
    mandatory = "; it is mandatory, so no plan exists" if r["mandatory"] else ""
    return [Problem("warning", "Projects", r[ROW], "funds",
                    f"project {r['project']} can never be chosen: {text}{mandatory}", r["project"])]


def _unfillable_roles(tables: Tables, never: dict[str, int]) -> list[Problem]:
    """Cluster roles whose candidates can all never be chosen (the count rule is in family_checks)."""
    offers: dict[tuple[str, str], list[str]] = {}
    for p in _records(tables["Projects"]):
        if p.get("cluster") is not None and p.get("role") is not None:
            offers.setdefault((p["cluster"], p["role"]), []).append(p["project"])
    problems = []
    for c in _records(tables["Clusters"]):
        if c["cluster"] is None or c["min_count"] is None or c["existing"] is None:
            continue
        needed = c["min_count"] - c["existing"]
        candidates = offers.get((c["cluster"], c["role"]), [])
        usable = [p for p in candidates if p not in never]
        if needed <= 0 or len(candidates) < needed or len(usable) >= needed:
            continue
        blocked = ", ".join(f"{p} (Projects!{never[p]})" for p in candidates if p in never)
        problems.append(Problem("warning", "Clusters", c[ROW], "role",
                                f"role nobody can fill: cluster {c['cluster']} needs {needed} more component(s) "
                                f"of this role and only {len(usable)} of its candidates can ever be chosen "
                                f"({blocked} cannot); the cluster can never be complete", c["role"]))
    return problems


def candidate_spread(tables: Tables, settings: dict[str, Any],
                     payers: dict[str, list[tuple[str, float]]] | None = None) -> list[Problem]:
    """The own cost of all candidates paid by each region, per person: warn when the least is below
    1 / spread_warning of the most (no plan can invest more per person there)."""
    threshold = settings.get("spread_warning")
    threshold = 10.0 if threshold is None else float(threshold)
    if threshold <= 0:
        return []
    regions = {r["region"]: r for r in _records(tables["Regions"]) if r["region"] is not None}
    population = {k: float(r["population"]) for k, r in regions.items() if r["population"]}
    if len(population) < 2:
        return []
    cost = dict.fromkeys(population, 0.0)
    payers = _payer_table(tables) if payers is None else payers
    for p in _records(tables["Projects"]):
        if p["cost"] is None or p["region"] is None:
            continue
        own = (1.0 - float(p.get("partner_share") or 0.0)) * p["cost"]
        for payer, share in _payers(payers, p):
            if payer in cost:
                cost[payer] += share * own
    per_person = {k: cost[k] / population[k] for k in population}
    high = max(per_person, key=lambda k: per_person[k])
    low = min(per_person, key=lambda k: per_person[k])
    if per_person[high] <= 0 or per_person[low] * threshold >= per_person[high]:
        return []
    factor, persons, currency = per_person_unit(str(settings.get("money_unit") or ""), per_person[high])
    unit = f"{currency} per {persons}"
    ratio = "" if per_person[low] <= 0 else f" ({per_person[high] / per_person[low]:,.0f}x)"
    lowest = (f"no candidate project is paid by {_name(regions[low])}" if per_person[low] <= 0 else
              f"the candidate projects paid by {_name(regions[low])} cost {_figure(per_person[low] * factor)} "
              f"{unit} in all")
    return [Problem("warning", "Regions", regions[low][ROW], "region",
                    f"{lowest}, those paid by {_name(regions[high])} {_figure(per_person[high] * factor)} {unit}"
                    f"{ratio}, more than Settings spread_warning ({threshold:g}x): no plan can invest more per "
                    f"person in {_name(regions[low])}; add candidates there, or bound the spread of the plan with "
                    "Equity rules (min_share, max_share)", low)]


def _name(region: dict[str, Any]) -> str:
    return str(region.get("name") or region["region"])


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


__all__ = ["candidate_spread", "check_candidates"]
