"""Goal hygiene: warnings about goals that mix up ends and means, or contradict each other.

Typical goal-setting errors are setting a goal on a cost
or an input, putting a goal on an intermediate outcome beside one on the final
outcome it feeds (the plan then serves two masters that count the same effect
twice), and targets that no level can meet at once. Each check is a function
over the typed tables (``Scenario.tables``, or the tables ``validate`` reads),
returns :class:`planner.errors.Problem` warnings located at ``Goals!row``, and
reads the optional columns ``Indicators.kind`` (final | intermediate | input)
and ``Goals.basis`` (level | change | percent) when they are there.

``level_target`` states the basis rule: a target set as a change or a percent
is turned into the level the model constrains.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from planner.errors import Problem
from planner.scenario.goals import level_target as level_target_of

Tables = dict[str, pd.DataFrame]
ROW = "row"


def goal_hygiene(tables: Tables, settings: dict[str, Any] | None = None) -> list[Problem]:
    """Every goal-hygiene warning, in Goals order."""
    problems = goals_on_inputs(tables) + intermediate_beside_final(tables) + \
        contradictory_goals(tables, settings) + percent_of_nothing(tables) + unscaled_ceilings(tables)
    return sorted(problems, key=lambda p: (p.row if p.row is not None else 0, p.message))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _kinds(tables: Tables) -> dict[str, tuple[str, int]]:
    """indicator -> (kind, Indicators row) for indicators with a declared kind."""
    table = tables.get("Indicators")
    if table is None or "kind" not in table.columns:
        return {}
    return {r["indicator"]: (str(r["kind"]).strip().lower(), int(r[ROW])) for r in table.to_dict("records")
            if not _blank(r.get("kind"))}


def _goals(tables: Tables) -> list[dict[str, Any]]:
    table = tables.get("Goals")
    return [] if table is None or table.empty else table.to_dict("records")


def _scope_words(region: Any) -> str:
    return "the whole country" if _blank(region) else str(region)


def goals_on_inputs(tables: Tables) -> list[Problem]:
    """A goal on an ``input`` indicator: a cost is not a goal."""
    kinds = _kinds(tables)
    problems = []
    for g in _goals(tables):
        kind, row = kinds.get(g["indicator"], ("", None))
        if kind == "input":
            problems.append(Problem(
                "warning", "Goals", g[ROW], "indicator",
                f"goal {g['goal']} is set on {g['indicator']}, an input (Indicators!{row}): a cost or an "
                "input is not a goal; limit money with Budgets, or use the cost objective"))
    return problems


def intermediate_beside_final(tables: Tables) -> list[Problem]:
    """A goal on an intermediate indicator beside a goal on a final one in the same scope."""
    kinds = _kinds(tables)
    goals = _goals(tables)
    problems = []
    for g in goals:
        kind, row = kinds.get(g["indicator"], ("", None))
        if kind != "intermediate":
            continue
        finals = [f for f in goals if kinds.get(f["indicator"], ("",))[0] == "final"
                  and _scope_words(f.get("region")) == _scope_words(g.get("region"))]
        if not finals:
            continue
        named = ", ".join(f"{f['goal']} on {f['indicator']} (Goals!{f[ROW]})" for f in finals)
        problems.append(Problem(
            "warning", "Goals", g[ROW], "indicator",
            f"goal {g['goal']} is set on {g['indicator']}, an intermediate outcome (Indicators!{row}), beside "
            f"the final goal(s) {named} in {_scope_words(g.get('region'))}: the intermediate outcome is a "
            "means to the final one, so the plan would be steered twice by the same effect; keep the final "
            "goal, or make this one soft at a lower priority"))
    return problems


def contradictory_goals(tables: Tables, settings: dict[str, Any] | None = None) -> list[Problem]:
    """A ``>=`` goal whose level target is above a ``<=`` goal's on the same indicator, scope and year."""
    settings = settings or {}
    last = _last_year(settings)
    goals = _goals(tables)
    levels = {id(g): level_target(g, _scope_baseline(tables, g)) for g in goals}
    problems = []
    for high in goals:
        if high.get("sense", ">=") != ">=":
            continue
        for low in goals:
            if low.get("sense") != "<=" or low["indicator"] != high["indicator"]:
                continue
            if _scope_words(low.get("region")) != _scope_words(high.get("region")):
                continue
            if _year(low, last) != _year(high, last):
                continue
            above, below = levels[id(high)], levels[id(low)]
            if above is None or below is None or not above > below:
                continue
            year = _year(high, last)
            when = f"in {year}" if year is not None else "in the same year"
            problems.append(Problem(
                "warning", "Goals", high[ROW], "target",
                f"goals {high['goal']} ({high['indicator']} >= {above:,.6g}) and {low['goal']} "
                f"({high['indicator']} <= {below:,.6g}, Goals!{low[ROW]}) on {_scope_words(high.get('region'))} "
                f"{when} contradict each other: no level meets both"))
    return problems


def percent_of_nothing(tables: Tables) -> list[Problem]:
    """A percent goal on a zero baseline asks for no change at all."""
    problems = []
    for g in _goals(tables):
        if str(g.get("basis") or "level").lower() != "percent":
            continue
        if _scope_baseline(tables, g) == 0:
            problems.append(Problem(
                "warning", "Goals", g[ROW], "basis",
                f"goal {g['goal']} is a percent of a baseline of 0 in {_scope_words(g.get('region'))}: "
                "any percent of 0 is 0; set it as a level or a change"))
    return problems


def unscaled_ceilings(tables: Tables) -> list[Problem]:
    """A soft ``<=`` goal with nothing to scale its shortfall by (a target, or implied change, of 0).

    A shortfall is scored relative to the target (:func:`planner.scenario.goals.shortfall_scale`);
    with a target of 0 it is scored per unit (a scale of 1), so a shortfall of 900 weighs as
    much as 900 goals missed in full.
    """
    problems = []
    for g in _goals(tables):
        if g.get("sense") != "<=" or g.get("hard") or _blank(g.get("target")):
            continue
        basis = str(g.get("basis") or "level").lower()
        baseline = _scope_baseline(tables, g)
        written = float(g["target"])
        size = abs(baseline * written / 100) if basis == "percent" else abs(written)
        if size > 0:
            continue
        level = level_target(g, baseline)
        over = baseline - level if level is not None else 0.0
        example = (f"its baseline is already {over:,.6g} over the limit, which alone weighs as much as "
                   f"{over:,.6g} other goals of priority {g.get('priority', 1)} missed in full"
                   if over > 0 else "a shortfall of 900 would weigh as much as 900 other goals missed in full")
        problems.append(Problem(
            "warning", "Goals", g[ROW], "target",
            f"goal {g['goal']} ({g['indicator']} <= {written:g}, {basis}) has a target of 0, so its shortfall is "
            f"scored per unit of {g['indicator']} rather than relative to the target: {example}; make it a hard "
            "goal, give it its own priority, or a small weight"))
    return problems


def level_target(goal: dict[str, Any], baseline: float) -> float | None:
    """The level a goal's target means, by its basis.

    level (default): the target; change: baseline + target; percent: baseline * (1 + target / 100),
    with baseline the sum of Baseline values of the goal's indicator over its scope.
    """
    target = goal.get("target")
    if target is None or _blank(target):
        return None
    return float(level_target_of(float(target), baseline, str(goal.get("basis") or "level").lower()))


def _scope_baseline(tables: Tables, goal: dict[str, Any]) -> float:
    """Sum of Baseline values of the goal's indicator over its scope (all, a group or a region)."""
    regions = tables.get("Regions", pd.DataFrame(columns=["region", "group"]))
    scope = goal.get("region")
    if _blank(scope):
        members = set(regions["region"])
    elif "group" in regions.columns and scope in set(regions["group"].dropna()):
        members = set(regions.loc[regions["group"] == scope, "region"])
    else:
        members = {scope}
    base = tables.get("Baseline", pd.DataFrame(columns=["region", "indicator", "value"]))
    hit = base[(base["indicator"] == goal["indicator"]) & base["region"].isin(members)]
    return float(pd.to_numeric(hit["value"], errors="coerce").fillna(0.0).sum())


def _last_year(settings: dict[str, Any]) -> int | None:
    start, horizon = settings.get("start_year"), settings.get("horizon")
    if isinstance(start, int) and isinstance(horizon, int):
        return start + horizon - 1
    return None


def _year(goal: dict[str, Any], last: int | None) -> int | None:
    year = goal.get("year")
    return last if year is None or _blank(year) else int(year)


__all__ = ["goal_hygiene", "goals_on_inputs", "intermediate_beside_final", "contradictory_goals",
           "percent_of_nothing", "unscaled_ceilings", "level_target"]
