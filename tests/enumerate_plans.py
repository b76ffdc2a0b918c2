"""An independent, solver-free reference implementation of the allocation model (contract v1, plus
cost profiles, running costs, price escalation and portfolio rules).

This module re-implements the semantics of the allocation model directly from the
scenario tables that the tests write, without importing anything from ``planner``. It is the check
against the planner, so it is written for clarity and exactness, not speed:

* a **plan** gives every project either "not chosen" or one start year s in its window
  S_p = {s : max(earliest_start, y0) <= s <= min(latest_start, Y - d_p + 1)};
* a chosen project pays, in year t of the horizon, cost x share of offset t - s (its CostProfiles
  row, cost / d without one) and, in every year it is complete, its running cost, both times
  (1 + cost_escalation) ** (t - y0); construction from its funds, the running cost from its
  running_funds (blank = its funds);
* a portfolio rule counts the chosen projects it matches (listed ids, kind, host region or group)
  and keeps the count within at_least ... at_most;
* ``enumerate_plans`` lists every plan (binary projects only, at most ``PLAN_CAP`` plans) as a
  matrix of start years (0 = not chosen);
* the logical rules (mandatory, requires, excludes, portfolio rules, hard goals) are checked for all
  plans at once;
* whether the budgets can pay for a plan is a small transportation problem when a project may draw
  on several funds. It is decided exactly: a vectorised sufficient test (every project paid by its
  first eligible fund), vectorised necessary tests (Hall-type: the money of every set of fund scopes
  must cover the projects that can only use those scopes), and, for the plans those two leave open,
  a feasibility LP (``scipy.optimize.linprog``; the binary choices are enumerated, so no MIP solver
  is involved);
* objectives (``benefit``, ``cost``, lexicographic ``goals`` with a tie-break) are optimised by
  scanning the plans in objective order and stopping at the first one that is feasible.

It also holds ``random_tables``, the seeded generator of small scenarios shared by
``test_bruteforce.py`` and ``test_properties.py``, ``check_answer``, which re-checks a plan that the
planner reported against every rule, and ``solve_json``, which runs ``planner solve --json``
in-process.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linprog

Tables = dict[str, list[dict[str, Any]]]

PLAN_CAP = 50_000          # the most plans a scenario may have for enumeration
FEAS_TOL = 1e-7            # slack allowed on budgets and goals of an enumerated plan (data are exact)
HOLD_TOL = 1e-7            # lexicographic stages hold the optimum within HOLD_TOL * max(1, |opt|)
REPORT_TOL = 1e-6          # slack allowed when re-checking numbers the planner reported


def close(a: float, b: float) -> bool:
    """Objective comparison: relative 1e-4 (the default MIP gap) plus 1e-6 absolute."""
    return abs(a - b) <= 1e-4 * max(1.0, abs(b)) + 1e-6


# --------------------------------------------------------------------------------------------
# Running the planner
# --------------------------------------------------------------------------------------------

def solve_json(path: Path | str, *extra: str) -> tuple[int, dict]:
    """Run ``planner solve PATH --json`` in-process; return (exit code, parsed answer)."""
    from typer.testing import CliRunner

    from planner.cli import app

    result = CliRunner().invoke(app, ["solve", str(path), "--json", "--no-out", *extra])
    text = result.stdout.strip()
    assert text, f"no JSON on stdout (exit {result.exit_code}): {result.output!r} {result.exception!r}"
    return result.exit_code, json.loads(text)


def solve_tables_json(directory: Path, tables: Tables, name: str = "scenario.xlsx") -> tuple[int, dict]:
    """Write ``tables`` as a workbook in ``directory`` and solve it with the planner."""
    from tests.builders import write_workbook

    return solve_json(write_workbook(Path(directory) / name, tables))


# --------------------------------------------------------------------------------------------
# Reading the tables (the dicts the tests write; values are clean, blanks are None or "")
# --------------------------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _yes(value: Any) -> bool:
    return not _blank(value) and str(value).strip().lower() in {"yes", "y", "true", "1", "1.0"}


def _ids(value: Any) -> list[str]:
    return [] if _blank(value) else [s.strip() for s in str(value).split(",") if s.strip()]


def _float(value: Any, default: float) -> float:
    if _blank(value):
        return default
    if isinstance(value, str) and value.strip().endswith("%"):
        return float(value.strip()[:-1]) / 100.0
    return float(value)


def _int(value: Any, default: int | None) -> int | None:
    return default if _blank(value) else int(float(value))


def _sheet(tables: Tables, name: str) -> list[dict[str, Any]]:
    for key, rows in tables.items():
        if key.strip().lower() == name.lower():
            return [{k.strip().lower(): v for k, v in row.items()} for row in rows]
    return []


@dataclass
class Project:
    id: str
    region: str
    cost: float
    duration: int
    starts: list[int]           # S_p
    mandatory: bool
    requires: list[str]
    excludes: list[str]
    funds: list[str]            # eligible funds (all when the cell is blank)
    kind: str = "other"
    profile: list[float] | None = None   # share of the cost paid k years after the start (CostProfiles)
    running: float = 0.0                 # running cost a year once complete
    running_funds: list[str] = field(default_factory=list)   # eligible for the running cost (blank = funds)

    @property
    def per_year(self) -> float:
        """c_p = cost / d (own cost paid in each active year without a profile)."""
        return self.cost / self.duration

    def share(self, offset: int) -> float:
        """Share of the cost paid ``offset`` years after the start."""
        if self.profile is None:
            return 1.0 / self.duration
        return self.profile[offset] if 0 <= offset < len(self.profile) else 0.0


@dataclass
class Goal:
    id: str
    indicator: str
    regions: tuple[str, ...]    # scope R: all regions, one region, or a group's regions
    year: int
    sense: str                  # ">=" or "<="
    target: float
    priority: int
    weight: float
    hard: bool

    @property
    def scale(self) -> float:
        """|target|, with 0 scored as 1."""
        return abs(self.target) if self.target != 0 else 1.0


@dataclass
class Scenario:
    years: list[int]
    delta: dict[int, float]                  # discount factor per year
    regions: list[str]
    groups: dict[str, list[str]]
    worth: dict[str, float]                  # Indicators.value (money per unit per year)
    baseline: dict[tuple[str, str], float]   # (region, indicator) -> level
    carry: dict[str, bool]                   # fund -> carry_over
    pooled: dict[str, bool]                  # fund -> budgets have a blank region
    budget: dict[tuple[str, str | None, int], float]   # (fund, scope, year); scope None = pooled
    projects: list[Project]
    impacts: list[tuple[int, str, str, float]]        # (project index, indicator, region, value)
    goals: list[Goal]
    objective: str
    tie_break: str
    pairs: list[tuple[int, int]] = field(default_factory=list)   # every (project index, start)
    escalation: float = 0.0                                      # Settings.cost_escalation
    portfolio: list[tuple[list[int], float | None, float | None]] = field(default_factory=list)

    @property
    def y0(self) -> int:
        return self.years[0]

    @property
    def last(self) -> int:
        return self.years[-1]

    def index(self, project_id: str) -> int:
        return next(i for i, p in enumerate(self.projects) if p.id == project_id)

    def scope(self, fund: str, region: str) -> str | None:
        """Budget scope that a project hosted in ``region`` draws on from ``fund``."""
        return None if self.pooled[fund] else region

    def columns(self) -> list[tuple[str, str | None]]:
        """Every (fund, scope) budget column."""
        cols = []
        for f in self.carry:
            cols += [(f, None)] if self.pooled[f] else [(f, r) for r in self.regions]
        return cols

    def eligible(self, p: Project, running: bool = False) -> list[tuple[str, str | None]]:
        """The (fund, scope) columns that may pay for p (its running cost when ``running``)."""
        funds = (p.running_funds or p.funds) if running else p.funds
        return [(f, self.scope(f, p.region)) for f in funds]

    def eta(self, t: int) -> float:
        """Price escalation of year t: costs are in prices of the first year."""
        return (1.0 + self.escalation) ** (t - self.y0)

    def build_cost(self, p: Project, s: int, t: int) -> float:
        """Construction money p pays in year t when started in s (0 outside its active years)."""
        if not active(p, s, t):
            return 0.0
        return (p.per_year if p.profile is None else p.cost * p.share(t - s)) * self.eta(t)

    def running_cost(self, p: Project, s: int, t: int) -> float:
        """Running cost p pays in year t when started in s (every complete year)."""
        return p.running * self.eta(t) if complete(p, s, t) else 0.0

    def money(self, col: tuple[str, str | None], year: int) -> float:
        return self.budget.get((col[0], col[1], year), 0.0)


def parse(tables: Tables) -> Scenario:
    """Read the tables of a contract-v1 scenario into a ``Scenario``."""
    settings = {str(r["key"]).strip().lower(): r.get("value") for r in _sheet(tables, "Settings")}
    y0 = _int(settings["start_year"], None)
    horizon = _int(settings["horizon"], None)
    years = list(range(y0, y0 + horizon))
    rate = _float(settings.get("discount_rate"), 0.0)
    delta = {t: (1.0 + rate) ** -(t - y0) for t in years}

    regions, groups = [], {}
    for r in _sheet(tables, "Regions"):
        regions.append(str(r["region"]))
        if not _blank(r.get("group")):
            groups.setdefault(str(r["group"]), []).append(str(r["region"]))
    worth = {str(r["indicator"]): _float(r.get("value"), 0.0) for r in _sheet(tables, "Indicators")}
    baseline: dict[tuple[str, str], float] = {}
    for r in _sheet(tables, "Baseline"):
        key = (str(r["region"]), str(r["indicator"]))
        baseline[key] = baseline.get(key, 0.0) + float(r["value"])

    carry = {str(r["fund"]): _yes(r.get("carry_over")) for r in _sheet(tables, "Funds")}
    pooled = {f: True for f in carry}
    budget: dict[tuple[str, str | None, int], float] = {}
    for r in _sheet(tables, "Budgets"):
        f = str(r["fund"])
        scope = None if _blank(r.get("region")) else str(r["region"])
        if scope is not None:
            pooled[f] = False
        key = (f, scope, _int(r["year"], None))
        budget[key] = budget.get(key, 0.0) + float(r["amount"])

    profiles: dict[str, dict[int, float]] = {}
    for r in _sheet(tables, "CostProfiles"):
        profiles.setdefault(str(r["project"]), {})[_int(r["year_offset"], None)] = float(r["share"])
    projects = []
    for r in _sheet(tables, "Projects"):
        d = _int(r.get("duration"), 1)
        first = max(_int(r.get("earliest_start"), y0), y0)
        last = min(_int(r.get("latest_start"), years[-1]), years[-1] - d + 1)
        listed = profiles.get(str(r["project"]))
        projects.append(Project(
            id=str(r["project"]), region=str(r["region"]), cost=float(r["cost"]), duration=d,
            starts=list(range(first, last + 1)), mandatory=_yes(r.get("mandatory")),
            requires=_ids(r.get("requires")), excludes=_ids(r.get("excludes")),
            funds=_ids(r.get("funds")) or list(carry), kind=str(r.get("kind") or "other"),
            profile=None if listed is None else [listed.get(k, 0.0) for k in range(d)],
            running=_float(r.get("running_cost"), 0.0), running_funds=_ids(r.get("running_funds"))))
        assert not _yes(r.get("divisible")), "the enumerator handles binary projects only"
    ids = [p.id for p in projects]
    portfolio = []
    for r in _sheet(tables, "Portfolio"):
        listed = set(_ids(r.get("projects")))
        where = None if _blank(r.get("region")) else str(r["region"])
        hosts = None if where is None else set(groups.get(where, [where]))
        members = [i for i, p in enumerate(projects) if (not listed or p.id in listed)
                   and (_blank(r.get("kind")) or p.kind == str(r["kind"]))
                   and (hosts is None or p.region in hosts)]
        low = None if _blank(r.get("at_least")) else float(r["at_least"])
        high = None if _blank(r.get("at_most")) else float(r["at_most"])
        portfolio.append((members, low, high))
    impacts = []
    for r in _sheet(tables, "Impacts"):
        p = ids.index(str(r["project"]))
        region = projects[p].region if _blank(r.get("region")) else str(r["region"])
        impacts.append((p, str(r["indicator"]), region, float(r["value"])))

    goals = []
    for r in _sheet(tables, "Goals"):
        scope = r.get("region")
        if _blank(scope):
            members = tuple(regions)
        elif str(scope) in regions:
            members = (str(scope),)
        else:
            members = tuple(groups[str(scope)])
        goals.append(Goal(
            id=str(r["goal"]), indicator=str(r["indicator"]), regions=members,
            year=_int(r.get("year"), years[-1]),
            sense=">=" if _blank(r.get("sense")) else str(r["sense"]).strip(),
            target=float(r["target"]), priority=_int(r.get("priority"), 1),
            weight=_float(r.get("weight"), 1.0), hard=_yes(r.get("hard"))))

    objective = str(settings.get("objective") or "goals").strip().lower()
    tie_break = str(settings.get("tie_break") or "min_cost").strip().lower()
    sc = Scenario(years, delta, regions, groups, worth, baseline, carry, pooled, budget, projects,
                  impacts, goals, objective, tie_break, escalation=_float(settings.get("cost_escalation"), 0.0),
                  portfolio=portfolio)
    sc.pairs = [(i, s) for i, p in enumerate(projects) for s in p.starts]
    return sc


# --------------------------------------------------------------------------------------------
# Plans and their linear functions
# --------------------------------------------------------------------------------------------

@dataclass
class Plans:
    """Many plans at once: ``starts[n, p]`` is p's start year in plan n (0 = not chosen)."""

    starts: np.ndarray
    X: np.ndarray           # X[n, m] = 1 when plan n starts project pairs[m][0] in year pairs[m][1]

    def __len__(self) -> int:
        return len(self.starts)

    def take(self, rows) -> Plans:
        return Plans(self.starts[rows], self.X[rows])


def plan_count(sc: Scenario) -> int:
    return math.prod(1 + len(p.starts) for p in sc.projects)


def make_plans(sc: Scenario, starts: np.ndarray) -> Plans:
    """Plans from a matrix of start years (0 = not chosen)."""
    starts = np.atleast_2d(np.asarray(starts, dtype=np.int64))
    X = np.zeros((len(starts), len(sc.pairs)))
    for m, (p, s) in enumerate(sc.pairs):
        X[:, m] = starts[:, p] == s
    return Plans(starts, X)


def enumerate_plans(sc: Scenario, cap: int = PLAN_CAP) -> Plans:
    """Every plan: each project not chosen or started in one year of its window."""
    count = plan_count(sc)
    if count > cap:
        raise ValueError(f"{count} plans is more than the enumeration cap {cap}")
    options = [[0] + p.starts for p in sc.projects]
    return make_plans(sc, np.array(list(itertools.product(*options)), dtype=np.int64).reshape(
        count, len(sc.projects)))


def plan_of(sc: Scenario, chosen: dict[str, int]) -> Plans:
    """The single plan choosing ``chosen`` (project id -> start year)."""
    row = [chosen.get(p.id, 0) for p in sc.projects]
    return make_plans(sc, np.array([row]))


def active(p: Project, s: int, t: int) -> bool:
    """Being built and paid for in year t."""
    return s <= t <= s + p.duration - 1


def complete(p: Project, s: int, t: int) -> bool:
    """Complete in year t (impacts count)."""
    return t >= s + p.duration


def cost_coefficients(sc: Scenario) -> np.ndarray:
    """Discounted own spending of each (p, s) inside the horizon: sum_t delta_t * (construction + running)."""
    return np.array([sum(sc.delta[t] * (sc.build_cost(sc.projects[p], s, t) + sc.running_cost(sc.projects[p], s, t))
                         for t in sc.years) for p, s in sc.pairs])


def benefit_coefficients(sc: Scenario) -> np.ndarray:
    """Discounted benefit of each (p, s): sum over complete years t in the horizon of
    delta_t * sum over p's impacts of value_k * v (in whatever region the impact falls)."""
    yearly = np.zeros(len(sc.projects))
    for p, k, _r, v in sc.impacts:
        yearly[p] += sc.worth.get(k, 0.0) * v
    return np.array([sum(sc.delta[t] * yearly[p] for t in sc.years
                         if complete(sc.projects[p], s, t)) for p, s in sc.pairs])


def level_coefficients(sc: Scenario, indicator: str, regions, year: int) -> tuple[float, np.ndarray]:
    """level(k, R, t) = base + X @ coef: baseline over R plus impacts in R of projects complete by t."""
    regions = set(regions)
    base = sum(v for (r, k), v in sc.baseline.items() if k == indicator and r in regions)
    coef = np.zeros(len(sc.pairs))
    for m, (p, s) in enumerate(sc.pairs):
        if complete(sc.projects[p], s, year):
            coef[m] = sum(v for q, k, r, v in sc.impacts if q == p and k == indicator and r in regions)
    return base, coef


def goal_levels(sc: Scenario, plans: Plans, goal: Goal) -> np.ndarray:
    base, coef = level_coefficients(sc, goal.indicator, goal.regions, goal.year)
    return base + plans.X @ coef


def shortfalls(sc: Scenario, plans: Plans, goal: Goal) -> np.ndarray:
    level = goal_levels(sc, plans, goal)
    gap = goal.target - level if goal.sense == ">=" else level - goal.target
    return np.maximum(gap, 0.0)


def goal_met(goal: Goal, level: np.ndarray, tol: float = FEAS_TOL) -> np.ndarray:
    slack = tol * max(1.0, abs(goal.target))
    return level >= goal.target - slack if goal.sense == ">=" else level <= goal.target + slack


# --------------------------------------------------------------------------------------------
# Feasibility
# --------------------------------------------------------------------------------------------

def logical_mask(sc: Scenario, plans: Plans, all_goals_hard: bool) -> np.ndarray:
    """Plans that satisfy mandatory, requires, excludes and the hard goals."""
    st = plans.starts
    chosen = st > 0
    ok = np.ones(len(plans), dtype=bool)
    for i, p in enumerate(sc.projects):
        if p.mandatory:
            ok &= chosen[:, i]
        for q_id in p.requires:          # q must have started no later than p
            q = sc.index(q_id)
            ok &= ~chosen[:, i] | (chosen[:, q] & (st[:, q] <= st[:, i]))
        for q_id in p.excludes:          # not both
            q = sc.index(q_id)
            ok &= ~(chosen[:, i] & chosen[:, q])
    for members, low, high in sc.portfolio:  # at_least <= number of matched projects chosen <= at_most
        count = chosen[:, members].sum(axis=1) if members else np.zeros(len(plans))
        if low is not None:
            ok &= count >= low - FEAS_TOL
        if high is not None:
            ok &= count <= high + FEAS_TOL
    for g in sc.goals:
        if g.hard or all_goals_hard:
            ok &= goal_met(g, goal_levels(sc, plans, g))
    return ok


class Budgets:
    """Decides whether the funds can pay for plans (the payment, budget and carry_over rules).

    Each start (p, s) makes up to two demands, each a vector over the years with its own eligible
    funds: its construction payments (from ``Projects.funds``) and its running costs (from
    ``running_funds``, blank = its funds).
    """

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.cols = sc.columns()
        self.col_index = {c: j for j, c in enumerate(self.cols)}
        T = len(sc.years)
        self.B = np.array([[sc.money(c, t) for t in sc.years] for c in self.cols]).reshape(len(self.cols), T)
        self.cumB = np.cumsum(self.B, axis=1)
        self.carry = np.array([sc.carry[f] for f, _ in self.cols], dtype=bool)
        # money available to a column in year t at most: its budget, or everything so far if carried
        self.avail = np.where(self.carry[:, None], self.cumB, self.B)
        # demand items: (pair m, eligible columns, yearly demand)
        self.items: list[tuple[int, frozenset, np.ndarray]] = []
        for m, (p, s) in enumerate(sc.pairs):
            project = sc.projects[p]
            for running in (False, True):
                money = np.array([sc.running_cost(project, s, t) if running else sc.build_cost(project, s, t)
                                  for t in sc.years])
                if money.sum() > 0:
                    cols = frozenset(self.col_index[c] for c in sc.eligible(project, running))
                    self.items.append((m, cols, money))
        self.item_pair = np.array([m for m, _, _ in self.items], dtype=np.int64)
        self.demand = np.array([d for _, _, d in self.items]).reshape(len(self.items), T)
        self.elig = [cols for _, cols, _ in self.items]

    def _within(self, spend: np.ndarray) -> np.ndarray:
        """spend[n, col, t] respects every column's budget (with carry-over where it applies)."""
        tol = FEAS_TOL * np.maximum(1.0, self.cumB)
        plain = spend <= self.B + tol
        carried = np.cumsum(spend, axis=2) <= self.cumB + tol
        return np.where(self.carry[None, :, None], carried, plain).all(axis=(1, 2))

    def status(self, plans: Plans) -> np.ndarray:
        """1 = payable, 0 = not payable, -1 = undecided (needs the LP)."""
        N, T, C = len(plans), len(self.sc.years), len(self.cols)
        chosen = plans.X[:, self.item_pair] if len(self.items) else np.zeros((N, 0))   # (N, items)
        # sufficient: every demand paid by its first eligible fund
        first = np.zeros((len(self.items), C, T))
        unpaid = np.zeros(len(self.items), dtype=bool)
        for k, (_m, cols, _d) in enumerate(self.items):
            if cols:
                first[k, min(cols)] = self.demand[k]
            else:
                unpaid[k] = True
        spend = np.einsum("nk,kct->nct", chosen, first)
        sufficient = self._within(spend) & ~(chosen[:, unpaid] > 0).any(axis=1)
        # necessary: for every set U of columns, demands that can only use U fit U's money
        necessary = np.ones(N, dtype=bool)
        for size in range(0, C + 1):
            for U in itertools.combinations(range(C), size):
                U = frozenset(U)
                rows = [k for k in range(len(self.items)) if self.elig[k] <= U]
                if not rows:
                    continue
                need = chosen[:, rows] @ self.demand[rows]          # (N, T)
                idx = sorted(U)
                have_t = self.avail[idx].sum(axis=0) if idx else np.zeros(T)
                have_cum = self.cumB[idx].sum(axis=0) if idx else np.zeros(T)
                tol = FEAS_TOL * np.maximum(1.0, have_cum)
                necessary &= (need <= have_t + tol).all(axis=1)
                necessary &= (np.cumsum(need, axis=1) <= have_cum + tol).all(axis=1)
        return np.where(sufficient, 1, np.where(necessary, -1, 0))

    def payable(self, starts_row: np.ndarray) -> bool:
        """Exact check of one plan with a feasibility LP over y[demand, col, t] >= 0."""
        sc = self.sc
        T = len(sc.years)
        var = []                                     # (demand k, col j, year index)
        for k, (m, cols, _d) in enumerate(self.items):
            p, s = sc.pairs[m]
            if starts_row[p] != s:
                continue
            for ti in range(T):
                if self.demand[k, ti] > 0:
                    if not cols:
                        return False
                    var += [(k, j, ti) for j in sorted(cols)]
        if not var:
            return True
        rows_eq = sorted({(k, ti) for k, _j, ti in var})
        A_eq = np.zeros((len(rows_eq), len(var)))
        b_eq = np.array([self.demand[k, ti] for k, ti in rows_eq])
        pos = {r: i for i, r in enumerate(rows_eq)}
        for v, (k, _j, ti) in enumerate(var):
            A_eq[pos[(k, ti)], v] = 1.0
        A_ub, b_ub = [], []
        for j in range(len(self.cols)):
            for ti in range(T):
                row = np.zeros(len(var))
                for v, (_k, jj, tt) in enumerate(var):
                    if jj == j and (tt == ti or (self.carry[j] and tt <= ti)):
                        row[v] = 1.0
                if row.any():
                    A_ub.append(row)
                    b_ub.append(self.cumB[j, ti] if self.carry[j] else self.B[j, ti])
        res = linprog(np.zeros(len(var)), A_ub=np.array(A_ub) if A_ub else None,
                      b_ub=np.array(b_ub) if b_ub else None, A_eq=A_eq, b_eq=b_eq,
                      bounds=(0, None), method="highs")
        assert res.status in (0, 2), f"feasibility LP ended with status {res.status}: {res.message}"
        return res.status == 0


class Feasibility:
    """Lazy, cached exact feasibility of the plans of one enumeration."""

    def __init__(self, sc: Scenario, plans: Plans, all_goals_hard: bool):
        self.sc, self.plans = sc, plans
        self.budgets = Budgets(sc)
        self.logical = logical_mask(sc, plans, all_goals_hard)
        self.status = np.full(len(plans), -2)          # -2 = not computed yet

    def __call__(self, n: int) -> bool:
        if not self.logical[n]:
            return False
        if self.status[n] == -2:
            self.status[n] = self.budgets.status(self.plans.take([n]))[0]
        if self.status[n] == -1:
            self.status[n] = 1 if self.budgets.payable(self.plans.starts[n]) else 0
        return bool(self.status[n] == 1)

    def prepare(self, rows: np.ndarray) -> None:
        """Compute the vectorised budget tests for many plans at once."""
        rows = np.asarray(rows)
        rows = rows[self.logical[rows] & (self.status[rows] == -2)]
        if len(rows):
            self.status[rows] = self.budgets.status(self.plans.take(rows))

    def first_feasible(self, order: np.ndarray) -> int | None:
        """The first feasible plan in ``order``, or None."""
        order = np.asarray(order)
        order = order[self.logical[order]]
        self.prepare(order)
        for n in order:
            if self(n):
                return int(n)
        return None


# --------------------------------------------------------------------------------------------
# Optimisation by enumeration
# --------------------------------------------------------------------------------------------

@dataclass
class Optimum:
    value: float | None              # None when no plan is feasible
    starts: np.ndarray | None        # an optimal plan
    stages: list[tuple[str, float]]  # (name, value) per stage

    @property
    def feasible(self) -> bool:
        return self.starts is not None

    def chosen(self, sc: Scenario) -> dict[str, int]:
        return {p.id: int(s) for p, s in zip(sc.projects, self.starts) if s}


def optimum(sc: Scenario, objective: str | None = None) -> Optimum:
    """Optimum of ``benefit`` (max) or ``cost`` (min) over every feasible plan; all goals hard."""
    objective = objective or sc.objective
    plans = enumerate_plans(sc)
    feas = Feasibility(sc, plans, all_goals_hard=True)
    if objective == "benefit":
        values = plans.X @ benefit_coefficients(sc)
        order = np.argsort(-values, kind="stable")
    elif objective == "cost":
        values = plans.X @ cost_coefficients(sc)
        order = np.argsort(values, kind="stable")
    else:
        raise ValueError(objective)
    n = feas.first_feasible(order)
    if n is None:
        return Optimum(None, None, [])
    return Optimum(float(values[n]), plans.starts[n], [(objective, float(values[n]))])


def lexicographic(sc: Scenario) -> Optimum:
    """Goal programming (``objective = goals``): minimise the scored shortfall of each priority in
    turn (holding earlier priorities at their optimum), then the tie-break."""
    plans = enumerate_plans(sc)
    feas = Feasibility(sc, plans, all_goals_hard=False)
    soft = [g for g in sc.goals if not g.hard]
    stages: list[tuple[str, np.ndarray, int]] = []   # (name, values, +1 minimise / -1 maximise)
    for priority in sorted({g.priority for g in soft}):
        score = sum(g.weight * shortfalls(sc, plans, g) / g.scale for g in soft if g.priority == priority)
        stages.append((f"priority {priority}", score, 1))
    if sc.tie_break == "min_cost":
        stages.append(("min_cost", plans.X @ cost_coefficients(sc), 1))
    elif sc.tie_break == "max_benefit":
        stages.append(("max_benefit", plans.X @ benefit_coefficients(sc), -1))
    candidates = np.flatnonzero(feas.logical)
    found, result = None, []
    if not stages:
        found = feas.first_feasible(candidates)
    for name, values, sign in stages:
        order = candidates[np.argsort(sign * values[candidates], kind="stable")]
        found = feas.first_feasible(order)
        if found is None:
            return Optimum(None, None, [])
        best = float(values[found])
        result.append((name, best))
        hold = HOLD_TOL * max(1.0, abs(best))
        candidates = candidates[sign * values[candidates] <= sign * best + hold]
    if found is None:
        return Optimum(None, None, [])
    value = result[-1][1] if result else 0.0
    return Optimum(value, plans.starts[found], result)


def plan_value(sc: Scenario, chosen: dict[str, int], objective: str) -> float:
    """Objective value of one plan (``benefit`` or ``cost``)."""
    plan = plan_of(sc, chosen)
    coef = benefit_coefficients(sc) if objective in ("benefit", "max_benefit") else cost_coefficients(sc)
    return float((plan.X @ coef)[0])


def is_feasible(sc: Scenario, chosen: dict[str, int], all_goals_hard: bool) -> bool:
    """Exact feasibility of one plan (every rule, budgets by LP)."""
    plan = plan_of(sc, chosen)
    if any(s not in sc.projects[sc.index(p)].starts for p, s in chosen.items()):
        return False
    if not logical_mask(sc, plan, all_goals_hard)[0]:
        return False
    return Budgets(sc).payable(plan.starts[0])


# --------------------------------------------------------------------------------------------
# Re-checking a plan the planner reported
# --------------------------------------------------------------------------------------------

def check_answer(sc: Scenario, answer: dict) -> tuple[dict[str, int], list[str]]:
    """Re-check the planner's answer against every rule; return (chosen plan, problems found).

    Checks: one start per project inside its window, share 1, reported region and cost; mandatory;
    requires; excludes; hard goals (every goal under ``benefit``/``cost``); the ``spending`` rows
    against each fund's budget per scope and year (with carry-over); that the spending in each
    region and year equals the yearly cost of the projects active there and can be split among
    their eligible funds (Hall's condition on the bipartite funds/projects graph); and that the
    reported goal levels and region levels follow from the plan.
    """
    problems: list[str] = []
    tol = REPORT_TOL
    all_hard = sc.objective in ("benefit", "cost")
    chosen: dict[str, int] = {}
    ids = {p.id: p for p in sc.projects}
    for row in answer["projects"]:
        p = ids.get(row["project"])
        if p is None:
            problems.append(f"unknown project {row['project']}")
            continue
        if p.id in chosen:
            problems.append(f"{p.id} starts twice")
        start = int(row["start"])
        chosen[p.id] = start
        if start not in p.starts:
            problems.append(f"{p.id} starts in {start}, outside its window {p.starts}")
        if abs(float(row["share"]) - 1.0) > tol:
            problems.append(f"{p.id} has share {row['share']} (binary project)")
        if str(row["region"]) != p.region:
            problems.append(f"{p.id} reported in region {row['region']}, hosted in {p.region}")
        if abs(float(row["cost"]) - p.cost) > tol * max(1.0, p.cost):
            problems.append(f"{p.id} reported cost {row['cost']} != {p.cost}")
    for p in sc.projects:
        if p.mandatory and p.id not in chosen:
            problems.append(f"mandatory {p.id} not chosen")
        if p.id in chosen:
            for q in p.requires:
                if q not in chosen or chosen[q] > chosen[p.id]:
                    problems.append(f"{p.id} (start {chosen[p.id]}) requires {q} (start {chosen.get(q)})")
            for q in p.excludes:
                if q in chosen:
                    problems.append(f"{p.id} and {q} exclude each other but both are chosen")
    starts = {p.id: chosen.get(p.id, 0) for p in sc.projects}
    plan = plan_of(sc, {k: v for k, v in starts.items() if v})

    # goals: levels recomputed from the plan; hard ones must be met
    reported = {str(g["goal"]): g for g in answer.get("goals", [])}
    for g in sc.goals:
        level = float(goal_levels(sc, plan, g)[0])
        if (g.hard or all_hard) and not goal_met(g, np.array([level]), tol)[0]:
            problems.append(f"hard goal {g.id}: level {level} {g.sense} {g.target} violated")
        row = reported.get(g.id)
        if row is None:
            problems.append(f"goal {g.id} missing from the answer")
        elif abs(float(row["achieved"]) - level) > tol * max(1.0, abs(level)):
            problems.append(f"goal {g.id}: reported level {row['achieved']}, recomputed {level}")

    # region levels
    for row in answer.get("regions", []):
        base, coef = level_coefficients(sc, str(row["indicator"]), [str(row["region"])], int(row["year"]))
        level = base + float((plan.X @ coef)[0])
        if abs(float(row["level"]) - level) > tol * max(1.0, abs(level)):
            problems.append(f"level of {row['indicator']} in {row['region']} {row['year']}: "
                            f"reported {row['level']}, recomputed {level}")

    # spending rows: budgets per fund, scope and year
    spend: dict[tuple[str, str, int], float] = {}
    for row in answer.get("spending", []):
        f, r, t, a = str(row["fund"]), str(row["region"]), int(row["year"]), float(row["amount"])
        if f not in sc.carry:
            problems.append(f"spending from unknown fund {f}")
            continue
        if a < -tol:
            problems.append(f"negative spending {a} from {f} in {r} {t}")
        spend[(f, r, t)] = spend.get((f, r, t), 0.0) + a
    for f in sc.carry:
        scopes = [None] if sc.pooled[f] else sc.regions
        for scope in scopes:
            balance = 0.0
            for t in sc.years:
                used = sum(a for (ff, r, tt), a in spend.items()
                           if ff == f and tt == t and (scope is None or r == scope))
                money = sc.budget.get((f, scope, t), 0.0)
                slack = tol * max(1.0, money + balance)
                if sc.carry[f]:
                    balance = balance + money - used
                    if balance < -slack:
                        problems.append(f"fund {f} scope {scope or 'pooled'} overspent by {-balance} "
                                        f"by {t} (carry-over)")
                elif used > money + slack:
                    problems.append(f"fund {f} scope {scope or 'pooled'} spends {used} > {money} in {t}")

    # payment: in each region and year the funds pay exactly what the chosen projects pay then
    # (construction and running costs), and the split respects eligibility (for every set W of funds,
    # the money W pays is at most what is due from demands that may use some fund in W)
    funds = list(sc.carry)
    for r in sc.regions:
        for t in sc.years:
            due = []   # (money, eligible funds) of each demand in region r and year t
            for p in sc.projects:
                if p.region == r and p.id in chosen:
                    due.append((sc.build_cost(p, chosen[p.id], t), set(p.funds)))
                    due.append((sc.running_cost(p, chosen[p.id], t), set(p.running_funds or p.funds)))
            need = sum(money for money, _ in due)
            paid = {f: spend.get((f, r, t), 0.0) for f in funds}
            if abs(sum(paid.values()) - need) > tol * max(1.0, need):
                problems.append(f"region {r} {t}: funds pay {sum(paid.values())}, the chosen projects cost {need}")
            for size in range(1, len(funds) + 1):
                for W in itertools.combinations(funds, size):
                    can = sum(money for money, eligible in due if eligible & set(W))
                    if sum(paid[f] for f in W) > can + tol * max(1.0, can):
                        problems.append(f"region {r} {t}: funds {W} pay {sum(paid[f] for f in W)} but "
                                        f"the projects eligible for them cost {can}")
    return chosen, problems


# --------------------------------------------------------------------------------------------
# The seeded scenario generator
# --------------------------------------------------------------------------------------------

KINDS = ["cluster", "transport", "crossborder", "other"]


def _yesno(flag: bool) -> str:
    return "yes" if flag else "no"


def random_tables(seed: int, objective: str = "benefit", realism: bool = False) -> Tables:
    """A small random scenario for ``objective`` (benefit, cost or goals), reproducible by seed.

    2-3 regions (with groups), 1-2 funds (pooled or regional, some carrying over), a horizon of
    2-4 years, 4-8 projects of duration 1-2 with occasional start windows, fund restrictions,
    requires/excludes/mandatory, impacts on 1-2 indicators, and budgets that pay for some but not
    all projects. At most ``PLAN_CAP`` plans. For ``cost`` the goals are taken from the levels of a
    random feasible plan (so they are reachable); occasionally a goal is made unreachable so that
    some instances are infeasible.

    With ``realism``, the same scenario (same draws) also gets cost profiles, running costs (some from
    their own fund), a price escalation and portfolio rules, drawn from a second generator before the
    mandatory project and the goals are chosen (``_add_realism``).
    """
    rng = np.random.default_rng(seed)
    y0 = 2030
    horizon = int(rng.integers(2, 5))
    years = list(range(y0, y0 + horizon))
    n_regions = int(rng.integers(2, 4))
    regions = [f"R{i + 1}" for i in range(n_regions)]
    group_of = {r: ("north" if i < 2 else "south") for i, r in enumerate(regions)}
    if rng.random() < 0.3:
        group_of[regions[-1]] = None
    indicators = ["grp"] + (["jobs"] if rng.random() < 0.6 else [])
    worth = {"grp": float(rng.choice([1.0, 0.5, 2.0])), "jobs": rng.choice([None, 0.0, 0.1, 0.3])}

    n_funds = int(rng.integers(1, 3))
    funds = [f"F{i + 1}" for i in range(n_funds)]
    carry = {f: bool(rng.random() < 0.4) for f in funds}
    pooled = {f: bool(rng.random() < 0.5) for f in funds}

    n_projects = int(rng.integers(4, 9))
    projects = []
    for i in range(n_projects):
        d = int(rng.choice([1, 2], p=[0.65, 0.35]))
        row: dict[str, Any] = {"project": f"P{i + 1}", "kind": str(rng.choice(KINDS)),
                               "region": str(rng.choice(regions)),
                               "cost": int(rng.integers(2, 21)) if rng.random() > 0.04 else 0,
                               "duration": d}
        if rng.random() < 0.3:
            row["earliest_start"] = int(rng.choice(years))
        if rng.random() < 0.3:
            low = row.get("earliest_start", y0)
            row["latest_start"] = int(rng.integers(low, years[-1] + 1))
        if n_funds == 2:
            u = rng.random()
            if u < 0.3:
                row["funds"] = str(rng.choice(funds))
            elif u < 0.4:
                row["funds"] = "F1, F2"
        projects.append(row)

    # cap the number of plans by narrowing start windows
    def window(row):
        d = row["duration"]
        first = max(row.get("earliest_start", y0), y0)
        last = min(row.get("latest_start", years[-1]), years[-1] - d + 1)
        return list(range(first, last + 1))

    while math.prod(1 + len(window(r)) for r in projects) > PLAN_CAP:
        row = projects[int(rng.integers(len(projects)))]
        w = window(row)
        if len(w) > 1:
            s = int(rng.choice(w))
            row["earliest_start"], row["latest_start"] = s, s

    ids = [r["project"] for r in projects]
    requires: dict[str, list[str]] = {p: [] for p in ids}
    excludes: dict[str, list[str]] = {p: [] for p in ids}
    for _ in range(int(rng.random() < 0.4) + int(rng.random() < 0.15)):
        i, j = sorted(rng.choice(n_projects, size=2, replace=False))
        requires[ids[j]].append(ids[i])           # later index requires earlier: no cycles
    for _ in range(int(rng.random() < 0.35)):
        i, j = rng.choice(n_projects, size=2, replace=False)
        a, b = ids[i], ids[j]
        if b not in requires[a] and a not in requires[b]:
            excludes[a].append(b)
    for row in projects:
        if requires[row["project"]]:
            row["requires"] = ",".join(sorted(set(requires[row["project"]])))
        if excludes[row["project"]]:
            row["excludes"] = ",".join(excludes[row["project"]])

    impacts = []
    for row in projects:
        for k in rng.choice(indicators, size=int(rng.integers(1, len(indicators) + 1)), replace=False):
            value = int(rng.integers(1, 11))
            if k == "jobs" and rng.random() < 0.15:
                value = -value
            impact: dict[str, Any] = {"project": row["project"], "indicator": str(k), "value": value}
            if rng.random() < 0.2:
                impact["region"] = str(rng.choice(regions))
            impacts.append(impact)

    # budgets: a fraction of what paying for everything would take
    budgets = []
    total = sum(r["cost"] for r in projects) or 1
    for f in funds:
        for t in years:
            if pooled[f]:
                share = rng.uniform(0.15, 0.55) if rng.random() > 0.1 else 0.0
                amount = round(share * total / horizon / n_funds * 2)
                budgets.append({"fund": f, "year": t, "region": None, "amount": amount})
            else:
                for r in regions:
                    if rng.random() < 0.15:
                        continue
                    hosted = sum(p["cost"] for p in projects if p["region"] == r)
                    amount = round(rng.uniform(0.15, 0.7) * hosted / horizon / n_funds * 2)
                    budgets.append({"fund": f, "year": t, "region": r, "amount": amount})
    if not any(b["region"] is not None for b in budgets) and budgets:
        for b in budgets:
            b.pop("region")

    setting_rows = [{"key": "name", "value": f"random-{objective}-{seed}"},
                    {"key": "start_year", "value": y0}, {"key": "horizon", "value": horizon},
                    {"key": "objective", "value": objective},
                    {"key": "discount_rate", "value": [0.0, 0.05, "5%"][int(rng.integers(3))]}]
    extra: Tables = {}
    if realism:
        extra = _add_realism(np.random.default_rng(seed + 10_007), projects, budgets, setting_rows, funds,
                             regions, group_of)
    tables: Tables = {
        "Settings": setting_rows,
        "Regions": [{"region": r, "name": f"Region {r}", "population": 1000 * (i + 1),
                     "group": group_of[r]} for i, r in enumerate(regions)],
        "Indicators": [{"indicator": k, "unit": "u", "value": worth[k]} for k in indicators],
        "Baseline": [{"region": r, "indicator": k, "value": int(rng.integers(5, 50))}
                     for r in regions for k in indicators if rng.random() < 0.9],
        "Funds": [{"fund": f, "carry_over": _yesno(carry[f])} for f in funds],
        "Budgets": budgets,
        "Projects": projects,
        "Impacts": impacts,
        "Goals": [],
    } | extra
    if rng.random() < 0.3:
        # a mandatory project: usually one that the budgets can pay for on its own
        fits = [r for r in projects if window(r)]
        if rng.random() < 0.85:
            sc = parse(tables)
            fits = [r for r in fits if any(is_feasible(sc, {r["project"]: s}, all_goals_hard=False)
                                           for s in window(r))] or fits
        if fits:
            fits[int(rng.integers(len(fits)))]["mandatory"] = "yes"
    tables["Goals"] = _random_goals(rng, tables, objective, years, regions, group_of)
    return tables


PROFILES = {2: [[0.2, 0.8], [0.5, 0.5], [0.0, 1.0], [0.7, 0.3]], 3: [[0.1, 0.3, 0.6], [0.2, 0.5, 0.3]]}


def _add_realism(rng, projects: list[dict], budgets: list[dict], setting_rows: list[dict], funds: list[str],
                 regions: list[str], group_of: dict) -> Tables:
    """Cost profiles, running costs, an escalation and portfolio rules for a generated scenario (in place
    for the project, budget and setting rows; the new sheets returned). Later budgets get a little more
    money, about what the running costs take."""
    profiles = []
    for row in projects:
        d = row["duration"]
        if d in PROFILES and rng.random() < 0.6:
            shares = PROFILES[d][int(rng.integers(len(PROFILES[d])))]
            profiles += [{"project": row["project"], "year_offset": k, "share": w} for k, w in enumerate(shares)
                         if w > 0 or rng.random() < 0.5]
        if rng.random() < 0.4:
            row["running_cost"] = int(rng.integers(1, 4))
            if len(funds) == 2 and rng.random() < 0.3:
                row["running_funds"] = str(rng.choice(funds))
    running = sum(r.get("running_cost", 0) for r in projects)
    first = min(b["year"] for b in budgets) if budgets else None
    for b in budgets:
        if b["year"] != first and rng.random() < 0.7:
            b["amount"] = b["amount"] + int(rng.integers(0, running + 1))
    if rng.random() < 0.35:
        setting_rows.append({"key": "cost_escalation", "value": float(rng.choice([0.05, 0.1]))})
    rules = []
    for n in range(int(rng.integers(1, 3))):
        u = rng.random()
        if u < 0.4:
            scopes = regions + sorted({g for g in group_of.values() if g})
            rules.append({"rule": f"R{n + 1}", "region": str(rng.choice(scopes)), "at_least": 1})
        elif u < 0.7:
            kinds = sorted({r["kind"] for r in projects})
            kind = str(rng.choice(kinds))
            matched = sum(r["kind"] == kind for r in projects)
            rules.append({"rule": f"R{n + 1}", "kind": kind, "at_most": int(rng.integers(0, matched + 1))})
        else:
            listed = rng.choice([r["project"] for r in projects], size=min(3, len(projects)), replace=False)
            rules.append({"rule": f"R{n + 1}", "projects": ", ".join(map(str, listed)), "at_least": 1,
                          "at_most": 1})
    # A rule that no project matches is a validation error: keep the ones that match.
    hosted = {r["region"] for r in projects}
    rules = [r for r in rules if "region" not in r or hosted & set(
        [r["region"]] if r["region"] in regions else [x for x in regions if group_of.get(x) == r["region"]])]
    return {"CostProfiles": profiles, "Portfolio": rules}


def _random_goals(rng, tables: Tables, objective: str, years, regions, group_of) -> list[dict]:
    """Goals for the generated scenario, taken from a random feasible plan's levels."""
    want = {"cost": int(rng.integers(1, 3)), "benefit": int(rng.random() < 0.25),
            "goals": int(rng.integers(1, 4))}[objective]
    if want == 0:
        return []
    sc = parse(tables)
    plans = enumerate_plans(sc)
    feas = Feasibility(sc, plans, all_goals_hard=True)
    # a random feasible plan, preferring (among up to 30 sampled) one with many projects complete
    # by the last year, so that goals taken from its levels ask for something
    order = rng.permutation(len(plans))[:4000]
    feas.prepare(order)
    sample = []
    for m in order:
        if feas(m):
            sample.append(int(m))
            if len(sample) == 30:
                break
    done = [sum(1 for i, p in enumerate(sc.projects)
                if plans.starts[m, i] and plans.starts[m, i] + p.duration <= years[-1]) for m in sample]
    n = sample[int(np.argmax(done))] if sample else None
    scopes = [None] + regions + sorted({g for g in group_of.values() if g})
    indicators = [r["indicator"] for r in tables["Indicators"]]
    goals = []
    for i in range(want):
        sense = ">=" if rng.random() < 0.85 or (objective == "cost" and i == 0) else "<="
        for _attempt in range(10):   # prefer a goal that the random plan moves (non-trivial)
            k = str(rng.choice(indicators))
            scope = scopes[int(rng.integers(len(scopes)))]
            year = None if rng.random() < 0.7 else int(rng.choice(years[1:] if len(years) > 1 else years))
            members = regions if scope is None else ([scope] if scope in regions else
                                                     [r for r in regions if group_of[r] == scope])
            base, coef = level_coefficients(sc, k, members, year or years[-1])
            level = base + (float(plans.X[n] @ coef) if n is not None else 0.0)
            if level != base:
                break
        if objective == "goals":
            # soft goals, some out of reach, on 1-2 priorities; now and then a hard one
            target = level + int(rng.integers(-2, 8)) if sense == ">=" else level - int(rng.integers(-2, 5))
            hard = rng.random() < 0.15 and n is not None
            if hard:
                target = level
        else:
            target = level
            if rng.random() < 0.08:        # unreachable: an infeasible instance
                target = level + 1000 if sense == ">=" else level - 1000
            hard = rng.random() < 0.5      # irrelevant under benefit/cost: every goal is hard
        goals.append({"goal": f"G{i + 1}", "indicator": k, "region": scope, "year": year,
                      "sense": sense, "target": float(target),
                      "priority": int(rng.integers(1, 3)), "weight": float(rng.choice([1.0, 2.0, 0.5])),
                      "hard": _yesno(bool(hard))})
    return goals


def with_budget_scaled(tables: Tables, fund: str, factor: float) -> Tables:
    """A copy of ``tables`` with every budget of ``fund`` multiplied by ``factor``."""
    out = copy.deepcopy(tables)
    for row in out["Budgets"]:
        if row["fund"] == fund:
            row["amount"] = row["amount"] * factor
    return out


def without_project(tables: Tables, project: str) -> Tables:
    """A copy of ``tables`` without ``project``: its Projects and Impacts rows go, and so does every
    mention of it in other projects' ``excludes`` (an exclusion with a project that no longer
    exists binds nothing). Projects that require it can no longer be chosen, so they are removed
    too (transitively); callers pick projects that no mandatory project depends on."""
    out = copy.deepcopy(tables)
    gone = removal_set(tables, project)
    out["Projects"] = [r for r in out["Projects"] if r["project"] not in gone]
    out["Impacts"] = [r for r in out["Impacts"] if r["project"] not in gone]
    for row in out["Projects"]:
        if "excludes" in row:
            kept = [q for q in _ids(row.get("excludes")) if q not in gone]
            row["excludes"] = ",".join(kept) if kept else None
    return out


def removal_set(tables: Tables, project: str) -> set[str]:
    """``project`` and every project that (transitively) requires it."""
    gone = {project}
    changed = True
    while changed:
        changed = False
        for row in tables["Projects"]:
            if row["project"] not in gone and set(_ids(row.get("requires"))) & gone:
                gone.add(row["project"])
                changed = True
    return gone
