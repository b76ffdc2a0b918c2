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
from planner.results import Answer, allocation_table
from planner.results.idle import idle_summary
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
        totals = fund_totals(answer)
        if not totals.empty:
            write_block(ws, totals, ws.max_column + 2, {c: MONEY for c in ("budget", "used", "unused")})
        _spending_chart(wb, ws, answer)
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
    """One row per chosen project: its tranches (start years and shares), region, kind, costs,
    partner money, the funds that pay and what each fund pays in each year.

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
                       region=("region", "first"), kind=("kind", "first"), total_cost=("cost", "sum")).reset_index()
    plan.insert(1, "name", plan["project"].map(info["name"]))
    plan.insert(3, "tranches", plan["project"].map({project: _tranches(rows) for project, rows in grouped}))
    partner_share = plan["project"].map(info["partner_share"]).fillna(0.0).astype(float)
    plan["own_cost"] = plan["total_cost"] * (1 - partner_share)
    plan["partner_money"] = plan["total_cost"] * partner_share
    plan["partner"] = plan["project"].map(info["partner"])
    if not answer.flows.empty:
        funds = answer.flows.groupby("project")["fund"].apply(lambda f: ", ".join(sorted(map(str, set(f)))))
        plan["funds"] = plan["project"].map(funds)
        paid = answer.flows.pivot_table(index="project", columns=["fund", "year"], values="amount", aggfunc="sum")
        paid.columns = [f"paid {fund} {year}" for fund, year in paid.columns]
        plan = plan.merge(paid, left_on="project", right_index=True, how="left")
    return plan.sort_values(["start", "project"], kind="stable").reset_index(drop=True)


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
    used = (answer.flows.groupby(["fund", "scope", "year"])["amount"].sum()
            if not answer.flows.empty else pd.Series(dtype=float))
    key = pd.MultiIndex.from_frame(table[["fund", "scope", "year"]])
    table["used"] = used.reindex(key).fillna(0.0).to_numpy() if len(used) else 0.0
    table = table.rename(columns={"amount": "budget"})
    cumulative = table.groupby(["fund", "scope"])[["budget", "used"]].cumsum()
    table["carried_over"] = np.where(table["carry_over"], cumulative["budget"] - cumulative["used"], 0.0)
    idle = set(zip(answer.idle_money["fund"], answer.idle_money["scope"], answer.idle_money["year"])) \
        if not answer.idle_money.empty else set()
    table["can_help"] = ["no" if (f, sc, int(y)) in idle else "yes" if b > 0 else ""
                         for f, sc, y, b in zip(table["fund"], table["scope"], table["year"], table["budget"])]
    table["scope"] = table["scope"].replace("", "(pooled: all regions)")
    return table[["fund", "scope", "year", "budget", "used", "carried_over", "carry_over", "can_help"]]


def fund_totals(answer: Answer) -> pd.DataFrame:
    """Per fund: budget over the horizon, money used, and unused."""
    spending = spending_frame(answer)
    if spending.empty:
        return pd.DataFrame()
    totals = spending.groupby("fund", as_index=False, sort=False)[["budget", "used"]].sum()
    totals["unused"] = totals["budget"] - totals["used"]
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
