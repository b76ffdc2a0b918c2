"""Sheets and workbooks of the advisors: Diagnosis, Marginal, Frontier (with line charts), Alternatives.

``diagnosis_sheet`` and ``marginal_sheet`` give the frames the results workbook
shows as its Diagnosis and Marginal sheets (``planner.output.results_workbook.write_results``
writes them from the findings). ``write_frontier`` and ``write_alternatives``
write the workbooks of ``planner frontier --out`` and ``planner alternatives
--out``. Files are written atomically and input text never becomes a formula
(:mod:`planner.output`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from planner.advice.alternatives import Alternatives
from planner.advice.diagnose import Diagnosis
from planner.advice.frontier import Frontier
from planner.output.excel import add_line_chart, add_sheet, atomic_write, finish_workbook, new_workbook, write_heading


def diagnosis_sheet(diagnosis: Diagnosis) -> pd.DataFrame:
    """The Diagnosis sheet: status, explanation, each conflicting rule with Sheet!row, each repair."""
    return diagnosis.frame()


def marginal_sheet(table: pd.DataFrame) -> pd.DataFrame:
    """The Marginal sheet: one row per budget, binding ones first with the value of more money."""
    if table.empty:
        return table
    frame = table.copy()
    frame["region"] = frame["region"].where(frame["region"].notna(), "(pooled)")
    return frame.sort_values(["binding", "gain_per_money"], ascending=[False, False], kind="stable")


def _sheet(wb: Workbook, name: str, frame: pd.DataFrame, formats: dict[str, str] | None = None,
           start_row: int = 1):
    return add_sheet(wb, name, frame, formats, start_row=start_row, note="nothing to show")


def write_frontier(frontier: Frontier, target: Path, *, force: bool = False, protect: Iterable[Path] = ()) -> Path:
    """The frontier table and line charts below it of the outcomes against money: the plan's
    benefit and each goal's progress (a goal sweep: the cheapest cost of each target).

    ``protect`` and ``force`` as for :func:`planner.output.excel.atomic_write`.
    """
    points = frontier.points

    def write(path: Path) -> None:
        wb = new_workbook()
        ws = _sheet(wb, "Frontier", points)
        x_name = "money" if frontier.kind == "budget" else "target"
        x_title = (f"money of {frontier.subject}" if frontier.kind == "budget"
                   else f"target of {frontier.subject}")
        if frontier.kind == "goal":
            add_line_chart(ws, points, x_name, ["objective"], f"Cheapest discounted cost against the {x_title}",
                           x_title, "discounted cost")
        else:
            add_line_chart(ws, points, x_name, ["benefit"], f"Discounted benefit of the plan against the {x_title}",
                           x_title, "benefit (money worth)")
        progress = [c for c in points.columns if c.startswith("progress ")]
        if progress and frontier.kind == "budget":
            add_line_chart(ws, points, x_name, progress, f"Goal progress against the {x_title}", x_title,
                           "share of the required change reached", y_format="0%")
        about = pd.DataFrame({"item": ["sweep", "subject", "objective", "points"],
                              "value": [frontier.kind, frontier.subject, frontier.objective, len(points)]})
        _sheet(wb, "About", about)
        finish_workbook(wb, f"frontier of {frontier.subject}", "")
        wb.save(path)

    return atomic_write(target, write, force=force, protect=protect)


def write_alternatives(alternatives: Alternatives, target: Path, *, force: bool = False,
                       protect: Iterable[Path] = ()) -> Path:
    """An Overview sheet (plans, then each project's class) and a sheet per plan.

    ``protect`` and ``force`` as for :func:`planner.output.excel.atomic_write`.
    """
    overview = alternatives.overview()
    classes = alternatives.classes()

    def write(path: Path) -> None:
        wb = new_workbook()
        _sheet(wb, "Overview", overview)
        write_heading(wb["Overview"], len(overview) + 3, "Projects across the plans")
        _sheet(wb, "Overview", classes, start_row=len(overview) + 4)
        for plan in alternatives.plans:
            name = "Optimum" if plan.number == 0 else f"Alternative {plan.number}"
            ws = _sheet(wb, name, plan.answer.projects)
            goals = plan.answer.goals
            if not goals.empty:
                row = len(plan.answer.projects) + 3
                write_heading(ws, row, "Goals")
                _sheet(wb, name, goals[["goal", "indicator", "region", "year", "sense", "target", "achieved",
                                        "shortfall", "met"]], start_row=row + 1)
        finish_workbook(wb, alternatives.scenario, "")
        wb.save(path)

    return atomic_write(target, write, force=force, protect=protect)


__all__ = ["diagnosis_sheet", "marginal_sheet", "write_frontier", "write_alternatives"]
