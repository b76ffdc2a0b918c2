"""Sparse index sets of the allocation model, prepared with pandas.

Only what can happen gets an index: a start variable for each year a project
may start in (the set S_p), a payment variable for each (project, payer,
fund, year) where the project could be active and the fund's scope has money,
and so on. Every frame keeps the ids the planner wrote, so results and
diagnoses can be told in workbook terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model.investments import InvestmentIndex, build_investment_index
from planner.scenario import Scenario
from planner.scenario.checks import under_way
from planner.scenario.data import POOLED
from planner.scenario.goals import level_target, shortfall_scale
from planner.scenario.realism_checks import portfolio_members

#: Parts of a project's payments: construction (its cost) and running (its running cost once complete).
BUILD, RUN = "build", "run"


@dataclass
class ModelIndex:
    """Everything the constraint builders need, as tidy frames.

    projects: one row per project (index = project id) with own_cost_per_year c_p,
        duration d_p, start window [first_start, last_start] (one start before the horizon for a
        project under way), running cost, flags and lists.
    starts: the feasible (project, start) pairs, column ``x`` numbering them.
    schedule: what a start pays in each year of the horizon if chosen in full: (x, project, start,
        year, part, own, partner); part BUILD (construction: the cost profile, or cost / d_p, times
        the price escalation; partner = the partner's part) or RUN (the running cost in each
        complete year, escalated); only rows with money.
    payers: who pays each project's own cost: (project, payer, share, row), row = the
        CostShares row (None for a host paying alone).
    budgets: (fund, scope, year, amount, carry_over, pooled, row, available), complete for
        every scope that has a budget row (and every scope a loan's repayments fall on); scope is
        the region for regional funds, POOLED otherwise; row = the Budgets row (None where the
        workbook has none: 0).
    payments: (project, payer, fund, scope, year, part) with column ``y`` numbering them.
    charges: every use of a budget: (y, fund, scope, year, coef, what): the payments themselves
        (coef 1, what "payment") and the repayments of money drawn from a loan fund, charged to its
        repaid_from fund (coef = the annuity factor, what "repayment"), inside the horizon.
    debt: repayments that fall after the horizon, shaped like charges (reported only).
    loans: one row per loan fund (index = fund): rate, grace, years, repaid_from, annuity.
    escalation: (1 + cost_escalation) ** (t - y0) per year t.
    tranches: starts of divisible projects with min_tranche or max_tranches: (project, start, x,
        tu, min_tranche, max_tranches), ``tu`` numbering their tranche-used variables.
    portfolio: the Portfolio rules (rule, at_least, at_most, row) and portfolio_members (rule, project).
    impacts: (project, indicator, region, value) with blank regions resolved.
    goals: one row per goal with resolved year, scope regions, scale and hard flag.
    """

    years: np.ndarray
    discount: pd.Series
    projects: pd.DataFrame
    starts: pd.DataFrame
    payers: pd.DataFrame
    budgets: pd.DataFrame
    payments: pd.DataFrame
    impacts: pd.DataFrame
    goals: pd.DataFrame
    baseline: pd.DataFrame
    indicators: pd.DataFrame
    investments: InvestmentIndex
    schedule: pd.DataFrame
    charges: pd.DataFrame
    debt: pd.DataFrame
    loans: pd.DataFrame
    escalation: pd.Series
    tranches: pd.DataFrame
    portfolio: pd.DataFrame
    portfolio_members: pd.DataFrame

    @property
    def first_year(self) -> int:
        return int(self.years[0])

    @property
    def last_year(self) -> int:
        return int(self.years[-1])


def build_index(scenario: Scenario, all_goals_hard: bool = False) -> ModelIndex:
    """Prepare the sparse index sets for ``scenario``."""
    years = np.array(scenario.years, dtype=int)
    discount = pd.Series([scenario.discount(int(t)) for t in years], index=years)
    projects = _projects(scenario)
    starts = _starts(projects)
    escalation = pd.Series((1.0 + float(scenario.settings.get("cost_escalation") or 0.0)) ** (years - years[0]),
                           index=years)
    schedule = _schedule(projects, starts, scenario, escalation)
    payers = _payers(projects, scenario)
    loans = _loans(scenario)
    budgets = _budgets(scenario, loans)
    payments = _payments(projects, schedule, payers, budgets, scenario)
    charges, debt = _charges(payments, loans, budgets, int(years[-1]))
    baseline = _baseline(scenario)
    investments = build_investment_index(scenario, projects, starts, baseline)
    impacts = pd.concat([_impacts(scenario, projects), investments.transport_impacts], ignore_index=True)
    portfolio, members = _portfolio(scenario)
    return ModelIndex(
        years=years,
        discount=discount,
        projects=projects,
        starts=starts,
        payers=payers,
        budgets=budgets,
        payments=payments,
        impacts=impacts,
        goals=_goals(scenario, all_goals_hard),
        baseline=baseline,
        indicators=scenario.tables["Indicators"].set_index("indicator"),
        investments=investments,
        schedule=schedule,
        charges=charges,
        debt=debt,
        loans=loans,
        escalation=escalation,
        tranches=_tranches(projects, starts),
        portfolio=portfolio,
        portfolio_members=members,
    )


def _projects(scenario: Scenario) -> pd.DataFrame:
    table = scenario.tables["Projects"].set_index("project")
    y0, last = scenario.start_year, scenario.last_year
    frame = pd.DataFrame(index=table.index)
    frame["name"] = table["name"]
    frame["kind"] = table["kind"]
    frame["region"] = table["region"]
    frame["cost"] = table["cost"].astype(float)
    frame["duration"] = table["duration"].astype(int)
    partner_share = table["partner_share"] if "partner_share" in table else 0.0
    frame["partner_share"] = pd.Series(partner_share, index=table.index).fillna(0.0).astype(float)
    frame["own_cost_per_year"] = (1.0 - frame["partner_share"]) * frame["cost"] / frame["duration"]
    earliest = table["earliest_start"].fillna(y0).astype(int).clip(lower=y0)
    latest = table["latest_start"].fillna(last).astype(int)
    mandatory = table["mandatory"].astype(bool)
    # A project under way started before the horizon, in its one start year.
    records = table[["mandatory", "earliest_start", "latest_start"]].to_dict("records")
    started = np.array([under_way(r, y0) for r in records], dtype=bool)
    given = table["earliest_start"].fillna(y0).astype(int)
    frame["first_start"] = np.where(started, given, earliest)
    frame["last_start"] = np.where(started, given, np.minimum(latest, last - frame["duration"] + 1))
    frame["under_way"] = started
    frame["mandatory"] = mandatory
    frame["divisible"] = table["divisible"].astype(bool)
    frame["requires"] = table["requires"]
    frame["excludes"] = table["excludes"]
    frame["funds"] = table["funds"]
    for column in ("cluster", "role", "link", "new_time", "partner"):
        frame[column] = table[column]
    frame["running_cost"] = _numbers(table, "running_cost", 0.0)
    frame["running_funds"] = table["running_funds"] if "running_funds" in table else [()] * len(table)
    frame["min_tranche"] = _numbers(table, "min_tranche", np.nan)
    frame["max_tranches"] = _numbers(table, "max_tranches", np.nan)
    frame["row"] = table["row"]
    return frame


def _numbers(table: pd.DataFrame, column: str, default: float) -> pd.Series:
    """A numeric column of a table (``default`` where blank or absent)."""
    if column not in table:
        return pd.Series(default, index=table.index, dtype=float)
    return pd.to_numeric(table[column], errors="coerce").fillna(default).astype(float)


def _schedule(projects: pd.DataFrame, starts: pd.DataFrame, scenario: Scenario,
              escalation: pd.Series) -> pd.DataFrame:
    """What each start pays in each year of the horizon when chosen in full (see :class:`ModelIndex`).

    Construction: the CostProfiles share of offset t - s (cost / d_p each year without a profile, the
    contract-v1 figure itself), times the escalation of year t; years before the horizon of a project
    under way are sunk. Running: the running cost in every complete year t >= s + d_p inside the horizon.
    """
    y0, last = int(escalation.index[0]), int(escalation.index[-1])
    columns = ["x", "project", "start", "year", "part", "own", "partner"]
    build = starts.loc[starts.index.repeat(starts["duration"])].copy()
    build["offset"] = build.groupby(level=0).cumcount()
    build["year"] = build["start"] + build["offset"]
    build = build[(build["year"] >= y0) & (build["year"] <= last)]
    p = projects.reindex(build["project"])
    profiles = scenario.tables["CostProfiles"]
    shares = pd.Series(pd.to_numeric(profiles["share"], errors="coerce").to_numpy(dtype=float),
                       index=pd.MultiIndex.from_arrays([profiles["project"], profiles["year_offset"].astype(int)])
                       if len(profiles) else pd.MultiIndex.from_arrays([[], []]), dtype=float)
    profiled = build["project"].isin(set(profiles["project"])).to_numpy()
    share = shares.reindex(pd.MultiIndex.from_arrays([build["project"], build["offset"]])).fillna(0.0).to_numpy()
    cost, partner_share = p["cost"].to_numpy(), p["partner_share"].to_numpy()
    factor = build["year"].map(escalation).to_numpy(dtype=float)
    own = np.where(profiled, (1.0 - partner_share) * cost * share, p["own_cost_per_year"].to_numpy()) * factor
    partner = np.where(profiled, partner_share * cost * share,
                       partner_share * cost / p["duration"].to_numpy()) * factor
    build = build.assign(part=BUILD, own=own, partner=partner)[columns]
    running = projects["running_cost"]
    kept = starts[starts["project"].map(running).to_numpy() > 0]
    complete = (kept["start"] + kept["duration"]).clip(lower=y0).to_numpy()
    count = np.clip(last - complete + 1, 0, None)
    run = kept.loc[kept.index.repeat(count)].copy()
    run["year"] = np.repeat(complete, count) + run.groupby(level=0).cumcount().to_numpy()
    run = run.assign(part=RUN, own=run["project"].map(running).to_numpy() * run["year"].map(escalation).to_numpy(),
                     partner=0.0)[columns]
    schedule = pd.concat([build, run], ignore_index=True) if len(run) else build.reset_index(drop=True)
    return schedule[(schedule["own"] > 0) | (schedule["partner"] > 0)].reset_index(drop=True)


def _loans(scenario: Scenario) -> pd.DataFrame:
    """Loan funds (index fund): rate, grace, years, repaid_from and the annuity factor alpha, the share of
    the money drawn in a year that is repaid in each of the repayment years."""
    funds = scenario.tables["Funds"]
    columns = ["rate", "grace", "years", "repaid_from", "annuity"]
    if "kind" not in funds:
        return pd.DataFrame(columns=columns)
    loans = funds[funds["kind"] == "loan"]
    def number(column: str, default: float) -> pd.Series:
        return pd.to_numeric(loans[column], errors="coerce").fillna(default)

    frame = pd.DataFrame({"rate": number("interest_rate", 0.0).to_numpy(dtype=float),
                          "grace": number("grace_years", 0).astype(int).to_numpy(),
                          "years": number("repayment_years", 1).astype(int).to_numpy(),
                          "repaid_from": loans["repaid_from"].to_numpy()}, index=pd.Index(loans["fund"], name="fund"))
    frame["annuity"] = [annuity(r, g, n) for r, g, n in zip(frame["rate"], frame["grace"], frame["years"])]
    return frame[columns]


def annuity(rate: float, grace: int, years: int) -> float:
    """Yearly repayment per unit drawn: (1 + i)^g i / (1 - (1 + i)^-n), 1 / n without interest.

    Interest accrues over the g grace years; the n equal repayments then pay off the grown debt.
    """
    if rate <= 0:
        return 1.0 / years
    return (1.0 + rate) ** grace * rate / (1.0 - (1.0 + rate) ** -years)


def _starts(projects: pd.DataFrame) -> pd.DataFrame:
    """S_p for every project, numbered: column ``x`` is the start variable's index."""
    count = (projects["last_start"] - projects["first_start"] + 1).clip(lower=0).to_numpy()
    project = np.repeat(projects.index.to_numpy(), count)
    first = np.repeat(projects["first_start"].to_numpy(), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    starts = pd.DataFrame({"project": project, "start": first + offset})
    starts["duration"] = projects["duration"].reindex(starts["project"]).to_numpy()
    starts["x"] = np.arange(len(starts))
    return starts


def _payers(projects: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Who pays each project's own cost: the CostShares rows, else the host region alone."""
    shares = scenario.tables["CostShares"]
    shared = shares.rename(columns={"region": "payer"})[["project", "payer", "share", "row"]]
    shared = shared.assign(share=shared["share"].astype(float))
    alone = projects.index.difference(pd.Index(shared["project"].unique()))
    host = pd.DataFrame({"project": alone, "payer": projects["region"].reindex(alone).to_numpy(),
                         "share": 1.0, "row": None})
    payers = pd.concat([host, shared], ignore_index=True)
    return payers[payers["share"] > 0].reset_index(drop=True)


def _budgets(scenario: Scenario, loans: pd.DataFrame) -> pd.DataFrame:
    """Budget per (fund, scope, year), zero-filled over the horizon for every known scope and every scope
    a loan's repayments fall on (the loan's own scopes for a regional repaying fund, else the pool)."""
    funds = scenario.tables["Funds"].set_index("fund")
    rows = scenario.tables["Budgets"].copy()
    rows["scope"] = rows["region"].fillna(POOLED).astype(str)
    rows["amount"] = rows["amount"].astype(float)
    amounts = rows.groupby(["fund", "scope", "year"])["amount"].sum()
    scopes = rows[["fund", "scope"]].drop_duplicates()
    if len(loans):
        regional = set(rows.loc[rows["scope"] != POOLED, "fund"])
        extra = []
        for fund, source in loans["repaid_from"].items():
            own = scopes.loc[scopes["fund"] == fund, "scope"] if source in regional else pd.Series([POOLED])
            extra += [(source, scope) for scope in own]
        scopes = pd.concat([scopes, pd.DataFrame(extra, columns=["fund", "scope"])]).drop_duplicates()
    grid = scopes.merge(pd.DataFrame({"year": scenario.years}), how="cross")
    grid["amount"] = amounts.reindex(pd.MultiIndex.from_frame(grid[["fund", "scope", "year"]])).fillna(0.0).to_numpy()
    grid["carry_over"] = funds["carry_over"].reindex(grid["fund"]).astype(bool).to_numpy()
    grid["pooled"] = grid["scope"] == POOLED
    first_row = rows.groupby(["fund", "scope", "year"])["row"].first()
    grid["row"] = first_row.reindex(pd.MultiIndex.from_frame(grid[["fund", "scope", "year"]])).to_numpy()
    grid = grid.sort_values(["fund", "scope", "year"], kind="stable").reset_index(drop=True)
    grid["available"] = np.where(grid["carry_over"],
                                 grid.groupby(["fund", "scope"])["amount"].cumsum(), grid["amount"])
    return grid


def eligible_funds(projects: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """(project, part, fund): the funds that may pay each part of a project (``Projects.funds``, blank =
    any fund; the running cost: ``Projects.running_funds``, blank = as construction)."""
    all_funds = tuple(scenario.tables["Funds"]["fund"])
    build = projects["funds"].map(lambda f: f if f else all_funds)
    run = pd.Series([r if r else b for r, b in zip(projects["running_funds"], build)], index=projects.index,
                    dtype=object)
    parts = []
    for part, funds in ((BUILD, build), (RUN, run)):
        frame = funds.rename("fund").explode().dropna().rename_axis("project").reset_index()
        parts.append(frame.assign(part=part)[["project", "part", "fund"]])
    return pd.concat(parts, ignore_index=True)


def _payments(projects: pd.DataFrame, schedule: pd.DataFrame, payers: pd.DataFrame,
              budgets: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """(project, payer, fund, scope, year, part) where money could flow; ``y`` numbers them."""
    due = schedule.loc[schedule["own"] > 0, ["project", "year", "part"]].drop_duplicates()
    flows = due.merge(payers, on="project").merge(eligible_funds(projects, scenario), on=["project", "part"])
    pooled = budgets.groupby("fund")["pooled"].first()
    flows["scope"] = np.where(pooled.reindex(flows["fund"]).fillna(True).to_numpy(), POOLED, flows["payer"])
    money = budgets.set_index(["fund", "scope", "year"])["available"]
    available = money.reindex(pd.MultiIndex.from_frame(flows[["fund", "scope", "year"]])).fillna(0.0)
    flows = flows[available.to_numpy() > 0].sort_values(["project", "payer", "year", "part", "fund"])
    flows = flows.reset_index(drop=True)
    flows["y"] = np.arange(len(flows))
    return flows[["project", "payer", "fund", "scope", "year", "part", "share", "y"]]


def _charges(payments: pd.DataFrame, loans: pd.DataFrame, budgets: pd.DataFrame,
             last: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every use of a budget (see :class:`ModelIndex`) and the repayments after the horizon."""
    columns = ["y", "fund", "scope", "year", "coef", "what"]
    charges = payments[["y", "fund", "scope", "year"]].assign(coef=1.0, what="payment")
    draws = payments[payments["fund"].isin(loans.index)]
    if draws.empty:
        return charges[columns], pd.DataFrame(columns=columns)
    loan = loans.reindex(draws["fund"])
    count = loan["years"].to_numpy(dtype=int)
    repaid = draws.loc[draws.index.repeat(count)].copy()
    repaid["year"] = (repaid["year"] + np.repeat(loan["grace"].to_numpy(dtype=int), count) + 1
                      + repaid.groupby(level=0).cumcount().to_numpy())
    repaid["coef"] = np.repeat(loan["annuity"].to_numpy(dtype=float), count)
    source = np.repeat(loan["repaid_from"].to_numpy(dtype=object), count)
    pooled = budgets.groupby("fund")["pooled"].first().reindex(source).fillna(True).to_numpy(dtype=bool)
    repaid["scope"] = np.where(pooled, POOLED, repaid["payer"])
    repaid["fund"] = source
    repaid["what"] = "repayment"
    inside = repaid["year"] <= last
    charges = pd.concat([charges[columns], repaid.loc[inside, columns]], ignore_index=True)
    return charges, repaid.loc[~inside, columns].reset_index(drop=True)


def _tranches(projects: pd.DataFrame, starts: pd.DataFrame) -> pd.DataFrame:
    """Starts of divisible projects with tranche limits, each with its tranche-used variable ``tu``."""
    limited = projects[projects["divisible"] & (projects["min_tranche"].notna() | projects["max_tranches"].notna())]
    tranches = starts.loc[starts["project"].isin(limited.index), ["project", "start", "x"]].reset_index(drop=True)
    tranches["tu"] = np.arange(len(tranches))
    tranches["min_tranche"] = tranches["project"].map(limited["min_tranche"]).astype(float)
    tranches["max_tranches"] = tranches["project"].map(limited["max_tranches"]).astype(float)
    return tranches


def _portfolio(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Portfolio rules (rule, at_least, at_most, row) and the projects each counts (rule, project)."""
    table = scenario.tables["Portfolio"]
    rules = pd.DataFrame({"rule": table["rule"].to_numpy(dtype=object),
                          "at_least": pd.to_numeric(table["at_least"], errors="coerce").to_numpy(dtype=float),
                          "at_most": pd.to_numeric(table["at_most"], errors="coerce").to_numpy(dtype=float),
                          "row": table["row"].to_numpy()})
    members = [(r["rule"], p) for r in table.to_dict("records") for p in portfolio_members(scenario.tables, r)]
    return rules, pd.DataFrame(members, columns=["rule", "project"])


def _impacts(scenario: Scenario, projects: pd.DataFrame) -> pd.DataFrame:
    """Impacts rows of projects (cluster synergy rows are handled by the cluster family)."""
    impacts = scenario.tables["Impacts"]
    impacts = impacts[impacts["project"].isin(projects.index)].copy()
    host = projects["region"].reindex(impacts["project"]).to_numpy()
    impacts["region"] = impacts["region"].where(impacts["region"].notna(), pd.Series(host, index=impacts.index))
    impacts["value"] = impacts["value"].astype(float)
    return impacts[["project", "indicator", "region", "value", "row"]].reset_index(drop=True)


def _baseline(scenario: Scenario) -> pd.DataFrame:
    base = scenario.tables["Baseline"]
    return base.assign(value=base["value"].astype(float))[["region", "indicator", "value"]]


def _goals(scenario: Scenario, all_goals_hard: bool) -> pd.DataFrame:
    """Goals with resolved year and scope, and the level target their basis implies.

    The basis rule and the shortfall scale are :mod:`planner.scenario.goals`.
    """
    goals = scenario.tables["Goals"].copy().reset_index(drop=True)
    goals["year"] = goals["year"].fillna(scenario.last_year).astype(int)
    goals["written_target"] = goals["target"].astype(float)
    goals["weight"] = goals["weight"].astype(float)
    goals["priority"] = goals["priority"].astype(int)
    goals["hard"] = goals["hard"].astype(bool) | all_goals_hard
    goals["scope"] = goals["region"].map(lambda r: tuple(scenario.scope_regions(r)))
    basis = goals["basis"].fillna("level")
    base = scenario.tables["Baseline"]
    values = base.assign(value=base["value"].astype(float)).groupby(["region", "indicator"])["value"].sum()
    baseline = np.array([sum(values.get((r, k), 0.0) for r in scope)
                         for k, scope in zip(goals["indicator"], goals["scope"])], dtype=float)
    written = goals["written_target"].to_numpy()
    goals["target"] = level_target(written, baseline, basis.to_numpy(dtype=str))
    goals["scale"] = shortfall_scale(written, baseline, basis.to_numpy(dtype=str))
    return goals
