"""Which rules cannot hold together: irreducible conflicting sets, in workbook terms.

First the LP relaxation is solved (fast). When it is infeasible, the compiled model
goes to HiGHS's ``getIis`` with ``iis_strategy`` = 4 (``kIisStrategyIrreducible``: a
true irreducible infeasible subset; the default 0 only runs a light bound test and
returns an empty set even for a two-row conflict), plus 16 (``kIisStrategyRelaxation``,
the IIS of a MIP's relaxation) when the model has integer columns. When the
relaxation is feasible, only integrality makes the MIP infeasible (all-or-nothing
projects cannot be split to fit): HiGHS has no IIS then, so a deletion filter over
the rules on the elastic MIP finds an irreducible set of rules for whole projects.
Up to five disjoint conflicts are found (each one's rules relaxed before looking
again). Each row and bound is told as a sentence with its ``Sheet!row``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import highspy
import numpy as np

from planner.advice.elastic import CHECK_LIMIT, FILTER_LIMIT, ElasticModel
from planner.advice.rulebook import Rule, RuleBook
from planner.model import AllocationModel
from planner.scenario import Scenario
from planner.solver import MatrixModel, SolveOptions, solver_output_to_stderr
from planner.status import Status, raise_if_stop_requested, read_highs

IIS_IRREDUCIBLE = 4
IIS_RELAXATION = 16
_SIDES = {2: "lower", 3: "upper", 4: "both"}
#: Seconds HiGHS may spend on one IIS when no --time-limit is given.
IIS_TIME_LIMIT = 10.0



@dataclass
class Groups:
    """Conflicts as rule numbers of the elastic model.

    members: per conflict, the rules whose repair is tried (its rules, plus the budgets that
        could pay its payment rows); cores: per conflict, the rules that end it when relaxed.
    """

    elastic: ElasticModel
    members: list[list[int]]
    cores: list[list[int]]


def find_conflicts(scenario: Scenario, model: AllocationModel, matrix: MatrixModel, book: RuleBook,
                   options: SolveOptions, max_conflicts: int) -> tuple[list[list[Rule]], Groups, str, list[str]]:
    """Up to ``max_conflicts`` disjoint conflicts: HiGHS's IIS of the LP relaxation first, then
    (when whole projects are still infeasible) the deletion filter on the elastic MIP.

    Returns (conflicts as rule lists, Groups, source, notes).
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
    if len(found) < max_conflicts and elastic.feasible(base, elastic.limit(CHECK_LIMIT)) is False:
        more = _deletion_filters(elastic, max_conflicts - len(found), base)
        if more is None:
            notes.append("no change to the rules of the workbook makes the scenario feasible")
        else:
            found += [[elastic.rules[k] for k in group] for group in more]
            cores += more
            members += more
            source = source or ("integrality" if not lp_infeasible else "rules")
    return found, Groups(elastic, members, cores), source, notes


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


def dedupe(rules: list[Rule]) -> list[Rule]:
    """One entry per rule, planner rules first (goals, then the rest), definitions last."""
    unique: dict[tuple, Rule] = {}
    for rule in rules:
        unique.setdefault(rule.key, rule)
    order = {"goal": 0, "mandatory": 1, "budget": 2, "partner_cap": 3, "requires": 4, "excludes": 5,
             "portfolio": 6, "min_tranche": 7, "max_tranches": 7, "equity": 8, "definition": 9}
    return sorted(unique.values(), key=lambda r: order.get(r.kind, 8))


# --- feasibility ------------------------------------------------------------------------------

def feasibility(highs: highspy.Highs, options: SolveOptions) -> str:
    """feasible | infeasible | unknown for the constraint system alone (zero objective)."""
    n = highs.getNumCol()
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    if options.time_limit:
        highs.setOptionValue("time_limit", float(options.time_limit))
    with solver_output_to_stderr():
        highs.run()
    raise_if_stop_requested()
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
        raise_if_stop_requested()
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
        if feasibility(highs, options) != "infeasible":
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
            column_rule = book.for_column(inverse.get(int(col), -1))
            if column_rule is not None:
                rules.append(column_rule)
    return dedupe(rules), relax


def _budget_keys(rules: list[Rule], book: RuleBook) -> list[tuple]:
    """Budgets that could pay the conflicting payment rows (with or without money today)."""
    keys = []
    for rule in rules:
        if rule.key[0] == "payment":
            project, payer, year = rule.key[1:4]
            keys += book.payment_budgets(project, payer, year, *rule.key[4:])
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
    if elastic.feasible(everything, elastic.limit(CHECK_LIMIT)) is not True:
        return None
    groups: list[list[int]] = []
    relaxed: set[int] = set(base or ())
    while len(groups) < max_conflicts and elastic.feasible(relaxed, elastic.limit(CHECK_LIMIT)) is False:
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
        run = elastic.solve(base | rules, costs, gap=1e-3, time_limit=elastic.limit(FILTER_LIMIT))
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
            if elastic.feasible(relaxed, time_limit=elastic.limit(CHECK_LIMIT)) is False:
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
        singles: list[Unit] = [(k,) for k in unit]
        inside = _deletion_filter(elastic, singles, base)
        current[index] = [k for (k,) in inside]
        base = base | (set(unit) - set(current[index]))
    return [k for unit in current for k in unit]


# --- repairs ---------------------------------------------------------------------------------
