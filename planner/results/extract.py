"""Tidy answer tables from a solved model: plan, goals, spending, regional levels.

Levels are recomputed from the chosen starts with the same rule as the model
(impacts count from the completion year s + d_p on), so every reported level
can be checked by hand against the workbook. :func:`solve_scenario` is the whole
way from a validated scenario to its :class:`Answer`: build, solve, extract.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from planner.model import AllocationModel, build_model
from planner.model.index import RUN
from planner.results.allocation import investment_spread
from planner.results.answer import Answer
from planner.results.disparity import equity_summary
from planner.results.idle import idle_money_table
from planner.results.investments import cluster_table, partner_table, transport_table
from planner.results.progress import goal_progress
from planner.scenario import Scenario
from planner.solver import Progress, SolveOptions, SolveResult, solve
from planner.status import stops_deferred

log = logging.getLogger(__name__)

#: Values below this are solver noise, not decisions.
EPSILON = 1e-6


def solve_scenario(scenario: Scenario, options: SolveOptions, progress: Progress | None = None) -> Answer:
    """Build, solve and extract the answer of a validated scenario (``progress`` hears from the solver)."""
    started = time.perf_counter()
    model = build_model(scenario)
    built = time.perf_counter()
    result = solve(model, options, progress)
    with stops_deferred():  # a finished solve is never lost to Ctrl-C or SIGTERM
        answer = extract(model, result)
    log.info("build %.2f s, hand-off %.2f s, solve %.2f s, extract %.2f s",
             built - started, result.handoff_seconds, result.solve_seconds,
             time.perf_counter() - built - result.handoff_seconds - result.solve_seconds)
    return answer


def extract(model: AllocationModel, result: SolveResult) -> Answer:
    """Answer tables for ``result`` (empty tables when there is no plan)."""
    answer = Answer(
        scenario=model.scenario.name,
        status=result.status,
        stages=result.stages,
        mip_gap=result.mip_gap,
        solve_seconds=result.solve_seconds,
        message=result.message,
    )
    answer.budgets = model.index.budgets[["fund", "scope", "year", "amount", "carry_over"]].copy()
    answer.project_info = _project_info(model)
    regions = model.scenario.tables["Regions"]
    answer.region_info = regions[[c for c in ("region", "name", "population", "group", "lat", "lon")
                                  if c in regions.columns]].copy()
    _network(answer, model.scenario.tables)
    answer.language = str(model.scenario.settings.get("language") or "")
    answer.movers = model.index.impacts[["project", "indicator", "region"]].drop_duplicates()
    answer.indicator_info = model.scenario.tables["Indicators"][["indicator", "unit", "value"]].copy()
    answer.money_unit = str(model.scenario.settings.get("money_unit") or "")
    spread = model.scenario.settings.get("spread_warning")
    answer.spread_warning = 10.0 if spread is None else float(spread)
    answer.idle_money = idle_money_table(model)
    answer.start_year = model.index.first_year
    answer.escalation = float(model.scenario.settings.get("cost_escalation") or 0.0)
    answer.loans = model.index.loans.rename_axis("fund").reset_index()
    if result.values is None:
        return answer
    flows = model.index.payments
    answer.flows = flows.assign(amount=result.values[model.columns.col("y", flows["y"])]).query(
        "amount > @EPSILON")[["project", "payer", "fund", "scope", "year", "part", "amount"]].reset_index(drop=True)
    shares = chosen_starts(model, result.values)
    answer.projects = plan_table(model, shares)
    answer.costs = cost_table(model, result.values)
    answer.running = running_table(answer.flows)
    answer.debt_service, answer.debt_after = debt_tables(model, result.values)
    levels = level_table(model, shares, result.values)
    answer.regions = levels
    answer.goals = goal_table(model, result.values)
    answer.contributions = contribution_table(model, result.values)
    answer.soft_shortfalls = soft_shortfall_table(model, result.values)
    answer.spending = spending_table(model, result.values)
    answer.clusters = cluster_table(model, result.values)
    answer.partners = partner_table(answer.costs, model.index.projects)
    answer.transport = transport_table(model, shares, result.values)
    if "link" in model.scenario.tables["Projects"].columns and not answer.projects.empty:
        links = model.scenario.tables["Projects"].set_index("project")["link"]
        chosen = links.reindex(answer.projects["project"].unique()).dropna()
        answer.upgraded_links = sorted({str(v) for v in chosen if isinstance(v, str) and v})
    answer.equity = equity_summary(answer, model.scenario.settings.get("output_indicator"))
    answer.spread = investment_spread(answer)
    return answer


def _project_info(model: AllocationModel) -> pd.DataFrame:
    projects = model.index.projects
    info = projects[["name", "kind", "region", "cost", "duration", "partner", "partner_share", "under_way",
                     "running_cost"]]
    return info.rename_axis("project").reset_index()


def chosen_starts(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """(project, start, duration, share) with positive share."""
    starts = model.index.starts
    share = values[model.columns.col("x", starts["x"])]
    share = np.where(share > 1 - EPSILON, 1.0, share)
    chosen = starts.assign(share=share)
    return chosen[chosen["share"] > EPSILON].reset_index(drop=True)


def plan_table(model: AllocationModel, shares: pd.DataFrame) -> pd.DataFrame:
    """One row per chosen (project, start): project, start, share, region, kind, cost (share x cost, in prices
    of the start year), status ("under way" for a project that started before the horizon, else "new")."""
    projects = model.index.projects
    plan = shares[["project", "start", "share"]].copy()
    plan["region"] = plan["project"].map(projects["region"])
    plan["kind"] = plan["project"].map(projects["kind"])
    plan["cost"] = plan["share"] * plan["project"].map(projects["cost"])
    plan["status"] = np.where(plan["project"].map(projects["under_way"]).astype(bool), UNDER_WAY, "new")
    return plan.sort_values(["start", "project"]).reset_index(drop=True)


#: The status of a project that started before the horizon.
UNDER_WAY = "under way"


def cost_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """What the plan pays inside the horizon, nominal: (project, start, year, part, own, partner, price) per
    chosen start and year, part "build" (construction) or "run" (running cost); the payment rows' amounts
    times the start's share; price = the escalation factor of the year (nominal / base-year prices). Years
    of a project under way before the horizon are not in it (sunk)."""
    schedule = model.index.schedule
    share = values[model.columns.col("x", schedule["x"])]
    share = np.where(share > 1 - EPSILON, 1.0, share)
    table = schedule.assign(own=schedule["own"] * share, partner=schedule["partner"] * share,
                            price=schedule["year"].map(model.index.escalation).to_numpy(dtype=float))
    table = table[share > EPSILON]
    return table[["project", "start", "year", "part", "own", "partner", "price"]].reset_index(drop=True)


def debt_tables(model: AllocationModel, values: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Loan repayments of the plan: inside the horizon (charged to the repaid_from fund's budgets) and after
    it (debt left to the future): (loan, fund, scope, year, amount)."""
    columns = ["loan", "fund", "scope", "year", "amount"]
    flows = model.index.payments.set_index("y")["fund"]

    def table(charges: pd.DataFrame) -> pd.DataFrame:
        if charges.empty:
            return pd.DataFrame(columns=columns)
        amount = charges["coef"].to_numpy(dtype=float) * values[model.columns.col("y", charges["y"])]
        frame = charges.assign(loan=charges["y"].map(flows).to_numpy(), amount=amount)
        frame = frame[frame["amount"] > EPSILON]
        return frame.groupby(["loan", "fund", "scope", "year"], as_index=False)["amount"].sum()[columns]

    charges = model.index.charges
    return table(charges[charges["what"] == "repayment"]), table(model.index.debt)


def completed_impacts(model: AllocationModel, shares: pd.DataFrame) -> pd.DataFrame:
    """Yearly level change per (region, indicator, year) from the chosen plan."""
    years = model.index.years
    impacts = model.index.impacts.merge(shares[["project", "start", "duration", "share"]], on="project")
    if impacts.empty:
        return pd.DataFrame(columns=["region", "indicator", "year", "gain"])
    rows = impacts.loc[impacts.index.repeat(len(years))].copy()
    rows["year"] = np.tile(years, len(impacts))
    rows = rows[rows["start"] + rows["duration"] <= rows["year"]]
    rows["gain"] = rows["value"] * rows["share"]
    return rows.groupby(["region", "indicator", "year"], as_index=False)["gain"].sum()


def level_table(model: AllocationModel, shares: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Every region x indicator x year: baseline and level with the plan."""
    scenario = model.scenario
    grid = pd.MultiIndex.from_product(
        [scenario.regions, list(model.index.indicators.index), list(model.index.years)],
        names=["region", "indicator", "year"]).to_frame(index=False)
    base = model.index.baseline.groupby(["region", "indicator"])["value"].sum()
    grid["baseline"] = base.reindex(pd.MultiIndex.from_frame(grid[["region", "indicator"]])).fillna(0.0).to_numpy()
    gains = completed_impacts(model, shares)
    extra = model.extra_levels()
    if not extra.empty:
        extra = extra.assign(gain=extra["coef"].to_numpy(dtype=float) * values[extra["col"].to_numpy(dtype=np.int64)])
        gains = pd.concat([gains, extra[["region", "indicator", "year", "gain"]]], ignore_index=True)
    gains = gains.groupby(["region", "indicator", "year"])["gain"].sum()
    gain = gains.reindex(pd.MultiIndex.from_frame(grid[["region", "indicator", "year"]])).fillna(0.0)
    grid["level"] = grid["baseline"] + gain.to_numpy()
    return grid


def goal_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """Each goal: target, achieved level, shortfall, whether it is met, its baseline and progress
    (the share of the required change reached, :mod:`planner.results.progress`)."""
    goals = model.index.goals
    if goals.empty:
        return pd.DataFrame(columns=["goal", "indicator", "region", "year", "sense", "target",
                                     "achieved", "shortfall", "met", "baseline", "progress"])
    base = model.baseline_levels(goals[["indicator", "scope"]])
    terms = model.level_terms(goals[["indicator", "scope", "year"]])
    gained = (terms["coef"] * values[terms["col"].to_numpy(dtype=np.int64)]).groupby(terms["item"]).sum()
    achieved = base + gained.reindex(range(len(goals))).fillna(0.0).to_numpy()
    target = goals["target"].to_numpy()
    shortfall = np.where(goals["sense"] == ">=", target - achieved, achieved - target)
    shortfall = np.maximum(shortfall, 0.0)
    tolerance = 1e-6 * np.maximum(1.0, np.abs(target))
    met = shortfall <= tolerance
    return pd.DataFrame({
        "goal": goals["goal"], "indicator": goals["indicator"], "region": goals["region"],
        "year": goals["year"], "sense": goals["sense"], "target": target,
        "achieved": achieved, "shortfall": np.where(shortfall <= tolerance, 0.0, shortfall),
        "met": met, "priority": goals["priority"], "hard": goals["hard"],
        "basis": goals["basis"].fillna("level"), "written_target": goals["written_target"],
        "baseline": base, "progress": goal_progress(achieved, base, target, goals["sense"].to_numpy(), met),
    })


def soft_shortfall_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """The plan's shortfall variables: (variable, index, priority, value) for soft goals (``u``, in
    the order of the soft goals) and soft equity rules (``eq_u``); what holding a priority level at
    its optimum means for the advisors."""
    goals = model.index.goals
    soft = goals[~goals["hard"]].reset_index(drop=True)
    frames = [pd.DataFrame({"variable": "u", "index": np.arange(len(soft)), "priority": soft["priority"].to_numpy(),
                            "value": values[model.columns.col("u", np.arange(len(soft)))]})]
    units = model.equity_units
    if len(units):
        frames.append(pd.DataFrame({"variable": "eq_u", "index": units["u"].to_numpy(),
                                    "priority": units["priority"].to_numpy(),
                                    "value": values[model.columns.col("eq_u", units["u"])]}))
    return pd.concat(frames, ignore_index=True)


def contribution_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """What moves each goal: (goal, kind, source, contribution, chosen).

    One row per project that could move the goal's level in its scope by the goal's year
    (kind ``project``), per cluster synergy (``cluster``) and per interacting transport pair
    (``pair``, "p+q"). ``contribution`` is the change of the goal's level the plan owes to it;
    the baseline plus the contributions is the achieved level. ``chosen``: the plan moves the
    goal through it (a candidate that is not chosen, or not complete in time, has 0).
    """
    columns = ["goal", "kind", "source", "contribution", "chosen"]
    goals = model.index.goals
    if goals.empty:
        return pd.DataFrame(columns=columns)
    terms = model.level_terms(goals[["indicator", "scope", "year"]])
    if terms.empty:
        return pd.DataFrame(columns=columns)
    kind, source = _column_sources(model)
    cols = terms["col"].to_numpy(dtype=np.int64)
    frame = pd.DataFrame({"goal": goals["goal"].to_numpy()[terms["item"].to_numpy()],
                          "kind": kind.reindex(cols).to_numpy(), "source": source.reindex(cols).to_numpy(),
                          "contribution": terms["coef"].to_numpy(dtype=float) * values[cols]})
    frame = frame.dropna(subset=["source"])
    table = frame.groupby(["goal", "kind", "source"], as_index=False, sort=False)["contribution"].sum()
    table["chosen"] = table["contribution"].abs() > EPSILON
    table.loc[~table["chosen"], "contribution"] = 0.0
    order = {g: i for i, g in enumerate(goals["goal"])}
    table = table.assign(_goal=table["goal"].map(order), _size=-table["contribution"].abs())
    return table.sort_values(["_goal", "_size", "source"]).drop(columns=["_goal", "_size"]).reset_index(drop=True)


def _column_sources(model: AllocationModel) -> tuple[pd.Series, pd.Series]:
    """Kind and source of the columns that move levels: starts (project), cluster completion, pairs."""
    starts = model.index.starts
    parts = [(model.columns.col("x", starts["x"]), "project", starts["project"].to_numpy())]
    investments = model.index.investments
    if investments is not None and not investments.cluster_years.empty:
        years = investments.cluster_years
        parts.append((model.columns.col("w", years["w"]), "cluster", years["cluster"].to_numpy()))
    if investments is not None and not investments.pair_years.empty:
        pairs = investments.pair_years
        parts.append((model.columns.col("v", pairs["v"]), "pair",
                      (pairs["first"].astype(str) + "+" + pairs["second"].astype(str)).to_numpy()))
    index = np.concatenate([cols for cols, _, _ in parts])
    kind = pd.Series(np.concatenate([[k] * len(cols) for cols, k, _ in parts]), index=index)
    source = pd.Series(np.concatenate([names for _, _, names in parts]), index=index)
    return kind, source


def spending_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """Money used per (fund, region, year); region is the paying region (construction and running costs)."""
    flows = model.index.payments
    amount = values[model.columns.col("y", flows["y"])]
    spent = flows.assign(amount=amount)
    spent = spent[spent["amount"] > EPSILON]
    table = spent.groupby(["fund", "payer", "year"], as_index=False)["amount"].sum()
    return table.rename(columns={"payer": "region"})


def _network(answer: Answer, tables: dict[str, pd.DataFrame]) -> None:
    """The Network sheet's links and the junctions' coordinates, for the map."""
    network = tables.get("Network")
    if network is not None and not network.empty:
        answer.network_links = [(str(link), str(a), str(b))
                                for link, a, b in zip(network["link"], network["from"], network["to"])]
    nodes = tables.get("Nodes")
    if nodes is not None and not nodes.empty and {"lat", "lon"} <= set(nodes.columns):
        for r in nodes.itertuples(index=False):
            lat, lon = pd.to_numeric(pd.Series([r.lat, r.lon]), errors="coerce")
            if lat == lat and lon == lon:
                answer.node_coordinates[str(r.node)] = (float(lon), float(lat))


def running_table(flows: pd.DataFrame) -> pd.DataFrame:
    """The running costs the plan pays: (project, fund, region, year, amount), region = the paying region."""
    running = flows[flows["part"] == RUN] if not flows.empty else flows
    if running.empty:
        return pd.DataFrame(columns=["project", "fund", "region", "year", "amount"])
    table = running.groupby(["project", "fund", "payer", "year"], as_index=False)["amount"].sum()
    return table.rename(columns={"payer": "region"})
