"""Results: the answer of a solved scenario as tidy tables, and measures computed from it.

``solve_scenario(scenario, options) -> Answer`` builds, solves and extracts;
``extract(model, result)`` turns a solver result into an :class:`Answer`.
"""

from __future__ import annotations

from planner.results.allocation import allocation_table, investment_spread
from planner.results.answer import Answer
from planner.results.disparity import disparity, equity_summary, per_capita_levels
from planner.results.extract import (
                                     EPSILON,
                                     chosen_starts,
                                     completed_impacts,
                                     extract,
                                     goal_table,
                                     level_table,
                                     plan_table,
                                     solve_scenario,
                                     spending_table,
)
from planner.results.records import plain, records
from planner.scenario.units import per_person_unit

__all__ = ["EPSILON", "Answer", "allocation_table", "chosen_starts", "completed_impacts", "disparity",
           "equity_summary", "extract", "goal_table", "investment_spread", "level_table", "per_capita_levels",
           "per_person_unit", "plain", "plan_table", "records", "solve_scenario", "spending_table"]
