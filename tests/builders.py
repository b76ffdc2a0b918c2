"""Build scenario workbooks inside tests.

``write_workbook(path, tables)`` writes one sheet per table (header on row 1),
so that every test states its scenario in full and no binary fixture is needed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Tables = dict[str, list[dict[str, Any]]]

#: The repository's root folder (models/, scenarios/, benchmarks/ live there).
ROOT = Path(__file__).resolve().parents[1]


def write_workbook(path: Path | str, tables: Tables) -> Path:
    """Write ``tables`` (sheet name -> list of row dicts) as an .xlsx workbook."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in tables.items():
        ws = wb.create_sheet(sheet)
        columns: list[str] = []
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
        ws.append(columns)
        for r, row in enumerate(rows, start=2):
            for c, column in enumerate(columns, start=1):
                cell = ws.cell(row=r, column=c, value=row.get(column))
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, as Excel stores '=x
    wb.save(path)
    return path


def settings(**values: Any) -> list[dict[str, Any]]:
    """Settings rows from keyword arguments."""
    return [{"key": k, "value": v} for k, v in values.items()]


def minimal_tables() -> Tables:
    """A small valid scenario: 2 regions, 1 pooled fund, 3 projects, 2 years."""
    return copy.deepcopy(
        {
            "Settings": settings(name="minimal", start_year=2026, horizon=2),
            "Regions": [
                {"region": "A", "name": "Region A", "population": 1000, "group": "west"},
                {"region": "B", "name": "Region B", "population": 2000, "group": "west"},
            ],
            "Indicators": [{"indicator": "grp", "unit": "bn", "value": 1.0}],
            "Baseline": [
                {"region": "A", "indicator": "grp", "value": 10},
                {"region": "B", "indicator": "grp", "value": 20},
            ],
            "Funds": [{"fund": "national", "carry_over": "no"}],
            "Budgets": [
                {"fund": "national", "year": 2026, "amount": 10},
                {"fund": "national", "year": 2027, "amount": 10},
            ],
            "Projects": [
                {"project": "P1", "kind": "other", "region": "A", "cost": 8},
                {"project": "P2", "kind": "other", "region": "B", "cost": 6},
                {"project": "P3", "kind": "transport", "region": "B", "cost": 5},
            ],
            "Impacts": [
                {"project": "P1", "indicator": "grp", "value": 3},
                {"project": "P2", "indicator": "grp", "value": 2},
                {"project": "P3", "indicator": "grp", "value": 2},
            ],
            "Goals": [
                {"goal": "G1", "indicator": "grp", "target": 34, "priority": 1},
            ],
        }
    )


def run_cli(*args: str):
    """Invoke the planner CLI in-process; returns typer's Result."""
    from typer.testing import CliRunner

    from planner.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def solve_tables(tmp_path: Path, tables: Tables, name: str = "scenario.xlsx", *extra: str):
    """Write ``tables``, run ``planner solve --json`` and return (exit code, answer dict)."""
    import json

    path = write_workbook(Path(tmp_path) / name, tables)
    result = run_cli("solve", path, "--json", "--no-out", *extra)
    assert result.stdout.strip(), f"no JSON on stdout: {result.output!r} {result.exception!r}"
    return result.exit_code, json.loads(result.stdout)


def chosen(answer: dict) -> dict[str, int]:
    """project -> start year of the chosen (binary) projects."""
    return {row["project"]: row["start"] for row in answer["projects"]}
