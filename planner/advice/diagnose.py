"""Why a scenario is infeasible, and the cheapest ways out, in workbook terms.

Two questions, answered in order (models/advice.md, section 1):

1. **Conflict.** Which rules cannot hold together? First the LP relaxation is
   solved (fast). When it is infeasible, the compiled model goes to HiGHS's
   ``getIis`` with ``iis_strategy`` = 4 (``kIisStrategyIrreducible``: a true
   irreducible infeasible subset; the default 0 only runs a light bound test and
   returns an empty set even for a two-row conflict), plus 16
   (``kIisStrategyRelaxation``, the IIS of a MIP's relaxation) when the model has
   integer columns. When the relaxation is feasible, only integrality makes the
   MIP infeasible (all-or-nothing projects cannot be split to fit): HiGHS has no
   IIS then (``getIis`` spends minutes and returns an invalid set), so a deletion
   filter over the rules on the elastic MIP finds an irreducible set of rules for
   whole projects. Up to five disjoint conflicts are found (each one's rules
   relaxed before looking again). Each row and bound is told as a sentence with
   its ``Sheet!row``.
2. **Repairs.** For each rule in the conflict on its own, the least slack of that
   rule alone that makes the scenario feasible (one MIP each, everything else
   as written): the money a budget needs, how far a goal's target must move, a
   mandatory flag or a requires/excludes pair dropped. Each is a standalone
   alternative; they are listed smallest first (relative to the rule's size).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd

from planner.advice.elastic import ElasticModel, round_up
from planner.advice.rulebook import Rule, RuleBook, number
from planner.model import AllocationModel, build_model
from planner.scenario import Scenario
from planner.scenario.data import POOLED
from planner.solver import SolveOptions, hand_off, solver_output_to_stderr
from planner.status import Status, read_highs

#: IIS strategy bits (highspy.IisStrategy): true irreducible subset; relaxation IIS for a MIP.
IIS_IRREDUCIBLE = 4
IIS_RELAXATION = 16
_SIDES = {2: "lower", 3: "upper", 4: "both"}
#: Seconds HiGHS may spend on one IIS when no --time-limit is given.
IIS_TIME_LIMIT = 10.0
#: Seconds per solve of the elastic filter (any plan will do), of a feasibility check in the
#: deletion filter, and of a repair, when no --time-limit is given.
FILTER_LIMIT = 10.0
CHECK_LIMIT = 30.0
REPAIR_LIMIT = 20.0
#: A fund and scope with more conflicting years than this is repaired as a whole (least total
#: money over those years), not year by year.
YEARS_ONE_BY_ONE = 3


def _limit(elastic: "ElasticModel", default: float) -> float:
    """The per-solve time limit: the user's --time-limit, else ``default``."""
    return float(elastic.options.time_limit) if elastic.options.time_limit else default

SOURCES = {
    "rules": "The rules conflict even if every project could be funded in part (the LP relaxation "
             "is infeasible); HiGHS found this irreducible set.",
    "integrality": "Every rule could be met if projects could be funded in part: the conflict comes "
                   "from integrality (all-or-nothing projects cannot be split to fit). The rules "
                   "below form an irreducible conflict for whole projects.",
    "baseline": "A hard goal can never be met: no project moves its indicator in its scope and the "
                "baseline misses the target.",
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

    @property
    def feasible(self) -> bool:
        return self.status == "feasible"

    @property
    def exit_code(self) -> int:
        """0 feasible, 3 infeasible, 4 undecided (the solver stopped first)."""
        verdict = {"feasible": Status.optimal, "infeasible": Status.infeasible}
        return verdict.get(self.status, Status.no_solution).exit_code

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "status": self.status, "source": self.source,
                "explanation": self.explanation(), "repair": self.repair_sentence(),
                "message": self.message, "conflict": self.conflict, "repairs": self.repairs}

    def conflict_numbers(self) -> list[int]:
        return sorted({c.get("conflict", 1) for c in self.conflict})

    def explanation(self) -> str:
        """What cannot hold together: one sentence per conflict."""
        if self.feasible:
            return "The scenario is feasible: every hard rule can be met."
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
        rows = [{"part": "status", "rule": "", "where": "", "amount": None, "text": self.status},
                {"part": "explanation", "rule": "", "where": "", "amount": None, "text": self.explanation()}]
        if self.source:
            rows.append({"part": "source", "rule": self.source, "where": "", "amount": None,
                         "text": SOURCES.get(self.source, "")})
        for c in self.conflict:
            rows.append({"part": f"conflict {c.get('conflict', 1)}" + (" (definition)" if c["kind"] == "definition" else ""),
                         "rule": c["rule"], "where": _where(c), "amount": None, "text": c["text"]})
        for r in self.repairs:
            rows.append({"part": f"repair of conflict {r.get('conflict', 1)}", "rule": r["rule"], "where": _where(r), "amount": r["amount"],
                         "text": r["text"]})
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


def diagnose(scenario: Scenario, options: SolveOptions | None = None,
             model: AllocationModel | None = None, max_conflicts: int = 5) -> Diagnosis:
    """Diagnose ``scenario``: feasible, or its conflicts and the cheapest repairs of each.

    Up to ``max_conflicts`` disjoint conflicts are reported: after one is found its rules are
    relaxed and the search goes on. The repairs of one conflict assume the others repaired
    (their rules relaxed), so each is a standalone way out of that conflict.
    """
    options = options or SolveOptions()
    model = model or build_model(scenario)
    book = RuleBook(model)
    trivial = _baseline_conflicts(model, book)
    with solver_output_to_stderr():
        matrix = hand_off(model, options)
    status = _feasibility(matrix.highs, options)
    if status == "unknown":
        return Diagnosis(scenario.name, "unknown", message="the solver stopped before deciding feasibility "
                         "(time limit); try again with a longer --time-limit")
    if status == "feasible" and not trivial:
        return Diagnosis(scenario.name, "feasible")
    conflicts: list[list[Rule]] = [[rule] for rule, _ in trivial]
    repairs: list[dict[str, Any]] = [repair | {"conflict": n} for n, (_, repair) in enumerate(trivial, 1)]
    source, notes = ("baseline" if trivial else ""), []
    if status == "infeasible":
        found, groups, source, more_notes = _find_conflicts(scenario, model, matrix, book, options,
                                                           max_conflicts)
        notes += more_notes
        elastic, cores = groups.elastic, groups.cores
        for index, members in enumerate(groups.members):
            number = len(conflicts) + index + 1
            others = sorted({k for j, core in enumerate(cores) if j != index for k in core} - set(members))
            new_repairs, note = _repairs(elastic, members, others)
            repairs += [r | {"conflict": number} for r in new_repairs]
            if note:
                notes.append(f"conflict {number}: {note}")
        conflicts += [_dedupe(rules) for rules in found]
        everything = sorted({k for core in cores for k in core})
        if cores and elastic.feasible(everything, _limit(elastic, CHECK_LIMIT)) is not True:
            notes.append(f"relaxing every rule of the {len(cores)} conflicts found is not enough: another "
                         "conflict remains; repair these and run diagnose again")
        source = source or ("baseline" if trivial else "")
    records = [rule.record() | {"conflict": n} for n, rules in enumerate(conflicts, 1) for rule in rules]
    repairs.sort(key=lambda r: (r["conflict"], r.get("combined", False), r["relative"], r["rule"]))
    return Diagnosis(scenario.name, "infeasible", source, records, repairs, "; ".join(notes))


@dataclass
class _Groups:
    """Conflicts as rule numbers of the elastic model.

    members: per conflict, the rules whose repair is tried (its rules, plus the budgets that
        could pay its payment rows); cores: per conflict, the rules that end it when relaxed.
    """

    elastic: ElasticModel
    members: list[list[int]]
    cores: list[list[int]]


def _find_conflicts(scenario: Scenario, model: AllocationModel, matrix, book: RuleBook,
                    options: SolveOptions, max_conflicts: int):
    """Up to ``max_conflicts`` disjoint conflicts: HiGHS's IIS of the LP relaxation first, then
    (when whole projects are still infeasible) the deletion filter on the elastic MIP.

    Returns (conflicts as rule lists, _Groups, source, notes).
    """
    notes: list[str] = []
    highs = matrix.highs
    integer = _integer_columns(highs)
    lp_infeasible = not integer or not _relaxation_feasible(highs)
    found: list[list[Rule]] = []
    if lp_infeasible:
        found = _conflicts_from_iis(matrix, book, options, max_conflicts, bool(integer)) or []
        if not found and integer:
            with relaxed_integrality(highs, integer):
                found = _conflicts_from_iis(matrix, book, options, max_conflicts, False) or []
        if not found:
            notes.append("HiGHS found no irreducible subset in time; the conflict was found by relaxing "
                         "rules one at a time")
    widen = _budget_keys([r for rules in found for r in rules], book)
    elastic = ElasticModel(scenario, model, all_rules=True, widen=widen, options=options)
    position = {r.key: k for k, r in enumerate(elastic.rules)}
    members, cores = [], []
    for rules in found:
        core = [position[r.key] for r in rules if r.relaxable and r.key in position]
        extra = [position[("budget",) + tuple(key)] for key in _budget_keys(rules, book)
                 if ("budget",) + tuple(key) in position]
        cores.append(core)
        members.append(list(dict.fromkeys(core + extra)))
    source = "rules" if found else ""
    base = {k for core in cores for k in core}
    if len(found) < max_conflicts and elastic.feasible(base, _limit(elastic, CHECK_LIMIT)) is False:
        more = _deletion_filters(elastic, max_conflicts - len(found), base)
        if more is None:
            notes.append("no change to the rules of the workbook makes the scenario feasible")
        else:
            found += [[elastic.rules[k] for k in group] for group in more]
            cores += more
            members += more
            source = source or ("integrality" if not lp_infeasible else "rules")
    return found, _Groups(elastic, members, cores), source, notes


def _integer_columns(highs: highspy.Highs) -> list[int]:
    return [i for i, t in enumerate(highs.getLp().integrality_) if t != highspy.HighsVarType.kContinuous]


@contextlib.contextmanager
def relaxed_integrality(highs: highspy.Highs, columns: list[int]) -> Iterator[None]:
    """Drop the integrality of ``columns`` for the duration (the LP relaxation), then restore it."""
    cols = np.array(columns, dtype=np.int32)
    if len(cols):
        highs.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kContinuous] * len(cols)))
    try:
        yield
    finally:
        if len(cols):
            highs.changeColsIntegrality(len(cols), cols, np.array([highspy.HighsVarType.kInteger] * len(cols)))


def _dedupe(rules: list[Rule]) -> list[Rule]:
    """One entry per rule, planner rules first (goals, then the rest), definitions last."""
    unique: dict[tuple, Rule] = {}
    for rule in rules:
        unique.setdefault(rule.key, rule)
    order = {"goal": 0, "mandatory": 1, "budget": 2, "partner_cap": 3, "requires": 4, "excludes": 5,
             "equity": 6, "definition": 9}
    return sorted(unique.values(), key=lambda r: order.get(r.kind, 8))


# --- feasibility ------------------------------------------------------------------------------

def _feasibility(highs: highspy.Highs, options: SolveOptions) -> str:
    """feasible | infeasible | unknown for the constraint system alone (zero objective)."""
    n = highs.getNumCol()
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    if options.time_limit:
        highs.setOptionValue("time_limit", float(options.time_limit))
    with solver_output_to_stderr():
        highs.run()
    status, _ = read_highs(highs)
    if status == Status.infeasible:
        return "infeasible"
    if status == Status.optimal:
        return "feasible"
    return "unknown"


def _relaxation_feasible(highs: highspy.Highs) -> bool:
    """Whether the LP relaxation (integrality dropped) has a solution; integrality is restored."""
    with relaxed_integrality(highs, _integer_columns(highs)):
        with solver_output_to_stderr():
            highs.run()
        return read_highs(highs)[0] == Status.optimal


def _conflicts_from_iis(matrix, book: RuleBook, options: SolveOptions, max_conflicts: int,
                        mip: bool) -> list[list[Rule]] | None:
    """Disjoint conflicts from HiGHS's IIS: find one, relax its rules' rows, look again."""
    highs = matrix.highs
    highs.setOptionValue("iis_time_limit", float(options.time_limit or IIS_TIME_LIMIT))
    conflicts: list[list[Rule]] = []
    while len(conflicts) < max_conflicts:
        found = _conflict_from_iis(matrix, book, mip)
        if found is None:
            break
        rules, relax = found
        conflicts.append(rules)
        if not relax:
            break
        lp = highs.getLp()
        for row, side in relax:
            lower, upper = lp.row_lower_[row], lp.row_upper_[row]
            if side in ("lower", "both"):
                lower = -highspy.kHighsInf
            if side in ("upper", "both"):
                upper = highspy.kHighsInf
            highs.changeRowBounds(int(row), lower, upper)
        if _feasibility(highs, options) != "infeasible":
            break
    return conflicts or None


def _conflict_from_iis(matrix, book: RuleBook, mip: bool) -> tuple[list[Rule], list[tuple[int, str]]] | None:
    """The rules and definitions of HiGHS's irreducible infeasible subset (None when it has none),
    and the (HiGHS row, side) of its rows that belong to rules a planner could change."""
    highs = matrix.highs
    highs.setOptionValue("iis_strategy", IIS_IRREDUCIBLE | (IIS_RELAXATION if mip else 0))
    with solver_output_to_stderr():
        status, iis = highs.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_ or (not len(iis.row_index_) and not len(iis.col_index_)):
        return None
    rules: list[Rule] = []
    relax: list[tuple[int, str]] = []
    for row, bound in zip(iis.row_index_, iis.row_bound_):
        family = matrix.row_family[row]
        side = _SIDES.get(int(bound), "both")
        rule = book.for_row(family, int(matrix.row_index[row]), side)
        rules.append(rule)
        if rule.relaxable:
            relax.append((int(row), side))
    inverse = {int(p): g for g, p in enumerate(matrix.positions) if p >= 0}
    for col, bound in zip(iis.col_index_, iis.col_bound_):
        if int(bound) in (3, 4):  # an upper bound: a start share is at most 1
            rule = book.for_column(inverse.get(int(col), -1))
            if rule is not None:
                rules.append(rule)
    return _dedupe(rules), relax


def _budget_keys(rules: list[Rule], book: RuleBook) -> list[tuple]:
    """Budgets that could pay the conflicting payment rows (with or without money today)."""
    keys = []
    for rule in rules:
        if rule.key[0] == "payment":
            _, project, payer, year = rule.key
            keys += book.payment_budgets(project, payer, year)
        elif rule.kind == "budget":
            keys.append(tuple(rule.key[1:]))
    return list(dict.fromkeys(keys))


Unit = tuple[int, ...]  # rules relaxed and enforced together while filtering


def _deletion_filters(elastic: ElasticModel, max_conflicts: int,
                      base: set[int] | None = None) -> list[list[int]] | None:
    """Disjoint irreducible conflicts among the rules, rules ``base`` relaxed throughout
    (None when relaxing every rule is not enough).

    The filters first work on *units*: all years of one fund and scope together, every other
    rule alone (a goal that needs money usually conflicts with a fund's budgets over many
    years, and 10 years x 100 regions of budget rows would take too many solves one by one).
    The years of each budget unit kept are then filtered one by one.
    """
    everything = list(range(len(elastic.rules)))
    if elastic.feasible(everything, _limit(elastic, CHECK_LIMIT)) is not True:
        return None
    groups: list[list[int]] = []
    relaxed: set[int] = set(base or ())
    while len(groups) < max_conflicts and elastic.feasible(relaxed, _limit(elastic, CHECK_LIMIT)) is False:
        units = _units(elastic, [k for k in everything if k not in relaxed])
        suspects = _elastic_filter(elastic, units, relaxed)
        pool = suspects if suspects is not None else units
        outside = relaxed | {k for unit in units if unit not in pool for k in unit}
        kept = _deletion_filter(elastic, pool, outside)
        group = _refine(elastic, kept, outside)
        if not group:
            break
        groups.append(group)
        relaxed |= set(group)
    return groups


def _units(elastic: ElasticModel, candidates: list[int]) -> list[Unit]:
    """Budget rules grouped by fund and scope; every other rule a unit of its own."""
    budgets: dict[tuple, list[int]] = {}
    units: list[Unit] = []
    for k in candidates:
        rule = elastic.rules[k]
        if rule.kind == "budget":
            budgets.setdefault(rule.key[1:3], []).append(k)
        else:
            units.append((k,))
    return units + [tuple(ks) for ks in budgets.values()]


def _elastic_filter(elastic: ElasticModel, units: list[Unit], base: set[int]) -> list[Unit] | None:
    """A small set of ``units`` that is infeasible on its own (rules ``base`` relaxed).

    Chinneck's elastic filter: relax every unit, minimise the total relative slack, make the
    units that needed slack hard, and repeat until the hard ones alone are infeasible. Each
    round adds at least one unit, so few rounds are needed when conflicts are small; the
    deletion filter then only has to look at these. Any plan of a round will do, so a round
    stopped by its time limit with a plan counts. None when a solve is inconclusive.
    """
    enforced: list[Unit] = []
    while True:
        free = [u for u in units if u not in enforced]
        rules = {k for u in free for k in u}
        costs = {k: 1.0 / max(elastic.rules[k].reference, 1e-9) for k in rules}
        run = elastic.solve(base | rules, costs, gap=1e-3, time_limit=_limit(elastic, FILTER_LIMIT))
        if run.status == "infeasible":
            return enforced
        if run.status not in ("optimal", "feasible"):
            return None
        needed = [u for u in free if any(run.slacks[k] > 1e-7 for k in u)]
        if not needed:
            return None
        enforced += needed


def _deletion_filter(elastic: ElasticModel, units: list[Unit], base: set[int]) -> list[Unit]:
    """An irreducible set of ``units`` that keeps the model infeasible (rules ``base`` relaxed).

    Units are dropped in chunks (halving the chunk size) while the rest stays infeasible; the
    last pass with chunks of one makes the set irreducible: relaxing any remaining unit alone
    makes the scenario feasible. A check stopped by its time limit keeps the chunk.
    """
    keep = list(units)
    chunk = max(1, len(keep) // 2)
    while True:
        i = 0
        while i < len(keep):
            trial = keep[:i] + keep[i + chunk:]
            relaxed = base | {k for unit in units if unit not in trial for k in unit}
            if elastic.feasible(relaxed, time_limit=_limit(elastic, CHECK_LIMIT)) is False:
                keep = trial
            else:
                i += chunk
        if chunk == 1:
            return keep
        chunk = max(1, chunk // 2)


def _refine(elastic: ElasticModel, kept: list[Unit], base: set[int]) -> list[int]:
    """The rules of the kept units, each budget unit filtered year by year (others enforced).

    Refining one unit never makes an earlier decision wrong: a rule whose relaxing made a set
    feasible also makes any subset of it feasible.
    """
    current = [list(unit) for unit in kept]
    for index, unit in enumerate(current):
        if len(unit) < 2:
            continue
        singles = [(k,) for k in unit]
        inside = _deletion_filter(elastic, singles, base)
        current[index] = [k for (k,) in inside]
        base = base | (set(unit) - set(current[index]))
    return [k for unit in current for k in unit]


# --- repairs ---------------------------------------------------------------------------------

def _repairs(elastic: ElasticModel, members: list[int], others: list[int]) -> tuple[list[dict[str, Any]], str]:
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
        run = elastic.solve(set(others) | {k}, {k: 1.0}, time_limit=_limit(elastic, REPAIR_LIMIT))
        if run.status not in ("optimal", "feasible"):
            continue
        amount = 1.0 if rule.binary else round_up(float(run.slacks[k]))
        single[k] = amount
        repairs.append(_proven(_repair(rule, amount), run.status))
    repairs += _fund_repairs(elastic, members, others, single)
    note = ""
    if members and not repairs:
        costs = {k: 1.0 / max(elastic.rules[k].reference, 1e-9) for k in members}
        run = elastic.solve(set(others) | set(members), costs, time_limit=_limit(elastic, REPAIR_LIMIT))
        if run.status not in ("optimal", "feasible"):
            note = "relaxing every rule of this conflict is not enough"
        else:
            parts = [_repair(elastic.rules[k], 1.0 if elastic.rules[k].binary else round_up(run.slacks[k]))
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
                            time_limit=_limit(elastic, REPAIR_LIMIT))
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


def _repair(rule: Rule, amount: float) -> dict[str, Any]:
    """A repair record: the rule, the amount of slack, the new value and a sentence."""
    base = {"rule": rule.id, "kind": rule.kind, "sheet": rule.sheet, "row": rule.row, "amount": amount,
            "unit": rule.unit, "new_value": None, "relative": 1.0 if rule.binary else amount / max(rule.reference, 1e-9)}
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
    text = f"relax {rule.text} by {number(amount)} ({rule.unit})"
    return base | {"text": text, "phrase": f"by relaxing equity rule {rule.key[-1]} by {number(amount)}"}


def _goal_repair(rule: Rule, amount: float) -> dict[str, Any]:
    """Move a goal's level target by ``amount``; say it in the units the workbook uses (its basis)."""
    d = rule.details
    lower = d["sense"] == ">="
    level = d["target"] - amount if lower else d["target"] + amount
    written, basis, baseline = d.get("written", d["target"]), d.get("basis", "level"), d.get("baseline", 0.0)
    verb = "lowering" if lower else "raising"
    if basis == "percent" and baseline:
        new = written + (level - d["target"]) * 100.0 / baseline
        shown, was = f"{number(new)}%", f"{number(written)}%"
    elif basis == "change":
        new = written + (level - d["target"])
        shown, was = f"a change of {number(new)}", f"{number(written)}"
    else:
        new, shown, was = level, number(level), number(written)
    text = f"{verb} the target of goal {rule.key[1]} to {shown} (from {was})"
    return {"new_value": new, "new_level": level, "text": text, "phrase": f"by {verb} {rule.key[1]} to {shown}"}


# --- goals that can never be met --------------------------------------------------------------

def _baseline_conflicts(model: AllocationModel, book: RuleBook) -> list[tuple[Rule, dict[str, Any]]]:
    """Hard goals with no project moving them whose baseline misses the target."""
    goals = model.index.goals
    base = model.rows["goal"]["base"].to_numpy(dtype=float)
    component = model.model.goal
    found = []
    for i, g in enumerate(goals.itertuples(index=False)):
        if not g.hard or i in component:
            continue
        short = (g.target - base[i]) if g.sense == ">=" else (base[i] - g.target)
        if short <= 1e-9:
            continue
        rule = book.goal(g.goal)
        rule = Rule(rule.key, rule.kind, rule.sheet, rule.row,
                    f"{rule.text}: no project moves {g.indicator} there and the baseline is {number(base[i])}",
                    rule.unit, rule.reference, rule.binary, rule.details)
        found.append((rule, _repair(rule, round_up(short))))
    return found


__all__ = ["Diagnosis", "diagnose", "IIS_IRREDUCIBLE", "IIS_RELAXATION"]
