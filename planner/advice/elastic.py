"""The model of a scenario with one nonnegative slack per rule, handed to HiGHS.

Every rule (a hard goal, a budget, a mandatory flag, a partner cap, a requires
or excludes pair, a hard equity rule) gets one slack column whose coefficients
loosen exactly that rule in its own units (as each constraint family declares,
see :meth:`RuleBook.rows_of`). All
slacks start fixed at 0, so the elastic model *is* the scenario's model; the
diagnosis then relaxes some rules (slack upper bound lifted) and prices others
(slack cost) and re-solves in place, integrality kept.

Budgets of 0 have no payment variables in the planner's model (nothing can be
paid from them), so no slack could add money there. The elastic model is
therefore built from a copy of the scenario in which those budgets hold a
placeholder amount; their rows are then reset to the workbook's 0 before the
hand-off, which gives the same feasible set plus the columns a repair needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo

from planner.advice.rulebook import Rule, RuleBook
from planner.model import AllocationModel, build_model
from planner.scenario import Scenario
from planner.scenario.edits import add_money
from planner.solver import SolveOptions, hand_off, solver_output_to_stderr
from planner.status import Status, raise_if_stop_requested, read_highs

PLACEHOLDER = 1.0  # money given to a zero budget so that its payment columns exist
#: Seconds per solve of the elastic filter (any plan will do), of a feasibility check in the
#: deletion filter, and of a repair, when no --time-limit is given.
FILTER_LIMIT = 10.0
CHECK_LIMIT = 30.0
REPAIR_LIMIT = 20.0


@dataclass
class Run:
    """Outcome of one solve of the elastic model."""

    status: str  # optimal | feasible (stopped by a time limit with slacks) | infeasible | unknown
    slacks: np.ndarray = field(default_factory=lambda: np.zeros(0))  # each rule's slack (empty: no plan)
    objective: float | None = None


class ElasticModel:
    """The scenario's model plus a slack per rule in ``rules`` (all enforced at first)."""

    def __init__(self, scenario: Scenario, original: AllocationModel, rules: list[Rule] | None = None,
                 widen: list[tuple] | None = None, options: SolveOptions | None = None,
                 all_rules: bool = False, soft_goals: bool = False):
        self.options = options or SolveOptions()
        amounts = {(f, s, int(y)): float(a) for f, s, y, a in
                   original.index.budgets[["fund", "scope", "year", "amount"]].itertuples(index=False)}
        zero = [k for k, a in amounts.items() if a <= 0]
        extra = [tuple(k) for k in (widen or []) if amounts.get(tuple(k), 0.0) <= 0]
        placeholders = list(dict.fromkeys(zero + extra))
        for key in placeholders:
            amounts.setdefault(key, 0.0)
        widened = add_money(scenario, {k: PLACEHOLDER for k in placeholders}) if placeholders else scenario
        self.build = build_model(widened)
        self.book = RuleBook(self.build, amounts=amounts)
        self._reset_placeholders(placeholders)
        candidates = self.book.relaxable_rules() if all_rules else [self.book.rule(r.key) for r in rules or []]
        self._soft_rows: dict[tuple, list[tuple[str, int, float]]] = self._soft_goal_rows() if soft_goals else {}
        self.rules = [r for r in candidates if r is not None and self.rows_of(r)]
        self.rules += [self.book.goal(key[1]) for key in self._soft_rows]
        self._add_slacks()
        with solver_output_to_stderr():
            self.matrix = hand_off(self.build, self.options)
        highs = self.matrix.highs
        highs.setOptionValue("mip_rel_gap", 1e-6)
        self.slack_cols = self.matrix.positions[self.build.columns.col("advice_slack", np.arange(len(self.rules)))]
        self._enforce_all()

    def _reset_placeholders(self, placeholders: list[tuple]) -> None:
        """Give the placeholder budgets their workbook amount (0) back."""
        wanted = set(placeholders)
        m = self.build.model
        for family in ("budget", "carry_over"):
            frame = self.build.rows.get(family)
            if frame is None or frame.empty:
                continue
            for i, (f, s, y) in enumerate(frame[["fund", "scope", "year"]].itertuples(index=False)):
                key = (f, s, int(y))
                if key not in wanted or i not in getattr(m, family):
                    continue
                con = getattr(m, family)[i]
                amount = self.book.amounts.get(key, 0.0)
                if family == "budget":
                    con.set_value((None, con.body, amount))
                else:
                    con.set_value((amount, con.body, amount))

    def _soft_goal_rows(self) -> dict[tuple, list[tuple[str, int, float]]]:
        """A slack on the goal row of every soft goal, loosening it like a hard goal's.

        A soft goal already has its shortfall u; with u held at most at a given value
        (:meth:`bound_shortfalls`), the slack is how much more the goal would give up.
        """
        goals = self.build.index.goals
        rows = {}
        for i in np.flatnonzero(~goals["hard"].to_numpy(dtype=bool)):
            if i in self.build.model.goal:
                sign = 1.0 if goals["sense"].iloc[i] == ">=" else -1.0
                rows[("goal", goals["goal"].iloc[i])] = [("goal", int(i), sign)]
        return rows

    def rows_of(self, rule: Rule) -> list[tuple[str, int, float]]:
        """(family, row, coefficient) of the slack of ``rule``: declared rows, or a soft goal's row."""
        return self._soft_rows.get(tuple(rule.key)) or self.book.rows_of(rule)

    def bound_shortfalls(self, name: str, upper: np.ndarray) -> None:
        """Upper bounds of the shortfall columns ``name`` ("u" of soft goals, "eq_u" of soft equity
        rules), in their local order; ``inf`` leaves a shortfall free."""
        if not len(upper):
            return
        cols = self.matrix.positions[self.build.columns.col(name, np.arange(len(upper)))]
        keep = cols >= 0
        if keep.any():
            self.matrix.set_bounds(cols[keep], np.zeros(int(keep.sum())), np.asarray(upper, dtype=float)[keep])

    def _add_slacks(self) -> None:
        m = self.build.model
        m.advice_slack = pyo.Var(range(len(self.rules)), bounds=(0, None),
                                 doc="slack of one rule (see planner.advice.elastic)")
        self.build.columns.add("advice_slack", m.advice_slack)
        for k, rule in enumerate(self.rules):
            for family, i, coef in self.rows_of(rule):
                con = getattr(m, family)[i]
                lower = con.lower if con.has_lb() else None
                upper = con.upper if con.has_ub() else None
                con.set_value((lower, con.body + coef * m.advice_slack[k], upper))

    # --- solving ----------------------------------------------------------------------------

    def limit(self, default: float) -> float:
        """The per-solve time limit: the user's --time-limit, else ``default``."""
        return float(self.options.time_limit) if self.options.time_limit else default

    def _enforce_all(self) -> None:
        n = len(self.slack_cols)
        if n:
            self.matrix.set_bounds(self.slack_cols, np.zeros(n), np.zeros(n))

    def solve(self, relaxed: list[int] | set[int], costs: dict[int, float] | None = None,
              gap: float = 1e-6, time_limit: float | None = None, upper: dict[int, float] | None = None) -> Run:
        """Solve with the slacks of rules ``relaxed`` free (others 0), minimising sum costs * slack.

        ``gap`` is the relative MIP gap: tight when the amount matters (a repair), loose when
        any solution will do (the elastic filter). ``time_limit`` (seconds; default the
        options' time limit, else none) stops the solve: status "feasible" with the best
        slacks found, or "unknown" without any. ``upper`` caps the slack of some relaxed rules.
        """
        highs = self.matrix.highs
        highs.setOptionValue("mip_rel_gap", float(gap))
        limit = time_limit if time_limit is not None else self.options.time_limit
        highs.setOptionValue("time_limit", float(limit) if limit else highspy.kHighsInf)
        n = len(self.slack_cols)
        bounds = np.zeros(n)
        for k in relaxed:
            bounds[k] = 1.0 if self.rules[k].binary else highspy.kHighsInf
        for k, cap in (upper or {}).items():
            bounds[k] = min(bounds[k], cap)
        cost = np.zeros(highs.getNumCol())
        for k, c in (costs or {}).items():
            cost[self.slack_cols[k]] = c
        if n:
            self.matrix.set_bounds(self.slack_cols, np.zeros(n), bounds)
        scaled = cost * self.matrix.col_scale
        largest = np.abs(scaled).max(initial=0.0)
        self.matrix.set_costs(cost / largest if largest > 0 else cost)  # largest cost 1 for HiGHS
        with solver_output_to_stderr():
            highs.run()
        raise_if_stop_requested()
        status, has_plan = read_highs(highs)
        if status == Status.infeasible:
            return Run("infeasible")
        if has_plan and status in (Status.optimal, Status.feasible):
            values = self.matrix.solution()
            slacks = values[self.slack_cols] if n else np.zeros(0)
            return Run(str(status), slacks, float(cost @ values))
        return Run("unknown")

    def feasible(self, relaxed: list[int] | set[int], time_limit: float | None = None) -> bool | None:
        """Whether the scenario is feasible with the rules ``relaxed`` lifted (None: unknown)."""
        run = self.solve(relaxed, time_limit=time_limit)
        return None if run.status == "unknown" else run.status != "infeasible"


def round_up(value: float, digits: int = 6) -> float:
    """``value`` rounded up to ``digits`` significant digits (solver noise below 1e-9 dropped)."""
    if value is None or value <= 1e-9:
        return 0.0
    value = value - 1e-9 * max(1.0, abs(value))
    magnitude = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    return float(f"{math.ceil(value / magnitude) * magnitude:.{digits}g}")


__all__ = ["CHECK_LIMIT", "ElasticModel", "FILTER_LIMIT", "REPAIR_LIMIT", "Run", "round_up"]
