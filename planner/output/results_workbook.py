"""The results workbook: the answer as sheets a planner opens in Excel or LibreOffice, prints and forwards.

Brief (one page: what the plan funds, what it gets, what is missing, with the map), Summary (status,
stages, money per fund, goals, run record), Plan, Spending, Goals, Regions, Allocation, a sheet per
investment family present, Equity, Diagnosis and Marginal when computed. The content of each sheet
is a frame built here (``*_frame``); how it looks (number formats from the columns' meaning, widths,
native charts placed clear of the tables, print setup, the language of titles and headers) is the
one Excel layer's (:mod:`planner.output.excel`, :mod:`planner.output.labels`). Text from the input
is always written as text (never as a formula), and the file is written atomically.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from planner.advice.findings import Findings
from planner.model.index import BUILD, RUN
from planner.output import maps
from planner.output.advice_workbooks import diagnosis_sheet, marginal_sheet
from planner.output.brief import brief, idle_sentences, spread_sentence
from planner.output.excel import (
    DEFAULT_HEIGHT,
    FORMULA_STARTS,
    TEXT_PER_WIDTH,
    add_bar_chart,
    add_picture,
    add_sheet,
    atomic_write,
    bar_chart,
    finish_workbook,
    format_kind,
    new_workbook,
    number_format,
    place_chart,
    write_block,
    write_table,
)
from planner.output.labels import language, percent, sheet_title, summary_item, word
from planner.results import Answer, allocation_table
from planner.results.extract import UNDER_WAY
from planner.results.idle import idle_summary
from planner.status import Status


def write_results(answer: Answer, target: Path, findings: Findings | None = None, lang: str | None = None,
                  figures: Path | None = None, *, force: bool = False, protect: Iterable[Path] = ()) -> Path:
    """Write the results workbook for ``answer`` (and its advice) to ``target`` (atomically), in
    ``lang`` (default: the scenario's Settings.language, else English); with ``figures``, the map
    also as PNG and SVG files in that folder.

    ``protect``: the run's inputs, never overwritten; ``force``: replace an existing file the
    planner did not write (see :func:`planner.output.excel.check_target`).
    """
    findings = findings or Findings()
    lang = language(lang or answer.language)
    data = maps.map_data(answer) if maps.available() else None
    picture = maps.draw([data], lang) if data is not None else None
    if figures is not None:
        write_figures(answer, figures, lang)

    def write(path: Path) -> None:
        wb = new_workbook()
        _brief_sheet(wb, answer, findings, lang, picture)
        add_sheet(wb, "Summary", summary_in(answer, findings, lang), {}, lang=lang,
                  title=sheet_title("Summary", lang), filters=False)
        _format_summary(wb[sheet_title("Summary", lang)])
        add_sheet(wb, "Plan", plan_frame(answer), {}, lang=lang, title=sheet_title("Plan", lang),
                  note=word("nothing", lang), details=lambda c: c.startswith("paid "))
        spending = spending_frame(answer)
        if not spending.empty:
            spending["scope"] = spending["scope"].replace(word("pooled", "en"), word("pooled", lang))
        ws = _sheet(wb, "Spending", spending, lang)
        totals = fund_totals(answer)
        if not totals.empty:
            write_block(ws, totals, ws.max_column + 2, lang=lang)
        _spending_chart(ws, answer, lang)
        _running_chart(ws, answer, lang)
        goals = goals_frame(answer, findings)
        ws = _sheet(wb, "Goals", goals, lang)
        add_bar_chart(ws, goals, ["progress"], word("chart.goals", lang), x_title=word("axis.goal", lang),
                      y_title=word("axis.progress", lang), width=max(12, min(30, 2 + 1.6 * len(goals))))
        _sheet(wb, "Regions", readable_per_capita(regions_frame(answer)), lang)
        allocation = allocation_frame(answer)
        ws = _sheet(wb, "Allocation", allocation, lang)
        per_person = [c for c in allocation.columns if c.startswith("invested per ") and c.endswith(")")]
        width = max(14, min(30, 2 + 1.3 * len(allocation)))
        add_bar_chart(ws, allocation, ["invested"], word("chart.invested", lang), x_title=word("axis.region", lang),
                      y_title=_money_axis(answer, lang), width=width)
        add_bar_chart(ws, allocation, per_person[:1], word("chart.per_person", lang),
                      x_title=word("axis.region", lang), y_title=per_person[0] if per_person else "", width=width)
        for name, frame in (("Clusters", answer.clusters), ("Transport", transport_frame(answer)),
                            ("Partners", answer.partners)):
            if not frame.empty:
                _sheet(wb, name, frame, lang)
        _equity_sheet(wb, answer, findings.price_of_fairness, lang)
        if findings.diagnosis is not None:
            _sheet(wb, "Diagnosis", diagnosis_sheet(findings.diagnosis), lang)
        if findings.marginal is not None:
            _sheet(wb, "Marginal", marginal_sheet(findings.marginal), lang)
        brief_title = sheet_title("Brief", lang)
        finish_workbook(wb, answer.scenario, str(answer.run.get("date", ""))[:10], one_page=[brief_title],
                        no_title_rows=[brief_title])
        wb.save(path)

    return atomic_write(target, write, force=force, protect=protect)


def write_figures(answer: Answer, folder: Path, lang: str = "en") -> list[Path]:
    """The map as ``<scenario>-map.png`` and ``.svg`` in ``folder`` (none without matplotlib or
    coordinates); returns the files written."""
    data = maps.map_data(answer)
    if data is None or not maps.available():
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    stem = _file_stem(answer.run.get("input file") or answer.scenario)
    for fmt in ("png", "svg"):
        content = maps.draw([data], lang, fmt=fmt)
        if content is None:
            continue
        target = folder / f"{stem}-map.{fmt}"
        atomic_write(target, _writer(content), force=True)  # a file the planner names: replaced each run
        written.append(target)
    return written


def _writer(content: bytes):
    def write(path: Path) -> None:
        path.write_bytes(content)
    return write


def _file_stem(name: object) -> str:
    stem = Path(str(name)).stem if str(name).lower().endswith((".xlsx", ".xlsm")) else str(name)
    return re.sub(r"[^\w.-]+", "_", stem).strip("_") or "results"


def _sheet(wb: Workbook, name: str, frame: pd.DataFrame, lang: str = "en"):
    return add_sheet(wb, name, frame, {}, lang=lang, title=sheet_title(name, lang), note=word("nothing", lang))


def _money_axis(answer: Answer, lang: str) -> str:
    return word("axis.money", lang) + (f" ({answer.money_unit})" if answer.money_unit else "")


#: Characters per unit of column width in the Brief's running text (a little more than in tables:
#: sentences have more narrow letters and spaces than figures do).
BRIEF_TEXT_PER_WIDTH = 1.25


def _brief_sheet(wb: Workbook, answer: Answer, findings: Findings, lang: str, picture: bytes | None) -> None:
    """The Brief: sentences in merged rows of columns A-E, the fund figures as a small table, the map
    beside them; one landscape page."""
    ws = wb.create_sheet(sheet_title("Brief", lang))
    widths = [34, 16, 16, 14, 24]
    for k, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = width
    total = sum(widths)
    row = 1
    for item in brief(answer, findings, lang):
        if item.kind == "table" and item.table is not None:
            box = write_table(ws, item.table, row=row, widths=False, lang=lang)
            row = box.last_row + 2
            continue
        cell = ws.cell(row=row, column=1, value=item.text)
        if isinstance(item.text, str) and item.text.startswith(FORMULA_STARTS):
            cell.data_type = "s"
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
        if item.kind == "title":
            cell.font = Font(bold=True, size=14)
            ws.row_dimensions[row].height = 22
        elif item.kind == "heading":
            cell.font = Font(bold=True, size=12, color="1F3B73")
            ws.row_dimensions[row].height = 20
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines = max(1, math.ceil(len(item.text) / (total * BRIEF_TEXT_PER_WIDTH)))
            ws.row_dimensions[row].height = DEFAULT_HEIGHT * lines + 3
        row += 1
    ws.sheet_view.showGridLines = False
    if picture is not None:
        add_picture(ws, picture, anchor=f"{get_column_letter(len(widths) + 2)}2", width_px=680)


def _format_summary(ws) -> None:
    """Each Summary value formatted from its item's meaning (the value column mixes kinds)."""
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2):
        item, value = row[0].value, row[1]
        if isinstance(value.value, bool):
            continue
        if isinstance(value.value, (int, float)):
            value.number_format = number_format(format_kind(item), [value.value])
            value.alignment = Alignment(horizontal="left")
        elif isinstance(value.value, str) and len(value.value) > 100 * TEXT_PER_WIDTH:
            value.alignment = Alignment(wrap_text=True, vertical="top")
            lines = math.ceil(len(value.value) / (100 * TEXT_PER_WIDTH))
            ws.row_dimensions[value.row].height = DEFAULT_HEIGHT * lines + 2


def summary_in(answer: Answer, findings: Findings, lang: str) -> pd.DataFrame:
    """The Summary in ``lang``: its items translated, and the sentences among its values said as the
    Brief says them (status, goals, money that cannot help, the regional spread)."""
    frame = summary_frame(answer)
    if lang == "en":
        return frame
    values = []
    for item, value in zip(frame["item"], frame["value"]):
        if item == "status":
            value = word(f"status.{Status(answer.status).value}", lang)
        elif item == "goals met" and not answer.goals.empty:
            met = answer.goals[answer.goals["met"].astype(bool)]["goal"].tolist()
            value = f"{len(met)} / {len(answer.goals)}: {', '.join(map(str, met))}"
        elif item == "goals missed" and not answer.goals.empty:
            missed = answer.goals[~answer.goals["met"].astype(bool)]
            value = ", ".join(f"{g.goal} ({percent(g.progress, lang)})" for g in missed.itertuples(index=False)) \
                or word("brief.none", lang)
        elif item == "money that cannot help":
            value = " ".join(idle_sentences(answer, lang)) or word("brief.none", lang)
        elif str(item).startswith("regional spread"):
            value = spread_sentence(answer, lang)
        values.append(value)
    return pd.DataFrame({"item": [summary_item(i, lang) for i in frame["item"]], "value": values})


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


def transport_frame(answer: Answer) -> pd.DataFrame:
    """The network's effects per region and indicator, a column per year: the model's figure and the
    true network figure (``--json`` has the same as one row per region, indicator and year)."""
    table = answer.transport
    if table.empty:
        return table
    wide = table.pivot_table(index=["region", "indicator"], columns="year", values=["model", "true"],
                             sort=False).reset_index()
    wide.columns = [" ".join(str(p) for p in c if str(p)).strip() for c in wide.columns]
    last = int(table["year"].max())
    wide["difference " + str(last)] = wide[f"model {last}"] - wide[f"true {last}"]
    return wide


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


def _ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator as floats; NaN where the denominator is 0 or missing."""
    a = pd.to_numeric(pd.Series(numerator), errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(pd.Series(denominator), errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(np.nan_to_num(b)) > 1e-12, a / b, np.nan)


def _spending_chart(ws, answer: Answer, lang: str) -> None:
    """Money used per year, stacked by fund, every year of the horizon (a year without spending
    shows as an empty bar): its data table beside the Spending table, the chart below that."""
    if answer.flows.empty:
        return
    per_year = answer.flows.pivot_table(index="year", columns="fund", values="amount", aggfunc="sum")
    years = sorted(set(answer.budgets["year"].astype(int)) | set(per_year.index.astype(int))) \
        if not answer.budgets.empty else list(per_year.index)
    per_year = per_year.reindex(years).fillna(0.0)
    start_col = ws.max_column + 2
    block = per_year.reset_index()
    block.columns = ["year"] + [f"used {f}" for f in per_year.columns]
    write_block(ws, block, start_col, lang=lang)
    chart = bar_chart(word("chart.spending", lang), word("axis.year", lang), _money_axis(answer, lang), stacked=True,
                      y_format="#,##0", width=18, height=9)
    chart.add_data(Reference(ws, min_col=start_col + 1, max_col=start_col + len(per_year.columns),
                             min_row=1, max_row=len(per_year) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=start_col, min_row=2, max_row=len(per_year) + 1))
    place_chart(ws, chart, where="beside", first_column=start_col)


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


def _running_chart(ws, answer: Answer, lang: str) -> None:
    """Construction and running costs per year, stacked (the running block grows as projects complete):
    its data table beside the Spending table, the chart below the spending chart."""
    block = running_frame(answer)
    if block.empty:
        return
    start_col = ws.max_column + 2
    write_block(ws, block, start_col, lang=lang)
    chart = bar_chart(word("chart.running", lang), word("axis.year", lang), _money_axis(answer, lang), stacked=True,
                      y_format="#,##0", width=18, height=9)
    chart.add_data(Reference(ws, min_col=start_col + 1, max_col=start_col + len(block.columns) - 1,
                             min_row=1, max_row=len(block) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=start_col, min_row=2, max_row=len(block) + 1))
    place_chart(ws, chart, where="beside", first_column=start_col)


def _equity_sheet(wb: Workbook, answer: Answer, pof: dict[str, Any], lang: str) -> None:
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
    measures = pd.DataFrame([(summary_item(m, lang), v) for m, v in rows], columns=["measure", "value"])
    regions = pof.get("regions") if isinstance(pof.get("regions"), pd.DataFrame) else equity.get("regions")
    title = sheet_title("Equity", lang)
    ws = add_sheet(wb, "Equity", measures, {}, lang=lang, title=title, filters=False)
    for row in ws.iter_rows(min_row=2):
        if isinstance(row[1].value, (int, float)) and not isinstance(row[1].value, bool):
            row[1].number_format = number_format("share" if "pct" in str(row[0].value) else "number", [row[1].value])
            row[1].alignment = Alignment(horizontal="right")
    if isinstance(regions, pd.DataFrame) and not regions.empty:
        regions = readable_per_capita(regions)
        start = len(measures) + 3
        add_sheet(wb, "Equity", regions, {}, start_row=start, lang=lang, title=title)
        efficient = [c for c in regions.columns if str(c).startswith("gain_per_capita_efficient")]
        if efficient:
            first = list(regions.columns).index(efficient[0]) + 1
            chart = bar_chart(word("chart.equity", lang), word("axis.region", lang), "", width=20, height=10)
            chart.add_data(Reference(ws, min_col=first, max_col=first + 1, min_row=start,
                                     max_row=start + len(regions)), titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=start + len(regions)))
            place_chart(ws, chart, where="below")


def readable_per_capita(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-capita columns (``*_per_capita``) shown per 1,000 or per 1,000,000 persons when per
    person they would be small fractions (GRP in million USD per person reads 0.00 everywhere):
    the column is scaled so that its typical figure is at least 1, and its header says per how
    many persons."""
    frame = frame.copy()
    for column in [c for c in frame.columns if "per_capita" in str(c)]:
        values = pd.to_numeric(frame[column], errors="coerce").abs()
        typical = float(values[values > 0].median()) if (values > 0).any() else 0.0
        persons = next((p for p in (1, 1_000, 1_000_000) if typical * p >= 1), 1_000_000) if typical else 1
        if persons == 1:
            continue
        name = str(column).replace("per_capita", f"per {persons:,} persons").replace("_", " ")
        frame[column] = pd.to_numeric(frame[column], errors="coerce") * persons
        frame = frame.rename(columns={column: name})
    return frame
