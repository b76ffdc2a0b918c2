"""The planner's answer to one scenario: status, stages and tidy tables.

An :class:`Answer` holds what the solve found and nothing else; advice computed on
top of it (a diagnosis, marginal values, the price of fairness) travels beside it
(:class:`planner.advice.findings.Findings`), so this layer never depends on advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planner.results.records import plain, records
from planner.status import Status


@dataclass
class Answer:
    """The planner's answer to one scenario.

    projects, goals, spending, regions, clusters, partners, transport: the ``--json`` tables.
    flows, budgets, project_info, region_info, movers, contributions: context for the results workbook
    (contributions: what moves each goal, :func:`planner.results.extract.contribution_table`;
    soft_shortfalls: the plan's shortfall variables, :func:`~planner.results.extract.soft_shortfall_table`).
    run: the run record (input file and SHA-256, versions, options, date).
    equity: per-capita levels and disparity measures before and after the plan.
    indicator_info: (indicator, unit, value) of the Indicators sheet; money_unit and
    spread_warning: the Settings of that name (how money per person is shown, and when its
    spread over the regions is warned about).
    idle_money: budgets no candidate can use for any goal or benefit (planner.results.idle).
    spread: how unevenly investment per person is spread (planner.results.allocation.investment_spread).
    network_links: (link, from, to) of the Network sheet; upgraded_links: the links the plan's
    transport projects build or speed up; node_coordinates: junction -> (lon, lat) from Nodes.lat/lon
    (region coordinates are in region_info); for the map.
    language: Settings.language (the output's language; blank = English).
    costs: what the plan pays inside the horizon per (project, start, year, part), own and partner money,
    nominal, and the year's price factor (:func:`planner.results.extract.cost_table`); running: the running
    costs paid per (project, fund, region, year), also part of ``spending``; start_year and escalation
    (Settings cost_escalation).
    loans: the loan funds (fund, rate, grace, years, repaid_from, annuity); debt_service: their repayments
    inside the horizon (loan, fund, scope, year, amount), charged to the repaid_from fund; debt_after: the
    repayments after the horizon (debt left to the future).
    """

    scenario: str
    status: Status
    stages: list[tuple[str, float]]
    mip_gap: float | None
    solve_seconds: float
    message: str = ""
    projects: pd.DataFrame = field(default_factory=pd.DataFrame)
    goals: pd.DataFrame = field(default_factory=pd.DataFrame)
    spending: pd.DataFrame = field(default_factory=pd.DataFrame)
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    clusters: pd.DataFrame = field(default_factory=pd.DataFrame)
    partners: pd.DataFrame = field(default_factory=pd.DataFrame)
    transport: pd.DataFrame = field(default_factory=pd.DataFrame)
    flows: pd.DataFrame = field(default_factory=pd.DataFrame)
    budgets: pd.DataFrame = field(default_factory=pd.DataFrame)
    project_info: pd.DataFrame = field(default_factory=pd.DataFrame)
    region_info: pd.DataFrame = field(default_factory=pd.DataFrame)
    movers: pd.DataFrame = field(default_factory=pd.DataFrame)
    contributions: pd.DataFrame = field(default_factory=pd.DataFrame)
    soft_shortfalls: pd.DataFrame = field(default_factory=pd.DataFrame)
    run: dict[str, Any] = field(default_factory=dict)
    equity: dict[str, Any] = field(default_factory=dict)
    indicator_info: pd.DataFrame = field(default_factory=pd.DataFrame)
    money_unit: str = ""
    spread_warning: float = 10.0
    idle_money: pd.DataFrame = field(default_factory=pd.DataFrame)
    spread: dict[str, Any] = field(default_factory=dict)
    network_links: list[tuple[str, str, str]] = field(default_factory=list)
    upgraded_links: list[str] = field(default_factory=list)
    node_coordinates: dict[str, tuple[float, float]] = field(default_factory=dict)
    language: str = ""
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    running: pd.DataFrame = field(default_factory=pd.DataFrame)
    start_year: int | None = None
    escalation: float = 0.0
    loans: pd.DataFrame = field(default_factory=pd.DataFrame)
    debt_service: pd.DataFrame = field(default_factory=pd.DataFrame)
    debt_after: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def objective(self) -> float | None:
        """Value of the last reported stage (None without stages)."""
        return self.stages[-1][1] if self.stages else None

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object (fields as documented in the README)."""
        return {
            "scenario": self.scenario,
            "status": str(self.status),
            "objective": self.objective,
            "stages": [{"name": n, "value": v} for n, v in self.stages],
            "mip_gap": self.mip_gap,
            "solve_seconds": round(self.solve_seconds, 3),
            "message": self.message,
            "projects": records(self.projects),
            "goals": records(self.goals),
            "spending": records(self.spending),
            "regions": records(self.regions),
            "clusters": records(self.clusters),
            "partners": records(self.partners),
            "transport": records(self.transport),
            "equity": plain(self.equity),
            "money_that_cannot_help": records(self.idle_money),
            "investment_spread": plain(self.spread),
            "running_costs": records(self.running),
            "debt_service": records(self.debt_service),
            "debt_after_horizon": records(self.debt_after),
        }


__all__ = ["Answer"]
