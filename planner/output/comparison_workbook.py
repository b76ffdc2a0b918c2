"""The comparison workbook of ``planner compare --out``.

Overview, Allocation by region (with a chart of money per region and scenario and, with
matplotlib, a map per scenario), Projects (chosen in every scenario, some or none), Goals and
the input cells that differ between the scenarios.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.chart import Reference

from planner.comparison import Outcome, allocation_by_region, goals_matrix, input_differences, overview, projects_matrix
from planner.output import maps
from planner.output.excel import (
    add_bar_chart,
    add_picture,
    add_sheet,
    atomic_write,
    bar_chart,
    finish_workbook,
    new_workbook,
    place_chart,
    write_block,
)


def write_comparison(outcomes: list[Outcome], target: Path, figures: Path | None = None) -> Path:
    """The comparison workbook: Overview, Allocation by region (chart and map), Projects, Goals (chart),
    Inputs that differ; with ``figures``, the comparison's map also as PNG and SVG in that folder."""
    allocation = allocation_by_region(outcomes)
    sheets = {
        "Overview": overview(outcomes),
        # per_capita is money per person in the money unit (0.000017 million USD): the "invested per
        # person (USD)" column beside it says the same in a readable unit
        "Allocation by region": allocation.drop(columns=["per_capita"], errors="ignore"),
        "Projects": projects_matrix(outcomes),
        "Goals": goals_matrix(outcomes),
        "Inputs that differ": input_differences(outcomes),
    }
    panels = [maps.map_data(o.answer, o.label) for o in outcomes
              if o.answer is not None and o.status in ("optimal", "feasible")] if maps.available() else []
    picture = maps.draw([p for p in panels if p is not None])
    if figures is not None and picture is not None:
        Path(figures).mkdir(parents=True, exist_ok=True)
        for fmt in ("png", "svg"):
            content = maps.draw([p for p in panels if p is not None], fmt=fmt)
            if content is not None:
                atomic_write(Path(figures) / f"comparison-map.{fmt}", _writer(content))

    def write(path: Path) -> None:
        wb = new_workbook()
        for name, frame in sheets.items():
            add_sheet(wb, name, frame, note="nothing to compare")
        goals = sheets["Goals"]
        progress = [str(c) for c in goals.columns if str(c).endswith(" progress")]
        if progress:
            add_bar_chart(wb["Goals"], goals, progress, "Goal progress by scenario (share of the required change "
                          "reached; 100% = met)", x_title="goal", y_title="progress", y_format="0%",
                          width=max(16, min(32, 4 + 0.8 * len(goals) * len(progress))))
        if not allocation.empty:
            _allocation_chart(wb["Allocation by region"], allocation)
        if picture is not None:
            add_picture(wb["Allocation by region"], picture, width_px=min(1100, 420 * len(panels)))
        labels = [o.label for o in outcomes]
        finish_workbook(wb, ", ".join(labels)[:100], "")
        wb.save(path)

    return atomic_write(target, write)


def _writer(content: bytes):
    def write(path: Path) -> None:
        path.write_bytes(content)
    return write


def _allocation_chart(ws, allocation: pd.DataFrame) -> None:
    """Money invested per region, one bar per scenario (data block beside the table, chart below)."""
    pivot = allocation.pivot_table(index="region", columns="scenario", values="invested", aggfunc="sum", sort=False)
    block = pivot.fillna(0.0).reset_index()
    block.columns = ["region"] + [f"invested {c}" for c in pivot.columns]
    start = ws.max_column + 2
    write_block(ws, block, start)
    chart = bar_chart("Money invested per region, by scenario", "region", "money invested", y_format="#,##0",
                      width=max(18, min(32, 1.2 * len(pivot) * max(1, len(pivot.columns)) / 2)), height=10)
    chart.add_data(Reference(ws, min_col=start + 1, max_col=start + len(pivot.columns), min_row=1,
                             max_row=len(pivot) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=start, min_row=2, max_row=len(pivot) + 1))
    place_chart(ws, chart, where="below")


__all__ = ["write_comparison"]
