"""The cheapest ways out of a conflict, each a change to one rule a planner wrote.

For each rule in the conflict on its own, the least slack of that rule alone that
makes the scenario feasible (one MIP each, everything else as written): the money a
budget needs, how far a goal's target must move, a mandatory flag or a
requires/excludes pair dropped. Each is a standalone alternative; they are listed
smallest first (relative to the rule's size).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.advice.elastic import REPAIR_LIMIT, ElasticModel, round_up
from planner.advice.rulebook import Rule, RuleBook, number
from planner.model import AllocationModel
from planner.scenario.data import POOLED
from planner.scenario.goals import written_target

#: A fund and scope with more conflicting years than this is repaired as a whole (least total
#: money over those years), not year by year.
YEARS_ONE_BY_ONE = 3


def repairs_of(elastic: ElasticModel, members: list[int], others: list[int]) -> tuple[list[dict[str, Any]], str]:
    """One repair per rule in ``members`` that alone ends this conflict (rules ``others`` relaxed).

    When none does, the cheapest combined repair of all of them (slack priced relative to
    each rule's size), or a note that relaxing them all is not enough.
    """
    repairs = []
    single: dict[int, float] = {}
    years: dict[tuple, int] = {}
    for k in members:
        if elastic.rules[k].kind == "budget":
            years[elastic.rules[k].key[1:3]] = years.get(elastic.rules[k].key[1:3], 0) + 1
    for k in members:
        rule = elastic.rules[k]
        if rule.kind == "budget" and years[rule.key[1:3]] > YEARS_ONE_BY_ONE:
            continue
        run = elastic.solve(set(others) | {k}, {k: 1.0}, time_limit=elastic.limit(REPAIR_LIMIT))
        if run.status not in ("optimal", "feasible"):
            continue
        amount = 1.0 if rule.binary else round_up(float(run.slacks[k]))
        single[k] = amount
        repairs.append(_proven(repair_record(rule, amount), run.status))
    repairs += _fund_repairs(elastic, members, others, single)
    note = ""
    if members and not repairs:
        costs = {k: 1.0 / max(elastic.rules[k].reference, 1e-9) for k in members}
        run = elastic.solve(set(others) | set(members), costs, time_limit=elastic.limit(REPAIR_LIMIT))
        if run.status not in ("optimal", "feasible"):
            note = "relaxing every rule of this conflict is not enough"
        else:
            parts = [repair_record(elastic.rules[k], 1.0 if elastic.rules[k].binary else round_up(run.slacks[k]))
                     for k in members if run.slacks[k] > 1e-7]
            if parts:
                repairs.append({"rule": " + ".join(p["rule"] for p in parts), "kind": "combined",
                                "sheet": "", "row": None, "amount": None, "unit": "", "new_value": None,
                                "relative": float(sum(p["relative"] for p in parts)), "combined": True,
                                "parts": parts, "text": " and ".join(p["text"] for p in parts),
                                "phrase": " and ".join(p["phrase"] for p in parts)})
    return repairs, note


def _fund_repairs(elastic: ElasticModel, members: list[int], others: list[int],
                  single: dict[int, float]) -> list[dict[str, Any]]:
    """More money in one fund and scope spread over the conflict's years, when that is cheaper
    than any one year alone (or when no year alone suffices)."""
    groups: dict[tuple, list[int]] = {}
    for k in members:
        rule = elastic.rules[k]
        if rule.kind == "budget":
            groups.setdefault((rule.key[1], rule.key[2]), []).append(k)
    repairs = []
    for (fund, scope), group in groups.items():
        if len(group) < 2:
            continue
        run = elastic.solve(set(others) | set(group), {k: 1.0 for k in group},
                            time_limit=elastic.limit(REPAIR_LIMIT))
        if run.status not in ("optimal", "feasible"):
            continue
        total = round_up(float(sum(run.slacks[k] for k in group)))
        best_single = min((single[k] for k in group if k in single), default=None)
        if best_single is not None and total >= best_single - 1e-9:
            continue
        parts = {int(elastic.rules[k].key[3]): round_up(run.slacks[k]) for k in group if run.slacks[k] > 1e-7}
        if not parts:
            continue
        years = sorted(int(elastic.rules[k].key[3]) for k in group)
        where = "" if scope == POOLED else f" for region {scope}"
        split = ", ".join(f"{y}: {number(a)}" for y, a in sorted(parts.items()))
        text = f"{number(total)} more in fund {fund}{where} over {years[0]}–{years[-1]} ({split})"
        reference = sum(elastic.rules[k].reference for k in group) / len(group)
        repairs.append({"rule": f"budget {fund} {scope or 'pooled'} {years[0]}-{years[-1]}", "kind": "budget",
                        "sheet": "Budgets", "row": None, "amount": total, "unit": "money", "new_value": None,
                        "relative": total / max(reference, 1e-9), "split": parts,
                        "text": text, "phrase": f"with {text}"})
    return repairs


def _proven(repair: dict[str, Any], status: str) -> dict[str, Any]:
    """Mark a repair whose solve stopped at the time limit: the amount is enough, maybe not least."""
    if status == "optimal" or repair["kind"] in ("mandatory", "requires", "excludes"):
        return repair
    return repair | {"proven": False, "text": repair["text"] + " (enough; the time limit stopped the "
                     "search for a smaller amount)"}


def repair_record(rule: Rule, amount: float) -> dict[str, Any]:
    """A repair record: the rule, the amount of slack, the new value and a sentence."""
    base = {"rule": rule.id, "kind": rule.kind, "sheet": rule.sheet, "row": rule.row, "amount": amount,
            "unit": rule.unit, "new_value": None,
            "relative": 1.0 if rule.binary else amount / max(rule.reference, 1e-9)}
    if rule.kind == "goal":
        return base | _goal_repair(rule, amount)
    if rule.kind == "budget":
        _, fund, scope, year = rule.key
        old = rule.details["amount"]
        where = "" if scope == POOLED else f" for region {scope}"
        text = f"{number(amount)} more in fund {fund}{where} in {year} (budget {number(old)} -> {number(old + amount)})"
        return base | {"new_value": old + amount, "text": text,
                       "phrase": f"with {number(amount)} more in fund {fund}{where} in {year}"}
    if rule.kind == "mandatory":
        return base | {"amount": 1.0, "text": f"make project {rule.key[1]} optional (drop its mandatory flag)",
                       "phrase": f"by making project {rule.key[1]} optional"}
    if rule.kind == "partner_cap":
        cap = rule.details.get("cap", 0.0)
        text = (f"{number(amount)} more from partner {rule.key[1]} in {rule.key[2]} "
                f"(cap {number(cap)} -> {number(cap + amount)})")
        return base | {"new_value": cap + amount, "text": text,
                       "phrase": f"with {number(amount)} more from partner {rule.key[1]} in {rule.key[2]}"}
    if rule.kind == "requires":
        return base | {"amount": 1.0, "text": f"drop the requirement that {rule.key[1]} needs {rule.key[2]}",
                       "phrase": f"by letting {rule.key[1]} start without {rule.key[2]}"}
    if rule.kind == "excludes":
        return base | {"amount": 1.0, "text": f"allow {rule.key[1]} and {rule.key[2]} together",
                       "phrase": f"by allowing {rule.key[1]} and {rule.key[2]} together"}
    if rule.kind == "portfolio":
        low, high = rule.details.get("at_least", np.nan), rule.details.get("at_most", np.nan)
        bounds = ([f"at least {number(low)} -> {number(max(low - amount, 0.0))}"] if pd.notna(low) else []) \
            + ([f"at most {number(high)} -> {number(high + amount)}"] if pd.notna(high) else [])
        text = f"loosen Portfolio rule {rule.key[1]} by {number(amount)} project(s) ({', '.join(bounds)})"
        return base | {"text": text, "phrase": f"by loosening Portfolio rule {rule.key[1]} by {number(amount)}"}
    if rule.kind == "min_tranche":
        value = rule.details.get("value", 0.0)
        text = (f"lower min_tranche of project {rule.key[1]} by {number(amount)} "
                f"({number(value)} -> {number(max(value - amount, 0.0))})")
        return base | {"new_value": max(value - amount, 0.0), "text": text,
                       "phrase": f"by lowering min_tranche of {rule.key[1]} to {number(max(value - amount, 0.0))}"}
    if rule.kind == "max_tranches":
        value = rule.details.get("value", 0.0)
        text = (f"allow project {rule.key[1]} {number(amount)} more tranche(s) "
                f"({number(value)} -> {number(value + amount)})")
        return base | {"new_value": value + amount, "text": text,
                       "phrase": f"by allowing {rule.key[1]} {number(value + amount)} tranches"}
    text = f"relax {rule.text} by {number(amount)} ({rule.unit})"
    return base | {"text": text, "phrase": f"by relaxing equity rule {rule.key[-1]} by {number(amount)}"}


def _goal_repair(rule: Rule, amount: float) -> dict[str, Any]:
    """Move a goal's level target by ``amount``; say it in the units the workbook uses (its basis)."""
    d = rule.details
    lower = d["sense"] == ">="
    level = d["target"] - amount if lower else d["target"] + amount
    written, basis, baseline = d.get("written", d["target"]), d.get("basis", "level"), d.get("baseline", 0.0)
    verb = "lowering" if lower else "raising"
    new = float(written_target(level, baseline, basis)) if baseline or basis != "percent" else written
    if basis == "percent":
        shown, was = f"{number(new)}%", f"{number(written)}%"
    elif basis == "change":
        shown, was = f"a change of {number(new)}", f"{number(written)}"
    else:
        shown, was = number(new), number(written)
    text = f"{verb} the target of goal {rule.key[1]} to {shown} (from {was})"
    return {"new_value": new, "new_level": level, "text": text, "phrase": f"by {verb} {rule.key[1]} to {shown}"}


# --- rules that can never hold ----------------------------------------------------------------

def baseline_conflicts(model: AllocationModel, book: RuleBook) -> list[tuple[Rule, dict[str, Any]]]:
    """Hard rules whose row no decision moves and that miss their bound from the start.

    A hard goal that no project moves while its baseline misses the target; a hard equity
    rule on a region that no project touches, below its floor; ... (``never_true`` rows of
    the model). Each is a conflict on its own, repaired by moving it by its miss.
    """
    goals = model.index.goals
    base = model.rows["goal"]["base"].to_numpy(dtype=float)
    found: dict[tuple, tuple[Rule, dict[str, Any]]] = {}
    for family, i, miss in model.never_true:
        rule = book.for_row(family, i)
        if rule.key in found:
            continue
        if family == "goal":
            g = goals.iloc[i]
            text = f"{rule.text}: no project moves {g['indicator']} there and the baseline is {number(base[i])}"
        else:
            text = f"{rule.text}: no project moves it (misses by {number(miss)})"
        told = Rule(rule.key, rule.kind, rule.sheet, rule.row, text, rule.unit, rule.reference, rule.binary,
                    rule.details)
        found[rule.key] = (told, repair_record(rule, round_up(miss)))
    return list(found.values())
