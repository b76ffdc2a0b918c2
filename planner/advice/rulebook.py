"""What a row of the allocation model means, in the planner's own words.

The model's rows are grouped into *rules*: the things a planner wrote in the
workbook and could change (a hard goal, a budget of a fund in a scope and year,
a mandatory flag, a partner's yearly cap, a ``requires`` or ``excludes`` pair,
a Portfolio rule, a divisible project's min_tranche or max_tranches, a hard
equity rule) and *definitions* that only tie variables together (a
project is paid in full, a cluster role counts as filled, ...). Every rule and
definition carries a sentence and its ``Sheet!row`` so that diagnoses and
repairs read like the workbook. :class:`RuleBook` answers both questions the
advisors ask: "which rule is HiGHS row r?" and "which model rows make up rule
R, and in which direction does a slack relax them?".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planner.model import AllocationModel
from planner.model.index import BUILD, RUN
from planner.model.rows import MEANING_COLUMNS
from planner.scenario.data import POOLED

#: Kinds of rules a planner can change (everything else is a definition).
RULE_KINDS = ("goal", "budget", "mandatory", "partner_cap", "requires", "excludes", "portfolio", "min_tranche",
              "max_tranches", "equity")


@dataclass(frozen=True)
class Rule:
    """One rule (or definition) of the scenario, located in the workbook.

    key: identity, e.g. ("budget", "national", "", 2027) or ("goal", "G3").
    kind: one of RULE_KINDS, or "definition" for rows that only link variables.
    unit: what an amount of slack on the rule measures ("money", the goal's indicator, ...).
    reference: the size a repair is compared with (the budget, |target|, 1 for a flag).
    binary: the rule is relaxed by dropping it (a 0-1 slack), not by an amount.
    """

    key: tuple
    kind: str
    sheet: str
    row: int | None
    text: str
    unit: str = ""
    reference: float = 1.0
    binary: bool = False
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        return " ".join(str(k) if k != POOLED else "pooled" for k in self.key)

    @property
    def relaxable(self) -> bool:
        return self.kind in RULE_KINDS

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.row}" if self.row is not None else self.sheet

    def record(self) -> dict[str, Any]:
        record = {"rule": self.id, "kind": self.kind, "sheet": self.sheet, "row": self.row,
                  "text": f"{self.text} [{self.where}]"}
        if self.kind == "budget":
            scope = self.key[2]
            record |= {"fund": self.key[1], "region": None if scope == POOLED else scope, "year": self.key[3]}
        return record


def number(value: float) -> str:
    """A number as a planner reads it: 120,000 / 41.2 / 0.0035."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


def _excel_row(value: Any) -> int | None:
    try:
        return None if value is None or pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return None


class RuleBook:
    """Rules and definitions of one built model.

    ``amounts`` overrides the budget amounts the build was made with (the elastic
    model is built with placeholder money where a budget is 0, see
    :mod:`planner.advice.elastic`; its rules must still read the workbook's amounts).
    """

    def __init__(self, build: AllocationModel, amounts: dict[tuple, float] | None = None):
        self.build = build
        self.scenario = build.scenario
        index = build.index
        self.projects = index.projects
        self.goals = index.goals
        budgets = index.budgets
        grid = budgets[["fund", "scope", "year", "amount"]].itertuples(index=False)
        self.amounts = amounts if amounts is not None else {(f, s, int(y)): float(a) for f, s, y, a in grid}
        funds = self.scenario.tables["Funds"].set_index("fund")
        self.carry = {f: bool(c) for f, c in funds["carry_over"].items()}
        self.pooled = budgets.groupby("fund")["pooled"].first().to_dict()
        self._budget_rows = {(f, sc, int(y)): int(r) for f, sc, y, r in
                             budgets[["fund", "scope", "year", "row"]].itertuples(index=False) if pd.notna(r)}
        caps = build.rows.get("partner_cap")
        self._caps = ({} if caps is None or caps.empty else
                      {(c, int(y)): float(v) for c, y, v in caps[["partner", "year", "cap"]].itertuples(index=False)})
        self._relaxable = self._index_relaxable_rows()

    # --- rule lookup ------------------------------------------------------------------------

    def scope_of(self, fund: str, payer: str) -> str:
        """The budget scope a payer's spending from ``fund`` falls on."""
        return POOLED if self.pooled.get(fund, True) else payer

    def goal(self, goal_id: str) -> Rule:
        """A goal, told with its target as written (and the level it means for a change or percent).

        details: target (the level the model constrains), written (the workbook's value), basis,
        baseline (of the indicator over the goal's scope) and sense: what a repair needs to say
        how the written target moves.
        """
        i = int(np.flatnonzero(self.goals["goal"].to_numpy() == goal_id)[0])
        g = self.goals.iloc[i]
        scope = g["region"] if g["region"] else "the whole country"
        level = float(g["target"])
        written = float(g["written_target"]) if "written_target" in g.index else level
        basis = str(g["basis"]) if "basis" in g.index and g["basis"] else "level"
        meaning = self.build.rows.get("goal")
        baseline = float(meaning["base"].iloc[i]) if meaning is not None and "base" in meaning else 0.0
        if basis == "change":
            what = f"{number(written):s} change from {number(baseline)}, i.e. level {number(level)}"
        elif basis == "percent":
            what = f"{number(written)}% change from {number(baseline)}, i.e. level {number(level)}"
        else:
            what = number(level)
        hard = "hard" if bool(g["hard"]) else "soft"
        text = f"Goal {goal_id} ({g['indicator']} {g['sense']} {what} in {scope}, {int(g['year'])}, {hard})"
        return Rule(("goal", goal_id), "goal", "Goals", _excel_row(g["row"]), text, unit=str(g["indicator"]),
                    reference=abs(level - baseline if basis != "level" else level) or 1.0,
                    details={"target": level, "written": written, "basis": basis, "baseline": baseline,
                             "sense": g["sense"]})

    def budget(self, fund: str, scope: str, year: int) -> Rule:
        amount = self.amounts.get((fund, scope, int(year)), 0.0)
        row = self._budget_rows.get((fund, scope, int(year)))
        where = "pooled" if scope == POOLED else scope
        parts = [where]
        if self.carry.get(fund):
            parts.append("carry-over")
        parts.append(number(amount) if row is not None else "no row: 0")
        text = f"Budgets {fund} {year} ({', '.join(parts)})" if scope == POOLED else \
            f"Budgets {fund} {scope} {year} ({', '.join(parts[1:])})"
        reference = amount if amount > 0 else self._typical_amount(fund, scope)
        return Rule(("budget", fund, scope, int(year)), "budget", "Budgets", row, text, unit="money",
                    reference=reference, details={"fund": fund, "scope": scope, "year": int(year),
                                                  "amount": amount})

    def _typical_amount(self, fund: str, scope: str) -> float:
        same = [a for (f, s, _), a in self.amounts.items() if f == fund and s == scope and a > 0]
        same = same or [a for (f, _, _), a in self.amounts.items() if f == fund and a > 0]
        return float(np.mean(same)) if same else 1.0

    def project_row(self, project: str) -> int | None:
        return _excel_row(self.projects.loc[project, "row"]) if project in self.projects.index else None

    def mandatory(self, project: str) -> Rule:
        return Rule(("mandatory", project), "mandatory", "Projects", self.project_row(project),
                    f"mandatory project {project}", binary=True)

    def partner_cap(self, partner: str, year: int, cap: float) -> Rule:
        table = self.scenario.tables["Partners"]
        hit = table[table["partner"] == partner]
        row = _excel_row(hit["row"].iloc[0]) if len(hit) else None
        return Rule(("partner_cap", partner, int(year)), "partner_cap", "Partners", row,
                    f"Partner {partner} puts in at most {number(cap)} a year ({year})", unit="money",
                    reference=float(cap) or 1.0, details={"cap": float(cap)})

    def requires(self, project: str, required: str) -> Rule:
        return Rule(("requires", project, required), "requires", "Projects", self.project_row(project),
                    f"project {project} requires {required} (to start no later)", binary=True)

    def excludes(self, first: str, second: str) -> Rule:
        lister = first
        listed = self.projects.loc[first, "excludes"] if first in self.projects.index else ()
        if second not in (listed or ()):
            lister = second
        return Rule(("excludes", first, second), "excludes", "Projects", self.project_row(lister),
                    f"projects {first} and {second} exclude each other", binary=True)

    def portfolio(self, rule_id: str) -> Rule:
        """A Portfolio rule told with its bounds and what it counts: "Portfolio rule border_min (at least 1
        of the crossborder projects hosted in group border: P1, P2)"."""
        rules = self.build.index.portfolio
        hit = rules[rules["rule"] == rule_id]
        if hit.empty:
            return Rule(("portfolio", rule_id), "portfolio", "Portfolio", None, f"Portfolio rule {rule_id}",
                        unit="projects")
        r = hit.iloc[0]
        low, high = r["at_least"], r["at_most"]
        if pd.notna(low) and pd.notna(high) and low == high:
            bound = f"exactly {number(low)}"
        else:
            bound = " and ".join(([f"at least {number(low)}"] if pd.notna(low) else [])
                                 + ([f"at most {number(high)}"] if pd.notna(high) else []))
        table = self.scenario.tables["Portfolio"]
        written = table[table["rule"] == rule_id].iloc[0]
        what = f"{written['kind']} projects" if written["kind"] else "projects"
        if written["region"]:
            what += f" hosted in {written['region']}"
        members = self.build.index.portfolio_members
        names = ", ".join(members.loc[members["rule"] == rule_id, "project"])
        return Rule(("portfolio", rule_id), "portfolio", "Portfolio", _excel_row(r["row"]),
                    f"Portfolio rule {rule_id} ({bound} of the {what}: {names})", unit="projects",
                    reference=max(float(low) if pd.notna(low) else 0.0, float(high) if pd.notna(high) else 0.0, 1.0),
                    details={"at_least": low, "at_most": high})

    def tranche(self, kind: str, project: str) -> Rule:
        """A divisible project's min_tranche (share per used start year) or max_tranches (start years)."""
        p = self.projects.loc[project] if project in self.projects.index else None
        if kind == "min_tranche":
            value = float(p["min_tranche"]) if p is not None else float("nan")
            text = f"project {project} funds at least {value:.0%} in every start year it uses (min_tranche)"
            unit, reference = "share", value or 1.0
        else:
            value = float(p["max_tranches"]) if p is not None else float("nan")
            text = f"project {project} is funded in at most {number(value)} start year(s) (max_tranches)"
            unit, reference = "start years", value or 1.0
        return Rule((kind, project), kind, "Projects", self.project_row(project), text, unit=unit,
                    reference=reference, details={"value": value})

    def equity(self, rule_id: str) -> Rule:
        table = self.scenario.tables.get("Equity", pd.DataFrame())
        hit = table[table["rule"] == rule_id] if len(table) else table
        if len(hit):
            r = hit.iloc[0]
            year = r["year"] if r["year"] is not None and not pd.isna(r["year"]) else self.scenario.last_year
            text = f"Equity rule {rule_id} ({r['kind']} {number(r['value'])}, {int(year)}, hard)"
            return Rule(("equity", rule_id), "equity", "Equity", _excel_row(r["row"]), text,
                        unit="the rule's own row units", reference=abs(float(r["value"])) or 1.0)
        return Rule(("equity", rule_id), "equity", "Equity", None, f"Equity rule {rule_id}")

    # --- rules by key -----------------------------------------------------------------------

    def rule(self, key: tuple) -> Rule | None:
        """The rule with identity ``key`` (as the model's families declare it), told in words."""
        kind = key[0]
        if kind == "goal":
            return self.goal(key[1])
        if kind == "budget":
            return self.budget(*key[1:])
        if kind == "mandatory":
            return self.mandatory(key[1])
        if kind == "partner_cap":
            return self.partner_cap(key[1], key[2], self._caps.get((key[1], int(key[2])), 0.0))
        if kind == "requires":
            return self.requires(key[1], key[2])
        if kind == "excludes":
            return self.excludes(key[1], key[2])
        if kind == "portfolio":
            return self.portfolio(key[1])
        if kind in ("min_tranche", "max_tranches"):
            return self.tranche(kind, key[1])
        if kind == "equity":
            return self.equity(key[1])
        return None

    # --- model rows -> rules ----------------------------------------------------------------

    def for_row(self, family: str, i: int, side: str | None = None) -> Rule:
        """The rule (or definition) that row ``i`` of ``family`` belongs to.

        Each family declares per row which rule it is part of (``rule_key``) and where it
        comes from (``sheet``, ``excel_row``; see :func:`planner.model.rows.declare`).
        ``side`` is the bound HiGHS names in an IIS ("lower", "upper" or None): when a rule is
        one side of a row only (a mandatory project's "at least once"), the other side is a
        definition.
        """
        meaning = self.build.rows.get(family)
        if meaning is None or i >= len(meaning):
            return Rule((family, i), "definition", "", None, f"model row {family}[{i}]")
        r = meaning.iloc[i]
        key, rule_side = r.get("rule_key"), r.get("rule_side")
        if key is not None and (rule_side is None or side in (None, "both", rule_side)):
            rule = self.rule(key)
            if rule is not None:
                return rule
        return self.definition(family, r)

    def definition(self, family: str, r: pd.Series) -> Rule:
        """A row that only ties variables together, told with the workbook row it is about."""
        sheet, row = r.get("sheet") or "", _excel_row(r.get("excel_row"))
        if family == "one_start":
            project = r["project"]
            return Rule(("one_start", project), "definition", sheet, row, f"project {project} starts at most once")
        if family == "payment":
            return self.payment(r["project"], r["payer"], int(r["year"]), str(r.get("part") or BUILD))
        if family == "tranche":
            return Rule(("tranche", r["project"], int(r["start"])), "definition", sheet, row,
                        f"project {r['project']} is funded from {int(r['start'])} only in a tranche that starts then")
        if family in ("cluster_role", "cluster_complete"):
            return self._cluster(family, r)
        if family == "transport_pair":
            return Rule(("transport_pair", r["first"], r["second"], int(r["year"])), "definition", sheet, row,
                        f"transport projects {r['first']} and {r['second']} count their joint effect in "
                        f"{int(r['year'])} only when both are complete")
        values = ", ".join(f"{k}={v}" for k, v in r.items() if k not in ("row",) + MEANING_COLUMNS)
        return Rule((family, int(r.name)), "definition", sheet, row, f"{family} ({values})")

    def payment(self, project: str, payer: str, year: int, part: str = BUILD) -> Rule:
        """A payment row told in words: construction ("project P is paid in full in 2027 (8 a year) from
        F") or running ("project P's running cost in 2030 (2 a year) is paid from F")."""
        p = self.projects.loc[project]
        payers = self.build.index.payers
        mine = payers[(payers["project"] == project) & (payers["payer"] == payer)]
        share = float(mine["share"].iloc[0]) if len(mine) else 1.0
        due = self.build.index.schedule
        due = due[(due["project"] == project) & (due["year"] == year) & (due["part"] == part)]
        plain = part == BUILD and (len(due) == 0 or bool((due["own"] == p["own_cost_per_year"]).all()))
        amount = share * (float(p["own_cost_per_year"]) if plain else float(due["own"].max()))
        funds = [f for f, s, _ in self.payment_budgets(project, payer, year, part)]
        money = [k for k in self.payment_budgets(project, payer, year, part) if self.amounts.get(k, 0.0) > 0]
        tail = f"from {', '.join(funds)}" if funds else "but no fund may pay for it"
        if funds and not money:
            tail += " (none of them has money then)"
        # A running-cost row has its own key; a construction row keeps the key it always had.
        key = ("payment", project, payer, year) + ((RUN,) if part == RUN else ())
        what = "" if part == BUILD else "the running cost of "
        if len(payers[payers["project"] == project]) > 1:
            row = _excel_row(mine["row"].iloc[0]) if len(mine) else None
            text = (f"region {payer} pays {share:.0%} of {what}project {project} in {year} "
                    f"({number(amount)}) {tail}")
            return Rule(key, "definition", "CostShares", row, text)
        if part == RUN:
            text = f"project {project}'s running cost in {year} ({number(amount)} a year) is paid {tail}"
        elif plain:
            text = f"project {project} is paid in full in {year} ({number(amount)} a year) {tail}"
        else:
            text = f"project {project} is paid in full in {year} ({number(amount)} that year) {tail}"
        return Rule(key, "definition", "Projects", self.project_row(project), text)

    def payment_budgets(self, project: str, payer: str, year: int, part: str = BUILD) -> list[tuple]:
        """(fund, scope, year) budgets that could pay ``payer``'s part of ``project`` in ``year``."""
        listed = self.projects.loc[project, "funds"]
        if part == RUN and self.projects.loc[project, "running_funds"]:
            listed = self.projects.loc[project, "running_funds"]
        funds = list(listed) if listed else list(self.scenario.tables["Funds"]["fund"])
        return [(f, self.scope_of(f, payer), int(year)) for f in funds]

    def _cluster(self, family: str, r: pd.Series) -> Rule:
        cluster, role, year = r["cluster"], r.get("role"), int(r["year"])
        row = _excel_row(r.get("excel_row"))
        if family == "cluster_role":
            text = (f"cluster {cluster} counts role {role} as filled in {year} only with "
                    f"{int(r['needed'])} complete component(s)")
        elif role:
            text = f"cluster {cluster} is complete in {year} only when role {role} is filled"
        else:
            text = f"cluster {cluster} is complete in {year} as soon as all its roles are filled"
        return Rule((family, cluster, role, year), "definition", "Clusters", row, text)

    def for_column(self, col: int) -> Rule | None:
        """The definition behind a column bound (only project start shares are worth telling)."""
        offsets = self.build.columns.offsets
        first_x = offsets.get("x", 0)
        starts = self.build.index.starts
        if first_x <= col < first_x + len(starts):
            s = starts.iloc[col - first_x]
            return Rule(("share", s["project"]), "definition", "Projects", self.project_row(s["project"]),
                        f"project {s['project']} is carried out at most once (share at most 100%)")
        return None

    # --- rules -> model rows ----------------------------------------------------------------

    def _index_relaxable_rows(self) -> dict[tuple, list[tuple[str, int, float]]]:
        """rule key -> (family, row, slack coefficient) of every present row that relaxes it."""
        found: dict[tuple, list[tuple[str, int, float]]] = {}
        for family, frame in self.build.rows.items():
            if frame is None or frame.empty or "rule_key" not in frame.columns:
                continue
            component = getattr(self.build.model, family, None)
            for i, (key, relax) in enumerate(zip(frame["rule_key"], frame["relax"])):
                if key is not None and relax != 0 and component is not None and i in component:
                    found.setdefault(tuple(key), []).append((family, i, float(relax)))
        return found

    def rows_of(self, rule: Rule) -> list[tuple[str, int, float]]:
        """(family, row number, coefficient) of a slack that relaxes ``rule``.

        A slack s >= 0 with these coefficients loosens the rule by s in its own
        units: a goal's level counts s more (>=) or less (<=); a budget gets s more
        money in that year (carry-over funds: from that year on); a mandatory
        project may be left out (s = 1); a partner may put in s more; a requires or
        excludes pair stops binding (s = 1). Each family declares the coefficient of its
        rows (``relax``); soft goals and soft equity rules have their own shortfall and 0.
        """
        return list(self._relaxable.get(tuple(rule.key), []))

    def relaxable_rules(self) -> list[Rule]:
        """Every rule a planner could change that is a row of this model, in RULE_KINDS order."""
        order = {kind: n for n, kind in enumerate(RULE_KINDS)}
        keys = sorted(self._relaxable, key=lambda k: order.get(k[0], len(order)))
        rules = [self.rule(k) for k in keys]
        return [r for r in rules if r is not None]
