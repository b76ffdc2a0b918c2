"""The robust workbook of ``planner robust``: Summary, Core index, Risk profile, Robust plan, Uncertainty, Regret.

Summary (measure, samples, seed, the price of robustness, timings, run record), Core index
(projects sorted by the share of samples whose optimum contains them, with a bar chart),
Risk profile (both plans side by side, with a line chart of the principal objective's
distribution over the samples), Robust plan (its projects and each stage at the point
estimates beside the deterministic plan's), Uncertainty (the ranges and reliabilities that
were sampled) and Regret (with ``--variants``). Written atomically through
:mod:`planner.output.excel`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.chart import LineChart, Reference

from planner.advice.robust import Robustness
from planner.output.excel import (
    SHARE,
    add_bar_chart,
    add_sheet,
    atomic_write,
    finish_workbook,
    new_workbook,
    place_chart,
    unsmooth,
    write_block,
    write_heading,
)

#: Points of the distribution chart: the share of samples at or below each value.
DISTRIBUTION_POINTS = 21


def summary_frame(result: Robustness) -> pd.DataFrame:
    """(item, value) rows: what was sampled, how, what the robust plan costs, and the run record."""
    price = result.price_of_robustness
    rows: list[tuple[str, Any]] = [
        ("scenario", result.scenario), ("measure", result.measure), ("alpha", result.alpha),
        ("samples", result.samples), ("seed", result.seed),
        ("uncertain inputs", len(result.uncertain)),
        ("principal objective (the first that depends on the samples)", result.principal or "none"),
    ]
    rows += [(f"samples {status}", count) for status, count in sorted(result.sample_status.items())]
    core = result.core_index
    rows += [("projects in every sample's optimum (robust core)", int((core["class"] == "core").sum())),
             ("projects in no sample's optimum", int((core["class"] == "never").sum())),
             ("projects in some samples' optima", int((core["class"] == "borderline").sum()))]
    for label, profile in (("deterministic", result.deterministic), ("robust", result.robust)):
        rows.append((f"{label} plan: status", profile.status))
        for name, value in profile.measures:
            rows.append((f"{label} plan: {result.measure} of {name}", value))
        for name, value in profile.stages:
            rows.append((f"{label} plan: {name} at the point estimates", value))
    rows += [("price of robustness: stage", price["stage"] or "none (the robust plan gives nothing up)"),
             ("price of robustness: given up at the point estimates", price["value"]),
             ("price of robustness: relative", price["relative"])]
    if result.regret is not None:
        rows += [("least regret: largest regret", result.regret.max_regret),
                 ("least regret: on stage", result.regret.max_regret_stage),
                 ("least regret: status", result.regret.status)]
    rows += [(f"figures: {k}", str(v) if isinstance(v, dict) else v) for k, v in result.figures.items()]
    rows += [(f"run: {k}", v) for k, v in result.run.items()]
    return pd.DataFrame(rows, columns=["item", "value"])


def risk_frame(result: Robustness) -> pd.DataFrame:
    """The two risk profiles side by side, one row per objective stage and goal."""
    det = result.deterministic.risk
    if det.empty:
        return det
    frame = det[["name", "kind", "target"]].copy()
    for label, profile in (("deterministic", result.deterministic), ("robust", result.robust)):
        risk = profile.risk.set_index("name") if len(profile.risk) else pd.DataFrame(
            index=det["name"], columns=["p10", "p50", "p90", "mean", "p_met"])
        for column in ("p10", "p50", "p90", "mean", "p_met"):
            frame[f"{label} {column}"] = risk[column].reindex(frame["name"]).to_numpy()
    return frame


def distribution_frame(result: Robustness) -> pd.DataFrame:
    """The principal objective's quantile function for both plans: share of samples -> value."""
    det, rob = result.deterministic.distribution, result.robust.distribution
    if det is None:
        return pd.DataFrame()
    shares = np.linspace(0.0, 1.0, DISTRIBUTION_POINTS)
    frame = pd.DataFrame({"share of samples": shares, "deterministic": np.quantile(det, shares)})
    if rob is not None:
        frame["robust"] = np.quantile(rob, shares)
    return frame


def write_robust(result: Robustness, target: Path, *, force: bool = False, protect: Iterable[Path] = ()) -> Path:
    """Write the robust workbook for ``result`` to ``target`` (atomically; ``force`` and ``protect`` as for
    :func:`planner.output.excel.atomic_write`)."""

    def write(path: Path) -> None:
        wb = new_workbook()
        add_sheet(wb, "Summary", summary_frame(result), {}, filters=False)
        core = result.core_index
        ws = add_sheet(wb, "Core index", core, {"share": SHARE, "low": SHARE, "high": SHARE, "mean_funded": SHARE})
        add_bar_chart(ws, core, ["share"], "Core index: share of samples whose optimum contains the project",
                      y_title="share of samples", x_title="project", width=24, height=max(9.0, 0.45 * len(core)),
                      where="beside", y_format="0%")
        risk = risk_frame(result)
        formats = {c: SHARE for c in risk.columns if c.endswith("p_met")}
        # The objective stages (scores near 1e-3, money in thousands) and the goals' levels (millions) in
        # two tables, so that each column's number format fits its figures.
        stages = risk[risk["kind"] != "goal"] if len(risk) else risk
        goals = risk[risk["kind"] == "goal"] if len(risk) else risk
        ws = add_sheet(wb, "Risk profile", stages, formats)
        _score_rows(ws, stages)
        if len(goals):
            below = len(stages) + 3
            write_heading(ws, below, "Goals: their level in the samples", size=11)
            add_sheet(wb, "Risk profile", goals.reset_index(drop=True), formats, start_row=below + 1)
        distribution = distribution_frame(result)
        if not distribution.empty:
            first = len(risk.columns) + 2
            write_heading(ws, 1, f"Distribution of {result.principal} over the samples", column=first, size=11)
            write_block(ws, distribution, first, {"share of samples": SHARE}, row=2)
            _line_chart(ws, distribution, first, 2, f"{result.principal}: value at each share of the samples")
        ws = add_sheet(wb, "Robust plan", result.robust.projects, {"share": SHARE})
        row = len(result.robust.projects) + 3 if len(result.robust.projects) else 4
        write_heading(ws, row, "Stages at the point estimates: deterministic and robust plan", size=11)
        add_sheet(wb, "Robust plan", result.price, {}, start_row=row + 1)
        add_sheet(wb, "Uncertainty", result.uncertain, {},
                  note="no impact has a range and every partner's reliability is 1")
        if result.regret is not None:
            regret = result.regret
            ws = add_sheet(wb, "Regret", regret.table, {})
            row = len(regret.table) + 3
            write_heading(ws, row, "The least-regret plan", size=11)
            add_sheet(wb, "Regret", regret.projects, {"share": SHARE}, start_row=row + 1,
                      note="no plan is feasible in every future")
        finish_workbook(wb, f"robust plans of {result.scenario}", str(result.run.get("date", ""))[:10])
        wb.save(path)

    return atomic_write(target, write, force=force, protect=protect)


#: Stages whose values are money (the others are scored shortfalls, fractions near 1e-3).
MONEY_STAGES = ("benefit", "max_benefit", "cost", "min_cost")


def _score_rows(ws, stages: pd.DataFrame) -> None:
    """Scored-shortfall stages with six decimals (a column's format, chosen for the money stage beside
    them, would show 0.00092 as 0)."""
    for k, name in enumerate(stages["name"] if len(stages) else [], start=2):
        if name in MONEY_STAGES:
            continue
        for cell in ws[k]:
            header = ws.cell(row=1, column=cell.column).value
            if isinstance(cell.value, (int, float)) and not str(header).endswith("p_met") and header != "target":
                cell.number_format = "0.000000"


def _line_chart(ws, frame: pd.DataFrame, first_column: int, header_row: int, title: str) -> None:
    """A line chart of a block written by write_block (x in its first column): straight segments,
    axes shown, placed beside the tables."""
    chart = LineChart()
    chart.title = title
    chart.x_axis.title = "share of samples with this value or less"
    chart.y_axis.title = "value"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.number_format = "0%"
    chart.y_axis.number_format = "General"  # scores near 1e-3 as well as money in thousands
    chart.legend.position = "b"
    last = header_row + len(frame)
    for j in range(1, len(frame.columns)):
        chart.add_data(Reference(ws, min_col=first_column + j, min_row=header_row, max_row=last),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=first_column, min_row=header_row + 1, max_row=last))
    chart.x_axis.tickLblSkip = max(1, len(frame) // 10)
    unsmooth(chart)
    chart.width, chart.height = 20, 10
    place_chart(ws, chart, where="beside", first_column=first_column)


def default_robust_path(path: Path) -> Path:
    """``<input>-robust.xlsx`` beside the input."""
    return Path(path).with_name(f"{Path(path).stem}-robust.xlsx")


__all__ = ["default_robust_path", "distribution_frame", "risk_frame", "summary_frame", "write_robust"]
