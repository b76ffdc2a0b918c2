"""The results workbook: the answer as sheets a planner opens in Excel and forwards.

Summary (status, stages, money per fund, goals, run record), Plan, Spending,
Goals, Regions, and a sheet per investment family present; native Excel
charts (no images), frozen headers, filters, widths and number formats. Text
from the input is always written as text (never as a formula), and the file is
written atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from planner.advice.findings import Findings
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
from planner.results import Answer
from planner.status import Status


def write_results(answer: Answer, target: Path, findings: Findings | None = None, *, force: bool = False,
                  protect: Iterable[Path] = ()) -> Path:
    """Write the results workbook for ``answer`` (and its advice) to ``target`` (atomically).

    ``protect``: the run's inputs, never overwritten; ``force``: replace an existing file the
    planner did not write (see :func:`planner.output.excel.check_target`).
    """
    findings = findings or Findings()

    def write(path: Path) -> None:
        wb = new_workbook()
        _sheet(wb, "Summary", summary_frame(answer), {"value": NUMBER})
        plan = plan_frame(answer)
        _sheet(wb, "Plan", plan, {c: MONEY for c in plan.columns if c.startswith(("total", "own", "partner", "paid"))}
               | {"share": SHARE})
        spending = spending_frame(answer)
        ws = _sheet(wb, "Spending", spending, {"budget": MONEY, "used": MONEY, "carried_over": MONEY})
        _spending_chart(wb, ws, answer)
        goals = goals_frame(answer)
        ws = _sheet(wb, "Goals", goals, {"target": NUMBER, "achieved": NUMBER, "shortfall": NUMBER,
                                         "attainment": SHARE})
        add_bar_chart(ws, goals, ["attainment"], "Goal attainment (achieved / target)", "H2", y_title="share")
        regions = regions_frame(answer)
        ws = _sheet(wb, "Regions", regions, {c: NUMBER for c in regions.columns if c not in ("region", "indicator")}
                    | {"change_pct": SHARE})
        allocation = allocation_frame(answer)
        ws = _sheet(wb, "Allocation", allocation, {c: MONEY for c in allocation.columns if c != "region"})
        add_bar_chart(ws, allocation, ["invested"], "Investment per region", "H2", y_title="money")
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

    return atomic_write(target, write, force=force, protect=protect)


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
        for fund, amount in available.items():
            rows.append((f"fund {fund}: available", float(amount)))
            rows.append((f"fund {fund}: used", float(used.get(fund, 0.0))))
    if not answer.goals.empty:
        met = answer.goals[answer.goals["met"]]["goal"].tolist()
        missed = answer.goals[~answer.goals["met"]]["goal"].tolist()
        rows.append(("goals met", f"{len(met)} of {len(answer.goals)}: {', '.join(map(str, met))}"))
        rows.append(("goals missed", ", ".join(map(str, missed)) or "none"))
    rows += [(f"run: {key}", value) for key, value in answer.run.items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def plan_frame(answer: Answer) -> pd.DataFrame:
    """Each chosen (project, start): years, share, region, kind, costs, partner money, funds per year."""
    if answer.projects.empty:
        return pd.DataFrame()
    info = answer.project_info.set_index("project")
    plan = answer.projects.copy()
    plan.insert(1, "name", plan["project"].map(info["name"]))
    duration = plan["project"].map(info["duration"]).astype(int)
    plan.insert(3, "complete_from", plan["start"] + duration)
    partner_share = plan["project"].map(info["partner_share"]).fillna(0.0).astype(float)
    plan["total_cost"] = plan.pop("cost")
    plan["own_cost"] = plan["total_cost"] * (1 - partner_share)
    plan["partner_money"] = plan["total_cost"] * partner_share
    plan["partner"] = plan["project"].map(info["partner"])
    if not answer.flows.empty:
        paid = answer.flows.pivot_table(index="project", columns=["fund", "year"], values="amount", aggfunc="sum")
        paid.columns = [f"paid {fund} {year}" for fund, year in paid.columns]
        plan = plan.merge(paid, left_on="project", right_index=True, how="left")
    return plan


def spending_frame(answer: Answer) -> pd.DataFrame:
    """Fund x budget scope x year: budget, money used, carried over; with totals per fund."""
    if answer.budgets.empty:
        return pd.DataFrame()
    table = answer.budgets.copy()
    used = (answer.flows.groupby(["fund", "scope", "year"])["amount"].sum()
            if not answer.flows.empty else pd.Series(dtype=float))
    key = pd.MultiIndex.from_frame(table[["fund", "scope", "year"]])
    table["used"] = used.reindex(key).fillna(0.0).to_numpy() if len(used) else 0.0
    table = table.rename(columns={"amount": "budget"})
    cumulative = table.groupby(["fund", "scope"])[["budget", "used"]].cumsum()
    table["carried_over"] = np.where(table["carry_over"], cumulative["budget"] - cumulative["used"], 0.0)
    table["scope"] = table["scope"].replace("", "(pooled: all regions)")
    totals = table.groupby("fund", as_index=False)[["budget", "used"]].sum()
    totals["scope"], totals["year"], totals["carried_over"], totals["carry_over"] = "TOTAL", None, None, None
    table = pd.concat([table, totals], ignore_index=True)
    return table[["fund", "scope", "year", "budget", "used", "carried_over", "carry_over"]]


def goals_frame(answer: Answer) -> pd.DataFrame:
    """Goals with attainment and the projects that move each goal's indicator in its scope."""
    if answer.goals.empty:
        return pd.DataFrame()
    goals = answer.goals.copy()
    goals["attainment"] = _ratio(goals["achieved"], goals["target"])
    groups = answer.region_info.dropna(subset=["group"]).groupby("group")["region"].apply(set)
    movers = []
    for goal in goals.itertuples(index=False):
        regions = (set(answer.region_info["region"]) if goal.region is None
                   else groups.get(goal.region, {goal.region}))
        hit = answer.movers[(answer.movers["indicator"] == goal.indicator) & answer.movers["region"].isin(regions)]
        movers.append(", ".join(sorted(map(str, hit["project"].unique()))))
    goals["moved_by"] = movers
    return goals


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
    """Money invested per region (by the paying region), per capita, and per unit of gain."""
    regions = answer.region_info[["region", "population"]].copy()
    invested = answer.flows.groupby("payer")["amount"].sum() if not answer.flows.empty else pd.Series(dtype=float)
    regions["invested"] = regions["region"].map(invested).fillna(0.0)
    population = regions["population"].astype(float)
    regions["invested_per_capita"] = _ratio(regions["invested"], population)
    if not answer.regions.empty:
        last = answer.regions[answer.regions["year"] == answer.regions["year"].max()]
        gains = (last["level"] - last["baseline"]).groupby([last["region"], last["indicator"]]).sum().unstack()
        for indicator in gains.columns:
            gain = regions["region"].map(gains[indicator]).fillna(0.0)
            regions[f"gain {indicator}"] = gain
            regions[f"invested per {indicator}"] = _ratio(regions["invested"], gain)
    return regions.drop(columns=["population"])


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
