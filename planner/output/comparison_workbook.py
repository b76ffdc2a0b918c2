"""The comparison workbook of ``planner compare --out``.

Overview, Allocation by region (with a chart of money per region and scenario),
Projects (chosen in every scenario, some or none), Goals and the input cells
that differ between the scenarios.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl.chart import BarChart, Reference

from planner.comparison import Outcome, allocation_by_region, goals_matrix, input_differences, overview, projects_matrix
from planner.output.excel import MONEY, NUMBER, SHARE, add_bar_chart, add_sheet, atomic_write, new_workbook, write_block


def write_comparison(outcomes: list[Outcome], target: Path, *, force: bool = False,
                     protect: Iterable[Path] = ()) -> Path:
    """The comparison workbook: Overview, Allocation by region (chart), Projects, Goals, Inputs that differ.

    ``protect``: the compared workbooks, never overwritten; ``force``: replace an existing file the
    planner did not write.
    """
    sheets = {
        "Overview": overview(outcomes),
        "Allocation by region": allocation_by_region(outcomes),
        "Projects": projects_matrix(outcomes),
        "Goals": goals_matrix(outcomes),
        "Inputs that differ": input_differences(outcomes),
    }

    def write(path: Path) -> None:
        wb = new_workbook()
        for name, frame in sheets.items():
            shares = {c: SHARE for c in frame.columns if str(c).endswith(" progress")}
            add_sheet(wb, name, frame, {"invested": MONEY, "objective": NUMBER} | shares, note="nothing to compare")
        goals = sheets["Goals"]
        progress = [str(c) for c in goals.columns if str(c).endswith(" progress")]
        if progress:
            add_bar_chart(wb["Goals"], goals, progress, "Goal progress by scenario (share of the required change "
                          "reached; 100% = met)", wb["Goals"].cell(row=len(goals) + 3, column=1).coordinate,
                          y_title="share")
        allocation = sheets["Allocation by region"]
        if not allocation.empty:
            _allocation_chart(wb["Allocation by region"], allocation)
        wb.save(path)

    return atomic_write(target, write, force=force, protect=protect)


def _allocation_chart(ws, allocation: pd.DataFrame) -> None:
    """Money invested per region, one bar per scenario (data block beside the table)."""
    pivot = allocation.pivot_table(index="region", columns="scenario", values="invested", aggfunc="sum")
    block = pivot.fillna(0.0).reset_index()
    block.columns = ["region"] + [str(c) for c in pivot.columns]
    start = ws.max_column + 2
    write_block(ws, block, start)
    chart = BarChart()
    chart.title = "Money invested per region, by scenario"
    chart.add_data(Reference(ws, min_col=start + 1, max_col=start + len(pivot.columns), min_row=1,
                             max_row=len(pivot) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=start, min_row=2, max_row=len(pivot) + 1))
    chart.width, chart.height = 22, 10
    ws.add_chart(chart, ws.cell(row=len(pivot) + 4, column=start).coordinate)


__all__ = ["write_comparison"]
