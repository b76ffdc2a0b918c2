"""The results workbook: the answer as sheets a planner opens in Excel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from planner.output import atomic_write, write_frame
from planner.results import Answer

MONEY = "#,##0.00"
SHARE = "0.0%"


def summary_frame(answer: Answer) -> pd.DataFrame:
    rows = [("scenario", answer.scenario), ("status", answer.status),
            ("objective", answer.objective), ("mip_gap", answer.mip_gap),
            ("solve_seconds", round(answer.solve_seconds, 3))]
    rows += [(f"stage: {name}", value) for name, value in answer.stages]
    if answer.message:
        rows.append(("message", answer.message))
    if not answer.goals.empty:
        rows.append(("goals met", f"{int(answer.goals['met'].sum())} of {len(answer.goals)}"))
    return pd.DataFrame(rows, columns=["item", "value"])


def write_results(answer: Answer, target: Path) -> Path:
    """Write Summary, Plan, Goals, Spending and Regions sheets atomically."""

    def write(path: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        sheets = {
            "Summary": (summary_frame(answer), {}),
            "Plan": (answer.projects, {"cost": MONEY, "share": SHARE}),
            "Goals": (answer.goals, {}),
            "Spending": (answer.spending, {"amount": MONEY}),
            "Regions": (answer.regions, {}),
        }
        for name, (frame, formats) in sheets.items():
            ws = wb.create_sheet(name)
            write_frame(ws, frame, number_formats=formats)
            ws.freeze_panes = "A2"
            if len(frame.columns) and len(frame):
                ws.auto_filter.ref = ws.dimensions
        wb.save(path)

    return atomic_write(target, write)
