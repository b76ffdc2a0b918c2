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
                 all_rules: bool = False):
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
        self.rules = [r for r in candidates if r is not None and self.book.rows_of(r)]
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

    def _add_slacks(self) -> None:
        m = self.build.model
        m.advice_slack = pyo.Var(range(len(self.rules)), bounds=(0, None),
                                 doc="slack of one rule (see planner.advice.elastic)")
        self.build.columns.add("advice_slack", m.advice_slack)
        for k, rule in enumerate(self.rules):
            for family, i, coef in self.book.rows_of(rule):
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
            cols = self.slack_cols.astype(np.int32)
            self.matrix.highs.changeColsBounds(n, cols, np.zeros(n), np.zeros(n))

    def solve(self, relaxed: list[int] | set[int], costs: dict[int, float] | None = None,
              gap: float = 1e-6, time_limit: float | None = None) -> Run:
        """Solve with the slacks of rules ``relaxed`` free (others 0), minimising sum costs * slack.

        ``gap`` is the relative MIP gap: tight when the amount matters (a repair), loose when
        any solution will do (the elastic filter). ``time_limit`` (seconds; default the
        options' time limit, else none) stops the solve: status "feasible" with the best
        slacks found, or "unknown" without any.
        """
        highs = self.matrix.highs
        highs.setOptionValue("mip_rel_gap", float(gap))
        limit = time_limit if time_limit is not None else self.options.time_limit
        highs.setOptionValue("time_limit", float(limit) if limit else highspy.kHighsInf)
        n = len(self.slack_cols)
        upper = np.zeros(n)
        for k in relaxed:
            upper[k] = 1.0 if self.rules[k].binary else highspy.kHighsInf
        cost = np.zeros(self.matrix.num_col)
        for k, c in (costs or {}).items():
            cost[self.slack_cols[k]] = c
        if n:
            highs.changeColsBounds(n, self.slack_cols.astype(np.int32), np.zeros(n), upper)
        highs.changeColsCost(self.matrix.num_col, np.arange(self.matrix.num_col, dtype=np.int32), cost)
        with solver_output_to_stderr():
            highs.run()
        raise_if_stop_requested()
        status, has_plan = read_highs(highs)
        if status == Status.infeasible:
            return Run("infeasible")
        if has_plan and status in (Status.optimal, Status.feasible):
            values = np.asarray(highs.getSolution().col_value, dtype=float)
            slacks = values[self.slack_cols] if n else np.zeros(0)
            return Run(str(status), slacks, float(highs.getInfo().objective_function_value))
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
