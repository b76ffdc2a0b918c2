"""The comparison workbook of ``planner compare --out``.

Overview, Allocation by region (with a chart of money per region and scenario and, with
matplotlib, a map per scenario), Projects (chosen in every scenario, some or none), Goals and
the input cells that differ between the scenarios.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl.chart import Reference

from planner.comparison import Outcome, allocation_by_region, goals_matrix, input_differences, overview, projects_matrix
from planner.output import maps
from planner.output.excel import (
    YEAR,
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


def write_comparison(outcomes: list[Outcome], target: Path, figures: Path | None = None, *, force: bool = False,
                     protect: Iterable[Path] = ()) -> Path:
    """The comparison workbook: Overview, Allocation by region (chart and map), Projects, Goals (chart),
    Inputs that differ; with ``figures``, the comparison's map also as PNG and SVG in that folder.

    ``protect``: the compared workbooks, never overwritten; ``force``: replace an existing file the
    planner did not write.
    """
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
    panels = _panels(outcomes)
    picture = maps.draw(panels) if panels else None
    if figures is not None:
        write_comparison_figures(outcomes, figures)

    def write(path: Path) -> None:
        wb = new_workbook()
        for name, frame in sheets.items():
            # the Projects matrix holds start years under the scenarios' names
            formats = {str(c): YEAR for c in frame.columns if c not in ("project", "chosen_in", "class")} \
                if name == "Projects" else {}
            add_sheet(wb, name, frame, formats, note="nothing to compare")
        goals = sheets["Goals"]
        progress = [str(c) for c in goals.columns if str(c).endswith(" progress")]
        if progress:
            add_bar_chart(wb["Goals"], goals, progress, "Goal progress by scenario (share of the required change "
                          "reached; 100% = met)", x_title="goal", y_title="progress", y_format="0%",
                          width=max(16, min(32, 4 + 0.8 * len(goals) * len(progress))))
        if not allocation.empty:
            # the chart and the map on a page of their own, after the (long) allocation table
            ws = wb.create_sheet(CHART_SHEET, index=wb.sheetnames.index("Allocation by region") + 1)
            _allocation_chart(ws, allocation)
            if picture is not None:
                add_picture(ws, picture, width_px=min(1100, 420 * min(len(panels), 3)))
        labels = [o.label for o in outcomes]
        finish_workbook(wb, ", ".join(labels)[:100], "", one_page=[CHART_SHEET])
        wb.save(path)

    return atomic_write(target, write, force=force, protect=protect)


def _panels(outcomes: list[Outcome]) -> list[maps.MapData]:
    """One map per solved scenario (none without matplotlib or coordinates)."""
    if not maps.available():
        return []
    panels = [maps.map_data(o.answer, o.label) for o in outcomes
              if o.answer is not None and o.status in ("optimal", "feasible")]
    return [p for p in panels if p is not None]


def write_comparison_figures(outcomes: list[Outcome], folder: Path) -> list[Path]:
    """The comparison's map (a panel per scenario) as comparison-map.png and .svg in ``folder``."""
    panels = _panels(outcomes)
    written: list[Path] = []
    if not panels:
        return written
    Path(folder).mkdir(parents=True, exist_ok=True)
    for fmt in ("png", "svg"):
        content = maps.draw(panels, fmt=fmt)
        if content is not None:
            # a file the planner names: replaced each run
            written.append(atomic_write(Path(folder) / f"comparison-map.{fmt}", _writer(content), force=True))
    return written


def _writer(content: bytes):
    def write(path: Path) -> None:
        path.write_bytes(content)
    return write


#: The sheet with the chart of money per region and scenario and the map of every scenario.
CHART_SHEET = "By region, chart and map"


def _allocation_chart(ws, allocation: pd.DataFrame) -> None:
    """Money invested per region, one bar per scenario: its data as a table, the chart below it."""
    pivot = allocation.pivot_table(index="region", columns="scenario", values="invested", aggfunc="sum", sort=False)
    block = pivot.fillna(0.0).reset_index()
    block.columns = ["region"] + [f"invested {c}" for c in pivot.columns]
    start = 1
    write_block(ws, block, start)
    ws.freeze_panes = "A2"
    chart = bar_chart("Money invested per region, by scenario", "region", "money invested", y_format="#,##0",
                      width=max(18, min(32, 1.2 * len(pivot) * max(1, len(pivot.columns)) / 2)), height=10)
    chart.add_data(Reference(ws, min_col=start + 1, max_col=start + len(pivot.columns), min_row=1,
                             max_row=len(pivot) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=start, min_row=2, max_row=len(pivot) + 1))
    place_chart(ws, chart, where="below")


__all__ = ["write_comparison", "write_comparison_figures"]
