"""The results workbook: the answer as sheets a planner opens in Excel and forwards.

Summary (status, stages, money per fund, goals, run record), Plan, Spending,
Goals, Regions, and a sheet per investment family present; native Excel
charts (no images), frozen headers, filters, widths and number formats. Text
from the input is always written as text (never as a formula), and the file is
written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from planner.advice.findings import Findings
from planner.model.index import BUILD, RUN
from planner.output.advice_workbooks import diagnosis_sheet, marginal_sheet
from planner.output.excel import (
    MONEY,
    NUMBER,
    SHARE,
    add_bar_chart,
    add_sheet,
    atomic_write,
    new_workbook,
    write_block,
)
from planner.results import Answer, allocation_table
from planner.results.extract import UNDER_WAY
from planner.results.idle import idle_summary
from planner.status import Status


def write_results(answer: Answer, target: Path, findings: Findings | None = None) -> Path:
    """Write the results workbook for ``answer`` (and its advice) to ``target`` (atomically)."""
    findings = findings or Findings()

    def write(path: Path) -> None:
        wb = new_workbook()
        _sheet(wb, "Summary", summary_frame(answer), {"value": NUMBER})
        plan = plan_frame(answer)
        _sheet(wb, "Plan", plan, {c: MONEY for c in plan.columns if c.startswith(MONEY_COLUMNS)}
               | {"share": SHARE})
        spending = spending_frame(answer)
        ws = _sheet(wb, "Spending", spending, {c: MONEY for c in ("budget", "used", "construction", "running",
                                                                  "debt_service", "carried_over")})
        totals = fund_totals(answer)
        if not totals.empty:
            write_block(ws, totals, ws.max_column + 2, {c: MONEY for c in totals.columns if c != "fund"})
        _spending_chart(wb, ws, answer)
        _running_chart(ws, answer)
        goals = goals_frame(answer, findings)
        ws = _sheet(wb, "Goals", goals, {"target": NUMBER, "achieved": NUMBER, "shortfall": NUMBER,
                                         "baseline": NUMBER, "written_target": NUMBER, "progress": SHARE})
        add_bar_chart(ws, goals, ["progress"], "Goal progress (share of the required change reached; 100% = met)",
                      "H2", y_title="share")
        regions = regions_frame(answer)
        ws = _sheet(wb, "Regions", regions, {c: NUMBER for c in regions.columns if c not in ("region", "indicator")}
                    | {"change_pct": SHARE})
        allocation = allocation_frame(answer)
        ws = _sheet(wb, "Allocation", allocation, _allocation_formats(allocation))
        per_person = [c for c in allocation.columns if c.startswith(("invested per ", "benefit per "))
                      and c.endswith(")")]
        add_bar_chart(ws, allocation, ["invested"], "Money invested in each region", "H2", y_title="money")
        add_bar_chart(ws, allocation, per_person, "Money invested in each region and benefit falling to it, "
                      "per person", "H20")
        for name, frame in (("Clusters", answer.clusters), ("Transport", answer.transport),
                            ("Partners", answer.partners)):
            if not frame.empty:
                _sheet(wb, name, frame, {"amount": MONEY, "model": NUMBER, "true": NUMBER, "difference": NUMBER})
        _equity_sheet(wb, answer, findings.price_of_fairness)
        if findings.diagnosis is not None:
            _sheet(wb, "Diagnosis", diagnosis_sheet(findings.diagnosis), {})
        if findings.marginal is not None:
            _sheet(wb, "Marginal", marginal_sheet(findings.marginal), {})
        wb.save(path)

    return atomic_write(target, write)


#: Plan sheet columns that hold money.
MONEY_COLUMNS = ("total", "own", "partner", "paid", "running", "cost_base", "sunk")


def _sheet(wb: Workbook, name: str, frame: pd.DataFrame, formats: dict[str, str]):
    return add_sheet(wb, name, frame, formats)


def summary_frame(answer: Answer) -> pd.DataFrame:
    """Status, stages, money per fund, goals and the run record as (item, value) rows."""
    rows: list[tuple[str, Any]] = [
        ("scenario", answer.scenario),
        ("status", Status(answer.status).words),
        ("objective", answer.objective),
    ]
    rows += [(f"stage: {name}", value) for name, value in answer.stages]
    rows += [("MIP gap", answer.mip_gap), ("solve seconds", round(answer.solve_seconds, 3))]
    if answer.message:
        rows.append(("message", answer.message))
    if not answer.budgets.empty:
        available = answer.budgets.groupby("fund")["amount"].sum()
        used = answer.flows.groupby("fund")["amount"].sum() if not answer.flows.empty else pd.Series(dtype=float)
        service = (answer.debt_service.groupby("fund")["amount"].sum() if not answer.debt_service.empty
                   else pd.Series(dtype=float))
        for fund, amount in available.items():
            rows.append((f"fund {fund}: available", float(amount)))
            rows.append((f"fund {fund}: used", float(used.get(fund, 0.0))))
            if fund in service.index:
                rows.append((f"fund {fund}: debt service", float(service[fund])))
    if not answer.flows.empty and (answer.flows["part"] == RUN).any():
        running = answer.flows[answer.flows["part"] == RUN].groupby("year")["amount"].sum()
        rows.append(("running costs paid", f"{running.sum():,.6g} in all, {running.iloc[-1]:,.6g} in "
                                           f"{int(running.index[-1])}: a recurrent burden that grows as projects "
                                           "complete"))
    if not answer.loans.empty:
        left = float(answer.debt_after["amount"].sum()) if not answer.debt_after.empty else 0.0
        last = int(answer.debt_after["year"].max()) if not answer.debt_after.empty else None
        rows.append(("debt left after the horizon", f"{left:,.6g}" + (f" (repayments until {last})" if last else "")))
    if not answer.goals.empty:
        met = answer.goals[answer.goals["met"]]["goal"].tolist()
        missed = answer.goals[~answer.goals["met"]]
        rows.append(("goals met", f"{len(met)} of {len(answer.goals)}: {', '.join(map(str, met))}"))
        rows.append(("goals missed", ", ".join(f"{g.goal} (progress {g.progress:.0%})"
                                               for g in missed.itertuples(index=False)) or "none"))
    if not answer.budgets.empty:
        rows.append(("money that cannot help", idle_summary(answer.idle_money, answer.budgets)))
    if answer.spread:
        rows.append(("regional spread" + (" (warning)" if answer.spread["warning"] else ""), answer.spread["text"]))
    rows += [(f"run: {key}", value) for key, value in answer.run.items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def plan_frame(answer: Answer) -> pd.DataFrame:
    """One row per chosen project: its tranches (start years and shares), status (when a project is under
    way), region, kind, the construction money paid inside the horizon (total, own, partner; nominal), its
    cost in base-year prices and the sunk cost of a project under way (when they differ), running costs
    (when any), the funds that pay and what each fund pays in each year.

    A divisible project may start in several tranches; they share one row, so every money
    column sums to what was paid (own cost and the paid columns to the spending, partner money
    to the partners' money).
    """
    if answer.projects.empty:
        return pd.DataFrame()
    info = answer.project_info.set_index("project")
    tranches = answer.projects.copy()
    tranches["complete"] = tranches["start"] + tranches["project"].map(info["duration"]).astype(int)
    grouped = tranches.groupby("project", sort=False)
    plan = grouped.agg(start=("start", "min"), complete_from=("complete", "min"), share=("share", "sum"),
                       region=("region", "first"), kind=("kind", "first"), base=("cost", "sum")).reset_index()
    plan.insert(1, "name", plan["project"].map(info["name"]))
    plan.insert(3, "tranches", plan["project"].map({project: _tranches(rows) for project, rows in grouped}))
    under_way = plan["project"].map(info["under_way"]).fillna(False).astype(bool) if "under_way" in info else \
        pd.Series(False, index=plan.index)
    if under_way.any():
        plan.insert(2, "status", np.where(under_way, UNDER_WAY, "new"))
    money = _project_money(answer)
    own = plan["project"].map(money["own"]).fillna(0.0)
    partner = plan["project"].map(money["partner"]).fillna(0.0)
    plan["total_cost"] = own + partner
    plan["own_cost"] = own
    plan["partner_money"] = partner
    if answer.escalation or under_way.any():
        plan["cost_base_year"] = plan["base"]
    if under_way.any():
        sunk = plan["base"] - plan["project"].map(money["base_inside"]).fillna(0.0)
        plan["sunk_cost"] = np.where(under_way, sunk.clip(lower=0.0), 0.0)
    if (money["running"] > 0).any():
        plan["running_cost"] = plan["project"].map(money["running"]).fillna(0.0)
    plan = plan.drop(columns=["base"])
    plan["partner"] = plan["project"].map(info["partner"])
    if not answer.flows.empty:
        funds = answer.flows.groupby("project")["fund"].apply(lambda f: ", ".join(sorted(map(str, set(f)))))
        plan["funds"] = plan["project"].map(funds)
        paid = answer.flows.pivot_table(index="project", columns=["fund", "year"], values="amount", aggfunc="sum")
        paid.columns = [f"paid {fund} {year}" for fund, year in paid.columns]
        plan = plan.merge(paid, left_on="project", right_index=True, how="left")
    return plan.sort_values(["start", "project"], kind="stable").reset_index(drop=True)


def _project_money(answer: Answer) -> pd.DataFrame:
    """Per project: own and partner construction money and running costs paid inside the horizon (nominal),
    and the construction money inside the horizon in base-year prices (base_inside)."""
    columns = ["own", "partner", "running", "base_inside"]
    costs = answer.costs
    if costs.empty:
        return pd.DataFrame(columns=columns)
    build = (costs["part"] == BUILD).to_numpy()
    frame = pd.DataFrame({"project": costs["project"], "own": np.where(build, costs["own"], 0.0),
                          "partner": np.where(build, costs["partner"], 0.0),
                          "running": np.where(build, 0.0, costs["own"]),
                          "base_inside": np.where(build, (costs["own"] + costs["partner"]) / costs["price"], 0.0)})
    return frame.groupby("project")[columns].sum()


def _tranches(rows: pd.DataFrame) -> str:
    """"2026: 40%, 2027: 40%" (start year and share of each tranche, completion in brackets)."""
    return ", ".join(f"{int(r.start)}: {r.share:.1%} (complete {int(r.complete)})"
                     for r in rows.sort_values("start").itertuples(index=False))


def spending_frame(answer: Answer) -> pd.DataFrame:
    """Fund x budget scope x year: budget, money used, carried over (the unspent balance at the end
    of the year, for carry-over funds: a balance, not a flow), and whether the money can help at
    all (``no``: no candidate can use it for a goal or benefit, :mod:`planner.results.idle`). No total
    rows: each money column sums to its total (per-fund totals are in :func:`fund_totals`, beside the
    table, and in the Summary)."""
    if answer.budgets.empty:
        return pd.DataFrame()
    table = answer.budgets.copy()
    key = pd.MultiIndex.from_frame(table[["fund", "scope", "year"]])

    def money(frame: pd.DataFrame) -> np.ndarray:
        if frame.empty:
            return np.zeros(len(table))
        return frame.groupby(["fund", "scope", "year"])["amount"].sum().reindex(key).fillna(0.0).to_numpy()

    flows = answer.flows
    table["used"] = money(flows)
    columns = ["fund", "scope", "year", "budget", "used"]
    if not flows.empty and (flows["part"] == RUN).any():
        table["construction"] = money(flows[flows["part"] != RUN])
        table["running"] = money(flows[flows["part"] == RUN])
        columns += ["construction", "running"]
    table["debt_service"] = money(answer.debt_service)
    if not answer.loans.empty:
        columns.append("debt_service")
    table = table.rename(columns={"amount": "budget"})
    cumulative = table.groupby(["fund", "scope"])[["budget", "used", "debt_service"]].cumsum()
    table["carried_over"] = np.where(table["carry_over"], cumulative["budget"] - cumulative["used"]
                                     - cumulative["debt_service"], 0.0)
    idle = set(zip(answer.idle_money["fund"], answer.idle_money["scope"], answer.idle_money["year"])) \
        if not answer.idle_money.empty else set()
    table["can_help"] = ["no" if (f, sc, int(y)) in idle else "yes" if b > 0 else ""
                         for f, sc, y, b in zip(table["fund"], table["scope"], table["year"], table["budget"])]
    table["scope"] = table["scope"].replace("", "(pooled: all regions)")
    return table[columns + ["carried_over", "carry_over", "can_help"]]


def fund_totals(answer: Answer) -> pd.DataFrame:
    """Per fund: budget over the horizon, money used, and unused."""
    spending = spending_frame(answer)
    if spending.empty:
        return pd.DataFrame()
    service = ["debt_service"] if "debt_service" in spending.columns else []
    totals = spending.groupby("fund", as_index=False, sort=False)[["budget", "used"] + service].sum()
    totals["unused"] = totals["budget"] - totals["used"] - (totals["debt_service"] if service else 0.0)
    return totals


def goals_frame(answer: Answer, findings: Findings | None = None) -> pd.DataFrame:
    """Goals with their progress, what in the plan moves each one (with its contribution), the
    candidates outside the plan that could move it, and for a missed goal why it is missed and what
    it would take (when the findings hold its diagnosis)."""
    if answer.goals.empty:
        return pd.DataFrame()
    goals = answer.goals.copy()
    moved_by, candidates = [], []
    for goal in goals["goal"]:
        mine = answer.contributions[answer.contributions["goal"] == goal] if not answer.contributions.empty \
            else pd.DataFrame(columns=["kind", "source", "contribution", "chosen"])
        moved_by.append(", ".join(f"{_source(r.kind, r.source)} {r.contribution:+,.4g}"
                                  for r in mine[mine["chosen"]].itertuples(index=False)))
        others = mine[~mine["chosen"] & (mine["kind"] == "project")]
        candidates.append(", ".join(sorted(map(str, others["source"]))))
    goals["moved_by"] = moved_by
    goals["candidates"] = candidates
    diagnosed = {g.goal: g for g in (findings.goals if findings is not None else [])}
    if diagnosed:
        goals["why_missed"] = [diagnosed[g].explanation() if g in diagnosed else "" for g in goals["goal"]]
        goals["what_it_would_take"] = [diagnosed[g].remedy() if g in diagnosed else "" for g in goals["goal"]]
    return goals


def _source(kind: str, source: str) -> str:
    return str(source) if kind == "project" else f"{kind} {source}"


def regions_frame(answer: Answer) -> pd.DataFrame:
    """Each region and indicator: levels per year, baseline vs end, change in % and per capita."""
    if answer.regions.empty:
        return pd.DataFrame()
    wide = answer.regions.pivot_table(index=["region", "indicator"], columns="year", values="level").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    base = answer.regions.groupby(["region", "indicator"])["baseline"].first().reset_index()
    wide = wide.merge(base, on=["region", "indicator"])
    last = str(answer.regions["year"].max())
    wide["change"] = wide[last] - wide["baseline"]
    wide["change_pct"] = _ratio(wide["change"], wide["baseline"])
    population = answer.region_info.set_index("region")["population"]
    wide["change_per_capita"] = _ratio(wide["change"], wide["region"].map(population))
    return wide


def allocation_frame(answer: Answer) -> pd.DataFrame:
    """Money invested in each region beside the benefits falling to it, per person in a unit the
    header states (:func:`planner.results.allocation_table`)."""
    return allocation_table(answer)


def _allocation_formats(allocation: pd.DataFrame) -> dict[str, str]:
    formats = {}
    for column in allocation.columns:
        if column in ("invested", "partner_money", "benefit"):
            formats[column] = MONEY
        elif column.endswith("_share"):
            formats[column] = SHARE
        elif column not in ("region", "name"):
            formats[column] = NUMBER
    return formats


def _ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator as floats; NaN where the denominator is 0 or missing."""
    a = pd.to_numeric(pd.Series(numerator), errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(pd.Series(denominator), errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(np.nan_to_num(b)) > 1e-12, a / b, np.nan)


def _spending_chart(wb: Workbook, ws, answer: Answer) -> None:
    """Money used per year, stacked by fund (data table placed to the right of the sheet)."""
    if answer.flows.empty:
        return
    per_year = answer.flows.pivot_table(index="year", columns="fund", values="amount", aggfunc="sum").fillna(0.0)
    start_col = ws.max_column + 2
    block = per_year.reset_index()
    block.columns = ["year"] + [str(f) for f in per_year.columns]
    write_block(ws, block, start_col, {c: MONEY for c in block.columns[1:]})
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Money used per year, by fund"
    chart.add_data(Reference(ws, min_col=start_col + 1, max_col=start_col + len(per_year.columns),
                             min_row=1, max_row=len(per_year) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=start_col, min_row=2, max_row=len(per_year) + 1))
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, ws.cell(row=len(per_year) + 4, column=start_col).coordinate)


def running_frame(answer: Answer) -> pd.DataFrame:
    """Per year: construction and running costs paid, and the running costs' share (empty without running
    costs): the recurrent burden that grows as projects complete."""
    flows = answer.flows
    if flows.empty or not (flows["part"] == RUN).any():
        return pd.DataFrame()
    per_year = flows.assign(part=np.where(flows["part"] == RUN, "running", "construction")).pivot_table(
        index="year", columns="part", values="amount", aggfunc="sum").reindex(columns=["construction", "running"])
    per_year = per_year.fillna(0.0).reset_index()
    if not answer.debt_service.empty:
        service = answer.debt_service.groupby("year")["amount"].sum()
        per_year["debt_service"] = per_year["year"].map(service).fillna(0.0)
    return per_year


def _running_chart(ws, answer: Answer) -> None:
    """Construction and running costs per year, stacked (the running block grows as projects complete)."""
    block = running_frame(answer)
    if block.empty:
        return
    start_col = ws.max_column + 2
    write_block(ws, block, start_col, {c: MONEY for c in block.columns[1:]})
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "Construction and running costs per year"
    chart.add_data(Reference(ws, min_col=start_col + 1, max_col=start_col + len(block.columns) - 1,
                             min_row=1, max_row=len(block) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=start_col, min_row=2, max_row=len(block) + 1))
    chart.width, chart.height = 18, 9
    ws.add_chart(chart, ws.cell(row=len(block) + 24, column=start_col).coordinate)


def _equity_sheet(wb: Workbook, answer: Answer, pof: dict[str, Any]) -> None:
    """Per-capita levels, disparity measures and, when computed, the price of fairness."""
    equity = answer.equity
    if not equity and not pof:
        return
    rows: list[tuple[str, Any]] = []
    if equity:
        rows.append(("indicator", equity["indicator"]))
        for name, values in equity["measures"].items():
            rows += [(f"{name} before the plan", values["before"]), (f"{name} after the plan", values["after"])]
    for key in ("benefit_efficient", "benefit_fair", "benefit_lost", "benefit_lost_pct"):
        if key in pof:
            rows.append((key.replace("_", " "), pof[key]))
    for plan, values in (pof.get("measures") or {}).items():
        rows += [(f"{name} ({plan})", value) for name, value in values.items()]
    measures = pd.DataFrame(rows, columns=["measure", "value"])
    regions = pof.get("regions") if isinstance(pof.get("regions"), pd.DataFrame) else equity.get("regions")
    ws = _sheet(wb, "Equity", measures, {"value": NUMBER})
    if isinstance(regions, pd.DataFrame) and not regions.empty:
        start = len(measures) + 3
        add_sheet(wb, "Equity", regions, {c: NUMBER for c in regions.columns}, start_row=start)
        if "gain_per_capita_fair" in regions.columns:
            chart = BarChart()
            chart.title = "Per-capita gain by region: efficient vs fair plan"
            first = list(regions.columns).index("gain_per_capita_efficient") + 1
            chart.add_data(Reference(ws, min_col=first, max_col=first + 1, min_row=start,
                                     max_row=start + len(regions)), titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=start + len(regions)))
            chart.width, chart.height = 20, 10
            ws.add_chart(chart, "J2")
