"""Why a soft goal is missed, and what it would take to meet it (models/advice.md, section 1b).

For a missed soft goal G of priority p, the elastic model of the scenario
(:class:`~planner.advice.elastic.ElasticModel`: a slack per rule, and one per soft goal) is
set up so that the plan's own priorities stand:

* G must be met: its shortfall is 0 (it is made hard);
* every other soft goal and soft equity rule of priority p or higher (number <= p) keeps
  what the plan gives it: its shortfall at most the plan's (that goal's slack is how much
  more it would give up);
* goals of lower priority are free: they give way to G anyway.

That system is infeasible (otherwise the plan would not be optimal). Each question is then
one solve of it with some slacks free:

* **more money**: every budget free, the least total money (the split by fund and year is
  one cheapest way to spend it);
* **other goals give**: the higher- and same-priority soft goals free, the least loss priced
  as the plan's stages score it (weight / scale, higher priorities a thousand times dearer
  per level);
* **other rules**: mandatory flags, partner caps, requires and excludes pairs, hard goals
  and hard equity rules free, the least relative change;
* **a lower target**: G's own slack alone, which is the plan's level (the best G can reach
  while everything else keeps what it has).

G is *held back by* the budgets, goals and rules that these repairs change. When none of
the three meets G, the candidates are what hold it back: with every budget, rule and other
goal free, G's level still cannot reach the target; the best it reaches is reported (and
the cheapest relaxation that reaches it). ``planner diagnose FILE --goal G`` also tries
every fund alone and every other goal alone.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from planner.advice.diagnose.repairs import _goal_repair, repair_record
from planner.advice.elastic import ElasticModel, Run, round_up
from planner.advice.rulebook import number
from planner.model import build_model
from planner.parallel import run_tasks
from planner.results import Answer
from planner.scenario import Scenario
from planner.scenario.data import POOLED
from planner.solver import SolveOptions

#: Seconds per solve of a goal's diagnosis when no --time-limit is given.
GOAL_LIMIT = 10.0
#: Seconds ``planner solve`` spends on explaining missed goals before leaving the rest to
#: ``planner diagnose --goal`` (when no --time-limit is given).
SOLVE_BUDGET = 60.0
#: How much dearer a goal of one priority level higher is, per unit of scored shortfall.
PRIORITY_PRICE = 1e3
#: Parts of a repair told in its sentence (the rest are in the record).
SHOWN_PARTS = 6


@dataclass
class GoalDiagnosis:
    """Why one goal is missed and the cheapest ways to meet it.

    status: missed (diagnosed), met, hard (a hard goal is never missed in a plan), reachable (G can
        be met without anything else giving: the plan is not proven optimal), not_diagnosed
        (time budget spent) or unknown (a solve stopped without an answer).
    held_back_by: {kind, rule, sheet, row, text}: kind budgets, goal, rule or candidates.
    repairs: {kind, rule, amount, unit, parts, text, proven}: kind money, fund, goals, goal, rules,
        target or reach (the cheapest relaxation that gets closest when nothing meets it).
    reach: when no change meets the goal: {level, shortfall, progress} the best the candidates allow.
    """

    goal: str
    status: str
    priority: int | None = None
    text: str = ""
    shortfall: float = 0.0
    progress: float | None = None
    unit: str = ""
    held_back_by: list[dict[str, Any]] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    reach: dict[str, Any] | None = None
    message: str = ""

    def explanation(self) -> str:
        """Why the goal is missed, in one sentence."""
        if self.status == "met":
            return f"Goal {self.goal} is met (progress {_share(self.progress)})."
        if self.status == "hard":
            return f"Goal {self.goal} is hard: the plan meets it, or no plan exists (see planner diagnose)."
        if self.status == "reachable":
            return (f"Goal {self.goal} could be met without anything else giving: the plan is not proven "
                    "optimal (time limit or MIP gap); solve again with a longer --time-limit or a smaller --mip-gap.")
        if self.status in ("not_diagnosed", "unknown"):
            return f"Goal {self.goal} is missed by {number(_round(self.shortfall))}{_unit(self.unit)}; {self.message}"
        held = _join([h["text"] for h in self.held_back_by]) or "nothing the diagnosis could name"
        return (f"Goal {self.goal} is missed by {number(_round(self.shortfall))}{_unit(self.unit)} (progress "
                f"{_share(self.progress)}): held back by {held}.")

    def remedy(self) -> str:
        """What it would take, in one sentence: the ways out, cheapest kinds first."""
        if self.status != "missed":
            return ""
        ways = [r["phrase"] for r in self.repairs if r["kind"] not in ("reach",)]
        text = ""
        if self.reach is not None:
            reach = self.reach
            closest = next((r["phrase"] for r in self.repairs if r["kind"] == "reach"), "")
            text = (f"No change of budgets, rules or other goals meets it: at most "
                    f"{number(_round(reach['level']))}{_unit(self.unit)} can be reached (progress "
                    f"{_share(reach['progress'])}{', with ' + closest if closest else ''}), so only a lower target "
                    "or more candidate projects can. ")
        return text + ("To meet it: " + ", or ".join(ways) + "." if ways else "")

    def record(self) -> dict[str, Any]:
        """The ``--json`` record."""
        return {"goal": self.goal, "status": self.status, "priority": self.priority, "shortfall": self.shortfall,
                "progress": self.progress, "unit": self.unit, "explanation": self.explanation(),
                "remedy": self.remedy(), "held_back_by": self.held_back_by, "repairs": self.repairs,
                "reach": self.reach, "message": self.message}


def _share(value: float | None) -> str:
    return "?" if value is None or value != value else f"{value:.1%}"


def _round(value: float) -> float:
    return float(f"{value:.6g}") if value else 0.0


def _unit(unit: str) -> str:
    return f" ({unit})" if unit else ""


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class GoalAdvisor:
    """The elastic model of one solved scenario, set up to explain its missed soft goals."""

    def __init__(self, scenario: Scenario, answer: Answer, options: SolveOptions | None = None):
        self.scenario = scenario
        self.answer = answer
        self.options = options or SolveOptions()
        self.elastic = ElasticModel(scenario, build_model(scenario), all_rules=True, soft_goals=True,
                                    options=self.options)
        self.goals = self.elastic.build.index.goals
        self.position = {rule.key: k for k, rule in enumerate(self.elastic.rules)}
        self.plan = answer.goals.set_index("goal") if not answer.goals.empty else pd.DataFrame()
        units = scenario.tables["Indicators"].set_index("indicator")["unit"]
        self.units = {k: (str(v) if isinstance(v, str) else "") for k, v in units.items()}
        self.money_unit = str(scenario.settings.get("money_unit") or "money")
        self.soft = self.goals[~self.goals["hard"].astype(bool)].reset_index(drop=True)
        shortfalls = answer.soft_shortfalls
        self.equity = (shortfalls[shortfalls["variable"] == "eq_u"] if not shortfalls.empty
                       else pd.DataFrame(columns=["index", "priority", "value"]))

    # --- setting up one goal --------------------------------------------------------------------

    def _hold(self, goal: str, priority: int) -> None:
        """G made hard, every soft goal and equity rule of priority <= p held at the plan's shortfall."""
        upper = []
        for g in self.soft.itertuples(index=False):
            if g.goal == goal:
                upper.append(0.0)
            elif g.priority <= priority:
                short = float(self.plan.loc[g.goal, "shortfall"]) if g.goal in self.plan.index else 0.0
                upper.append(short + self._tolerance(g.goal))
            else:
                upper.append(np.inf)
        self.elastic.bound_shortfalls("u", np.array(upper, dtype=float))
        if len(self.equity):
            values = self.equity.sort_values("index")
            bounds = np.where(values["priority"].to_numpy() <= priority,
                              values["value"].to_numpy(dtype=float) * (1 + 1e-7) + 1e-7, np.inf)
            self.elastic.bound_shortfalls("eq_u", bounds)

    def _tolerance(self, goal: str) -> float:
        """Room given to a held goal's shortfall (solver tolerance, below what amounts are told in)."""
        target = float(self.goals.loc[self.goals["goal"] == goal, "target"].iloc[0])
        return 1e-7 * max(1.0, abs(target))

    def _groups(self, goal: str, priority: int) -> tuple[dict[str, list[int]], list[int], list[int]]:
        """Budget slacks by fund, the slacks of the other goals held, and of the other rules."""
        soft = dict(zip(self.soft["goal"], self.soft["priority"]))
        funds: dict[str, list[int]] = {}
        goals, rules = [], []
        for k, rule in enumerate(self.elastic.rules):
            if rule.kind == "budget":
                funds.setdefault(rule.key[1], []).append(k)
            elif rule.kind == "goal" and rule.key[1] in soft:
                if rule.key[1] != goal and soft[rule.key[1]] <= priority:
                    goals.append(k)
            else:
                rules.append(k)
        return funds, goals, rules

    def _goal_price(self, k: int, priority: int) -> float:
        g = self.goals[self.goals["goal"] == self.elastic.rules[k].key[1]].iloc[0]
        return float(g["weight"] or 0.0) / float(g["scale"]) * PRIORITY_PRICE ** (priority - int(g["priority"])) \
            + 1e-9

    def _relative(self, ks: list[int]) -> dict[int, float]:
        return {k: 1.0 / max(self.elastic.rules[k].reference, 1e-9) for k in ks}

    # --- the diagnosis --------------------------------------------------------------------------

    def diagnose(self, goal: str, thorough: bool = False) -> GoalDiagnosis:
        """Why ``goal`` is missed and what it would take (``thorough``: also each fund and goal alone)."""
        row = self.plan.loc[goal] if goal in self.plan.index else None
        if row is None:
            raise ValueError(f"unknown goal {goal}")
        spec = self.goals[self.goals["goal"] == goal].iloc[0]
        priority = int(spec["priority"])
        unit = self.units.get(str(spec["indicator"]), "")
        base = GoalDiagnosis(goal, "missed", priority, self.elastic.book.goal(goal).text,
                             float(row["shortfall"]), float(row["progress"]) if "progress" in row else None, unit)
        if bool(row["met"]):
            base.status = "met"
            return base
        if bool(spec["hard"]):
            base.status = "hard"
            return base
        self._hold(goal, priority)
        limit = self.elastic.limit(GOAL_LIMIT)
        check = self.elastic.solve([], time_limit=limit)
        if check.status in ("optimal", "feasible"):
            base.status = "reachable"
            return base
        own = self.position[("goal", goal)]
        funds, goals, rules = self._groups(goal, priority)
        budgets = [k for ks in funds.values() for k in ks]
        money = self.elastic.solve(budgets, {k: 1.0 for k in budgets}, time_limit=limit)
        giving = self.elastic.solve(goals, {k: self._goal_price(k, priority) for k in goals}, time_limit=limit)
        changed = self.elastic.solve(rules, self._relative(rules), time_limit=limit)
        found = [self._money(money, budgets), self._giving(giving, goals), self._rules(changed, rules)]
        base.repairs = [r for r in found if r is not None]
        if thorough:
            for fund, ks in funds.items():
                if len(funds) > 1:
                    alone = self._money(self.elastic.solve(ks, {k: 1.0 for k in ks}, time_limit=limit), ks, fund)
                    base.repairs += [alone] if alone is not None else []
            for k in goals if len(goals) > 1 else []:
                alone = self._giving(self.elastic.solve([k], {k: 1.0}, time_limit=limit), [k], single=True)
                base.repairs += [alone] if alone is not None else []
        everything = budgets + goals + rules
        if not base.repairs:
            best = self.elastic.solve(everything + [own], {own: 1.0}, time_limit=limit)
            if best.status not in ("optimal", "feasible"):
                base.status, base.message = "unknown", "the solver stopped before finding how close it can get"
                return base
            gap = float(best.slacks[own])
            level = float(spec["target"]) - gap if spec["sense"] == ">=" else float(spec["target"]) + gap
            reached = self.elastic.solve(everything + [own], self._relative(everything) | {own: 0.0},
                                         time_limit=limit, upper={own: gap * (1 + 1e-6) + 1e-9})
            baseline = float(row["baseline"]) if "baseline" in row else 0.0
            need = float(spec["target"]) - baseline
            progress = (level - baseline) / need if abs(need) > 1e-12 else None
            base.reach = {"level": level, "shortfall": gap, "progress": progress}
            closer = self._combined(reached, everything, "reach")
            if closer is not None:
                base.repairs.append(closer)
        elif thorough:
            cheapest = self.elastic.solve(everything, self._relative(everything), time_limit=limit)
            combined = self._combined(cheapest, everything, "combined")
            if combined is not None and len(combined["parts"]) > 1:
                base.repairs.append(combined)
        base.repairs.append(self._target(goal, float(row["shortfall"])))
        base.held_back_by = self._held_back_by(base)
        return base

    # --- repairs told in words ------------------------------------------------------------------

    def _money(self, run: Run, ks: list[int], fund: str | None = None) -> dict[str, Any] | None:
        if run.status not in ("optimal", "feasible") or not ks:
            return None
        parts = []
        for k in ks:
            amount = round_up(float(run.slacks[k]))
            if amount > 0:
                rule = self.elastic.rules[k]
                _, f, scope, year = rule.key
                parts.append({"fund": f, "region": None if scope == POOLED else scope, "year": int(year),
                              "amount": amount, "sheet": rule.sheet, "row": rule.row})
        if not parts:
            return None
        total = round_up(sum(p["amount"] for p in parts))
        where = f" in fund {fund} alone" if fund else ""
        text = f"{number(total)} more {self.money_unit}{where} ({_money_parts(parts, fund is None)})"
        return {"kind": "fund" if fund else "money", "rule": f"budgets {fund}" if fund else "budgets",
                "amount": total, "unit": self.money_unit, "parts": parts, "text": text,
                "phrase": f"{number(total)} more {self.money_unit}{where} ({_money_parts(parts, fund is None)})",
                "proven": run.status == "optimal"}

    def _giving(self, run: Run, ks: list[int], single: bool = False) -> dict[str, Any] | None:
        if run.status not in ("optimal", "feasible") or not ks:
            return None
        parts = []
        for k in ks:
            goal = self.elastic.rules[k].key[1]
            if float(run.slacks[k]) <= 1e-9 * max(1.0, abs(float(self.elastic.rules[k].reference))):
                continue
            amount = round_up(float(run.slacks[k]))
            spec = self.goals[self.goals["goal"] == goal].iloc[0]
            held = float(self.plan.loc[goal, "achieved"]) if goal in self.plan.index else float(spec["target"])
            held = min(held, float(spec["target"])) if spec["sense"] == ">=" else max(held, float(spec["target"]))
            level = held - amount if spec["sense"] == ">=" else held + amount
            parts.append({"goal": goal, "priority": int(spec["priority"]), "amount": amount,
                          "unit": self.units.get(str(spec["indicator"]), ""), "level": level,
                          "sheet": "Goals", "row": self.elastic.rules[k].row})
        if not parts:
            return None
        told = _join([f"{p['goal']} (priority {p['priority']}) giving up {number(p['amount'])}{_unit(p['unit'])}, "
                      f"to {number(_round(p['level']))}" for p in parts])
        return {"kind": "goal" if single else "goals", "rule": " + ".join(f"goal {p['goal']}" for p in parts),
                "amount": None, "unit": "", "parts": parts, "text": told, "phrase": told,
                "proven": run.status == "optimal"}

    def _rules(self, run: Run, ks: list[int]) -> dict[str, Any] | None:
        if run.status not in ("optimal", "feasible") or not ks:
            return None
        parts = []
        for k in ks:
            amount = float(run.slacks[k])
            if amount > 1e-7:
                rule = self.elastic.rules[k]
                parts.append(repair_record(rule, 1.0 if rule.binary else round_up(amount)))
        if not parts:
            return None
        return {"kind": "rules", "rule": " + ".join(p["rule"] for p in parts), "amount": None, "unit": "",
                "parts": parts, "text": " and ".join(p["text"] for p in parts),
                "phrase": " and ".join(p["phrase"].removeprefix("with ").removeprefix("by ") for p in parts),
                "proven": run.status == "optimal"}

    def _combined(self, run: Run, ks: list[int], kind: str) -> dict[str, Any] | None:
        """The cheapest relaxation of everything at once, told by kind of rule."""
        if run.status not in ("optimal", "feasible"):
            return None
        budgets = [k for k in ks if self.elastic.rules[k].kind == "budget"]
        goals = [k for k in ks if k not in budgets and self.elastic.rules[k].key[1] in set(self.soft["goal"])
                 and self.elastic.rules[k].kind == "goal"]
        rules = [k for k in ks if k not in budgets and k not in goals]
        found = [self._money(run, budgets), self._giving(run, goals), self._rules(run, rules)]
        pieces = [p for p in found if p is not None]
        if not pieces:
            return None
        text = " and ".join(p["phrase"] for p in pieces)
        return {"kind": kind, "rule": " + ".join(p["rule"] for p in pieces), "amount": None, "unit": "",
                "parts": pieces, "text": text,
                "phrase": f"together: {text}" if kind == "combined" else text, "proven": run.status == "optimal"}

    def _target(self, goal: str, shortfall: float) -> dict[str, Any]:
        rule = self.elastic.book.goal(goal)
        told = _goal_repair(rule, round_up(shortfall))
        return {"kind": "target", "rule": f"goal {goal}", "amount": round_up(shortfall),
                "unit": rule.unit, "parts": [], "new_value": told["new_value"], "new_level": told["new_level"],
                "sheet": rule.sheet, "row": rule.row, "text": told["text"],
                "phrase": told["text"].replace(f"the target of goal {goal}", "its target"), "proven": True}

    def _held_back_by(self, found: GoalDiagnosis) -> list[dict[str, Any]]:
        """The budgets (by fund), goals and rules the repairs change, and the candidates when no change
        of them meets the goal."""
        held: dict[str, dict[str, Any]] = {}
        funds: dict[str, None] = {}
        for repair in found.repairs:
            for part in _flat(repair):
                if part.get("fund"):
                    funds[str(part["fund"])] = None
                elif part.get("goal"):
                    held.setdefault(f"goal {part['goal']}", {
                        "kind": "goal", "rule": f"goal {part['goal']}", "sheet": "Goals", "row": part["row"],
                        "text": f"goal {part['goal']} (priority {part['priority']}, Goals!{part['row']})"})
                elif part.get("kind") in ("mandatory", "partner_cap", "requires", "excludes", "equity", "goal"):
                    where = f"{part['sheet']}!{part['row']}" if part.get("row") is not None else part.get("sheet")
                    held.setdefault(part["rule"], {"kind": "rule", "rule": part["rule"], "sheet": part["sheet"],
                                                   "row": part["row"], "text": f"{part['rule']} ({where})"})
        records = []
        if funds:
            records.append({"kind": "budgets", "rule": "budgets", "sheet": "Budgets", "row": None,
                            "funds": list(funds), "text": f"the budgets ({', '.join(sorted(funds))})"})
        records += list(held.values())
        if found.reach is not None:
            candidates = self._candidates(found.goal)
            spec = self.goals[self.goals["goal"] == found.goal].iloc[0]
            others = f"; {', '.join(candidates)} are not in the plan" if candidates else ""
            records.append({"kind": "candidates", "rule": "candidates", "sheet": "Projects", "row": None,
                            "text": f"the candidate projects (no plan moves {spec['indicator']} enough by "
                                    f"{int(spec['year'])}{others})"})
        return records

    def _candidates(self, goal: str) -> list[str]:
        table = self.answer.contributions
        if table.empty:
            return []
        mine = table[(table["goal"] == goal) & ~table["chosen"] & (table["kind"] == "project")]
        return sorted(map(str, mine["source"]))


def _flat(repair: dict[str, Any]) -> list[dict[str, Any]]:
    """The parts of a repair, a combined repair's parts flattened."""
    parts: list[dict[str, Any]] = []
    for part in repair.get("parts") or []:
        parts += _flat(part) if "parts" in part and part.get("kind") in ("money", "goals", "rules") else [part]
    return parts


def _money_parts(parts: list[dict[str, Any]], by_fund: bool) -> str:
    """"state_budget 123.7 (2027: 69.77, 2026: 53.9); regional_budgets khorezm 2026: 92.12" (per fund,
    its total and its largest budget years, a few)."""
    funds: dict[str, list[dict[str, Any]]] = {}
    for p in parts:
        funds.setdefault(p["fund"], []).append(p)
    told = []
    for fund, mine in sorted(funds.items(), key=lambda item: -sum(p["amount"] for p in item[1])):
        mine = sorted(mine, key=lambda p: -p["amount"])
        years = [f"{p['region'] + ' ' if p['region'] else ''}{p['year']}: {_short(p['amount'])}"
                 for p in mine[:SHOWN_PARTS // 2]]
        more = f" and {len(mine) - len(years)} more" if len(mine) > len(years) else ""
        if not by_fund:
            told.append(", ".join(years) + more)
        elif len(mine) == 1:
            told.append(f"{fund} {years[0]}")
        else:
            told.append(f"{fund} {_short(sum(p['amount'] for p in mine))} ({', '.join(years)}{more})")
    return "; ".join(told)


def _short(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def diagnose_goals(scenario: Scenario, answer: Answer, options: SolveOptions | None = None,
                   goals: list[str] | None = None, thorough: bool = False,
                   budget: float | None = None, workers: int | None = None) -> list[GoalDiagnosis]:
    """Diagnoses of ``goals`` (default: every missed soft goal, by priority), within ``budget`` seconds.

    Only under the goals objective with a plan; [] otherwise (every goal is then hard: met, or the
    scenario is infeasible and :func:`planner.advice.diagnose.diagnose` explains why).
    """
    if scenario.settings.get("objective", "goals") != "goals" or answer.goals.empty or answer.projects is None \
            or str(answer.status) not in ("optimal", "feasible", "interrupted"):
        return []
    table = answer.goals
    if goals is None:
        missed = table[~table["met"].astype(bool) & ~table["hard"].astype(bool)]
        goals = list(missed.sort_values(["priority", "progress"])["goal"])
    else:
        unknown = [g for g in goals if g not in set(table["goal"])]
        if unknown:
            raise ValueError(f"unknown goal {unknown[0]} (goals: {', '.join(map(str, table['goal']))})")
    if not goals:
        return []
    workers = min(len(goals), os.cpu_count() or 1) if workers is None else workers
    if workers > 1 and len(goals) > 1:
        # One process per goal (each builds its own elastic model): the goals are independent.
        one_thread = replace(options or SolveOptions(), threads=1, verbose=False)
        tasks = [(scenario, answer, one_thread, goal, thorough) for goal in goals]
        done = run_tasks(_diagnose_one, tasks, workers=workers)
        return [d.value if d.ok and d.value is not None else _undiagnosed(table, goal, d.error)
                for d, goal in zip(done, goals)]
    started = time.perf_counter()
    advisor = GoalAdvisor(scenario, answer, options)
    found = []
    for goal in goals:
        if budget is not None and time.perf_counter() - started > budget:
            found.append(_undiagnosed(table, goal, "not diagnosed in the time given"))
            continue
        found.append(advisor.diagnose(goal, thorough))
    return found


def _diagnose_one(task: tuple[Scenario, Answer, SolveOptions, str, bool]) -> GoalDiagnosis:
    """In a worker process: one goal's diagnosis."""
    scenario, answer, options, goal, thorough = task
    return GoalAdvisor(scenario, answer, options).diagnose(goal, thorough)


def _undiagnosed(table: pd.DataFrame, goal: str, why: str) -> GoalDiagnosis:
    row = table[table["goal"] == goal].iloc[0]
    return GoalDiagnosis(goal, "not_diagnosed", int(row["priority"]), shortfall=float(row["shortfall"]),
                         progress=float(row["progress"]),
                         message=f"{why}; run planner diagnose FILE --goal {goal}")


__all__ = ["GOAL_LIMIT", "GoalAdvisor", "GoalDiagnosis", "SOLVE_BUDGET", "diagnose_goals"]
