"""The diagnosis of a scenario as people read it: verdict, conflicting rules, repairs.

:class:`Diagnosis` holds the records found by :mod:`~planner.advice.diagnose.conflicts`
and :mod:`~planner.advice.diagnose.repairs` and tells them in sentences: "Goal G1 ...
cannot be met together with Budgets national 2026-2028 (pooled)", "With 41.2 more in
fund national in 2027, or by lowering G3 to 104,300, the scenario becomes feasible."
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planner.advice.diagnose.goals import GoalDiagnosis
from planner.status import Status

SOURCES = {
    "rules": "The rules conflict even if every project could be funded in part (the LP relaxation "
             "is infeasible); HiGHS found this irreducible set.",
    "integrality": "Every rule could be met if projects could be funded in part: the conflict comes "
                   "from integrality (all-or-nothing projects cannot be split to fit). The rules "
                   "below form an irreducible conflict for whole projects.",
    "baseline": "A hard rule can never hold: no project moves it (a goal's indicator in its scope, an "
                "equity rule's regions) and its baseline misses the bound.",
}



@dataclass
class Diagnosis:
    """Whether a scenario is feasible and, when not, why and what would repair it.

    conflict: one record per rule or definition of an irreducible conflicting set:
        {rule, kind, sheet, row, text}; ``kind`` "definition" marks rows that only tie
        variables together (a project is paid in full, ...), which no planner changes.
    repairs: standalone ways out, smallest first: {rule, kind, sheet, row, amount, unit,
        new_value, relative, text}. ``amount`` is the slack of that rule alone (rounded up to
        6 significant digits), ``relative`` the amount over the rule's size (1 for a dropped flag).
    """

    scenario: str
    status: str  # feasible | infeasible | unknown
    source: str = ""  # rules | integrality | baseline
    conflict: list[dict[str, Any]] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    goals: list[GoalDiagnosis] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return self.status == "feasible"

    @property
    def exit_code(self) -> int:
        """0 feasible, 3 infeasible, 4 undecided (the solver stopped first)."""
        verdict = {"feasible": Status.optimal, "infeasible": Status.infeasible}
        return verdict.get(self.status, Status.no_solution).exit_code

    def to_json(self) -> dict[str, Any]:
        data = {"scenario": self.scenario, "status": self.status, "source": self.source,
                "explanation": self.explanation(), "repair": self.repair_sentence(),
                "message": self.message, "conflict": self.conflict, "repairs": self.repairs}
        if self.goals:
            data["missed_goals"] = [g.record() for g in self.goals]
        return data

    def conflict_numbers(self) -> list[int]:
        return sorted({c.get("conflict", 1) for c in self.conflict})

    def explanation(self) -> str:
        """What cannot hold together: one sentence per conflict."""
        if self.feasible:
            missed = [g.goal for g in self.goals if g.status not in ("met", "hard")]
            more = (f" {len(missed)} soft goal(s) are missed: {', '.join(missed)}; why, and what it would take, "
                    "is told goal by goal." if missed else "")
            return "The scenario is feasible: every hard rule can be met." + more
        numbers = self.conflict_numbers()
        if not numbers:
            return "No rule of the workbook explains the conflict." if self.status == "infeasible" else ""
        sentences = []
        for n in numbers:
            sentence = _conflict_sentence([c for c in self.conflict if c.get("conflict", 1) == n])
            sentences.append(f"Conflict {n}: {sentence}" if len(numbers) > 1 else sentence[0].upper() + sentence[1:])
        return " ".join(sentences)

    def repair_sentence(self, top: int = 3) -> str:
        """"With 41.2 more in fund national in 2027, or by lowering G3 to 104,300, ..." per conflict."""
        numbers = sorted({r.get("conflict", 1) for r in self.repairs})
        sentences = []
        for n in numbers:
            mine = [r for r in self.repairs if r.get("conflict", 1) == n]
            single = [r for r in mine if not r.get("combined")][:top]
            if single:
                text = ", or ".join(r["phrase"] for r in single)
                ending = "this conflict ends" if len(numbers) > 1 else "the scenario becomes feasible"
                text = f"{text[0].upper() if len(numbers) == 1 else text[0]}{text[1:]}, {ending}."
            else:
                text = f"No single rule repairs it; together: {mine[0]['text']}."
            sentences.append(f"Conflict {n}: {text}" if len(numbers) > 1 else text)
        return " ".join(sentences)

    def frame(self) -> pd.DataFrame:
        """The Diagnosis sheet: status, explanation, conflict rows, then repairs."""
        rows: list[dict[str, Any]] = [
                {"part": "status", "rule": "", "where": "", "amount": None, "text": self.status},
                {"part": "explanation", "rule": "", "where": "", "amount": None, "text": self.explanation()}]
        if self.source:
            rows.append({"part": "source", "rule": self.source, "where": "", "amount": None,
                         "text": SOURCES.get(self.source, "")})
        for c in self.conflict:
            part = f"conflict {c.get('conflict', 1)}" + (" (definition)" if c["kind"] == "definition" else "")
            rows.append({"part": part, "rule": c["rule"], "where": _where(c), "amount": None, "text": c["text"]})
        for r in self.repairs:
            rows.append({"part": f"repair of conflict {r.get('conflict', 1)}", "rule": r["rule"],
                         "where": _where(r), "amount": r["amount"], "text": r["text"]})
        for g in self.goals:
            rows.append({"part": f"goal {g.goal}", "rule": f"goal {g.goal}", "where": "", "amount": g.shortfall,
                         "text": g.explanation()})
            if g.remedy():
                rows.append({"part": f"goal {g.goal}: what it would take", "rule": f"goal {g.goal}", "where": "",
                             "amount": None, "text": g.remedy()})
        if self.message:
            rows.append({"part": "note", "rule": "", "where": "", "amount": None, "text": self.message})
        return pd.DataFrame(rows)


def _where(record: dict[str, Any]) -> str:
    if not record.get("sheet"):
        return ""
    return f"{record['sheet']}!{record['row']}" if record.get("row") is not None else record["sheet"]


def _conflict_sentence(records: list[dict[str, Any]]) -> str:
    rules = _merge_budget_years([c for c in records if c["kind"] != "definition"])
    if not rules:
        return "the model's definitions alone conflict (" + _join([c["text"] for c in records]) + ")."
    goals = [c["text"] for c in rules if c["kind"] == "goal"]
    others = [c["text"] for c in rules if c["kind"] != "goal"]
    if goals and others:
        return f"{_join(goals)} cannot be met together with {_join(others)}."
    if len(rules) == 1:
        return f"{rules[0]['text']} cannot hold."
    return f"these rules cannot all hold: {_join([c['text'] for c in rules])}."


def _merge_budget_years(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Several years of one fund and scope told once: "Budgets national 2026–2028 (pooled) [Budgets!2-4]"."""
    merged: list[dict[str, Any]] = []
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for record in records:
        if record["kind"] == "budget" and "fund" in record:
            key = (record["fund"], record.get("region"))
            if key not in groups:
                groups[key] = []
                merged.append({"kind": "budget", "group": key})
            groups[key].append(record)
        else:
            merged.append(record)
    result = []
    for record in merged:
        if "group" not in record:
            result.append(record)
            continue
        members = groups[record["group"]]
        if len(members) == 1:
            result.append(members[0])
            continue
        fund, region = record["group"]
        years = sorted(int(m["year"]) for m in members)
        span = (f"{years[0]}–{years[-1]}" if years == list(range(years[0], years[-1] + 1))
                else ", ".join(map(str, years)))
        rows = sorted(m["row"] for m in members if m.get("row") is not None)
        where = f" [Budgets!{rows[0]}–{rows[-1]}]" if rows else ""
        scope = "(pooled)" if region is None else f"for region {region}"
        result.append({"kind": "budget", "text": f"Budgets {fund} {span} {scope}{where}"})
    return result


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


__all__ = ["Diagnosis", "SOURCES"]
