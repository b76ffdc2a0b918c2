"""One deliberately broken workbook per validation rule, built from a valid one.

Each case asserts the exact ``Sheet!ROW: column`` location the planner sees in
Excel (header = row 1, so the first data row is row 2) and exit code 1.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.builders import minimal_tables, run_cli, settings, write_workbook


def validate(tmp_path, tables):
    path = write_workbook(tmp_path / "scenario.xlsx", tables)
    return run_cli("validate", path)


def problems_of(tmp_path, tables) -> tuple[int, str]:
    result = validate(tmp_path, tables)
    return result.exit_code, result.output


def test_minimal_scenario_is_valid(tmp_path):
    result = validate(tmp_path, minimal_tables())
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_unknown_region_on_excel_row_4_of_projects(tmp_path):
    tables = minimal_tables()
    tables["Projects"][2]["region"] = "Atlantis"  # third data row = Excel row 4
    code, output = problems_of(tmp_path, tables)
    assert code == 1
    assert "Projects!4: region: unknown region (Atlantis)" in output


def _mutate(tables, sheet, index, **values):
    tables[sheet][index].update(values)
    return tables


BROKEN = [
    # (description, mutation, expected text)
    ("missing required sheet", lambda t: t.pop("Funds"), "Funds: required sheet is missing"),
    ("missing required column", lambda t: [r.pop("cost") for r in t["Projects"]],
     "Projects!1: cost: required column is missing"),
    ("wrong type", lambda t: _mutate(t, "Projects", 0, cost="lots"),
     "Projects!2: cost: expected a number (lots)"),
    ("negative cost", lambda t: _mutate(t, "Projects", 1, cost=-5),
     "Projects!3: cost: must be at least 0 (-5)"),
    ("duration below 1", lambda t: _mutate(t, "Projects", 0, duration=0),
     "Projects!2: duration: must be at least 1 (0)"),
    ("earliest after latest", lambda t: _mutate(t, "Projects", 0, earliest_start=2027, latest_start=2026),
     "Projects!2: earliest_start: earliest_start is after latest_start"),
    ("budget year outside horizon", lambda t: _mutate(t, "Budgets", 1, year=2030),
     "Budgets!3: year: year outside the horizon 2026-2027 (2030)"),
    ("goal year outside horizon", lambda t: _mutate(t, "Goals", 0, year=2020),
     "Goals!2: year: year outside the horizon"),
    ("discount rate out of range", lambda t: t["Settings"].append({"key": "discount_rate", "value": 1.5}),
     "Settings!5: value: discount_rate: must be below 1 (1.5)"),
    ("unknown enum", lambda t: _mutate(t, "Projects", 0, kind="bridge"),
     "Projects!2: kind: expected one of cluster, transport, crossborder, other (bridge)"),
    ("unknown objective", lambda t: t["Settings"].append({"key": "objective", "value": "profit"}),
     "Settings!5: value: objective: expected one of goals, benefit, cost, maxmin (profit)"),
    ("duplicate id", lambda t: _mutate(t, "Projects", 2, project="P1"),
     "Projects!4: project: duplicate project (P1)"),
    ("unknown fund in budgets", lambda t: _mutate(t, "Budgets", 0, fund="imf"),
     "Budgets!2: fund: unknown fund (imf)"),
    ("unknown fund in project", lambda t: _mutate(t, "Projects", 0, funds="national, imf"),
     "Projects!2: funds: unknown fund (imf)"),
    ("unknown indicator in impacts", lambda t: _mutate(t, "Impacts", 1, indicator="jobz"),
     "Impacts!3: indicator: unknown indicator (jobz)"),
    ("unknown project in impacts", lambda t: _mutate(t, "Impacts", 0, project="P9"),
     "Impacts!2: project: unknown project (P9)"),
    ("unknown required project", lambda t: _mutate(t, "Projects", 0, requires="P9"),
     "Projects!2: requires: unknown project (P9)"),
    ("unknown goal scope", lambda t: _mutate(t, "Goals", 0, region="north"),
     "Goals!2: region: unknown region or group (north)"),
    ("mixed pooled and regional budget rows", lambda t: _mutate(t, "Budgets", 1, region="A"),
     "Budgets!3: region: fund national mixes pooled rows"),
    ("requires cycle", lambda t: (_mutate(t, "Projects", 0, requires="P2"), _mutate(t, "Projects", 1, requires="P3"),
                                  _mutate(t, "Projects", 2, requires="P1")),
     "requires cycle: P1 -> P2 -> P3 -> P1"),
    ("requires what it excludes", lambda t: _mutate(t, "Projects", 0, requires="P2", excludes="P2"),
     "Projects!2: excludes: project both requires and excludes (P2)"),
    ("requires a project that excludes it", lambda t: (_mutate(t, "Projects", 0, requires="P2"),
                                                       _mutate(t, "Projects", 1, excludes="P1")),
     "Projects!2: requires: requires a project that excludes it"),
    ("group named like a region", lambda t: _mutate(t, "Regions", 0, group="B"),
     "Regions!2: group: group name is also a region id"),
    ("mandatory project that cannot fit", lambda t: _mutate(t, "Projects", 0, mandatory="yes", duration=3),
     "Projects!2: mandatory: mandatory project: no start year fits the horizon 2026-2027"),
    ("missing start_year", lambda t: t.__setitem__("Settings", settings(horizon=2)),
     "start_year: required setting is missing"),
    ("bad yes/no", lambda t: _mutate(t, "Funds", 0, carry_over="perhaps"),
     "Funds!2: carry_over: expected yes or no (perhaps)"),
    ("locale number", lambda t: _mutate(t, "Projects", 0, cost="1.234,5"),
     "Projects!2: cost: number written with a comma"),
    ("id too long", lambda t: _mutate(t, "Projects", 0, project="P" * 300),
     "Projects!2: project: id is longer than 255 characters"),
]


@pytest.mark.parametrize("case, mutate, expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_workbook_is_reported_at_its_cell(tmp_path, case, mutate, expected):
    tables = minimal_tables()
    mutate(tables)
    code, output = problems_of(tmp_path, tables)
    assert code == 1, output
    assert expected in output, output
    assert "Traceback" not in output


def test_every_problem_is_listed_at_once(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0]["region"] = "X"
    tables["Projects"][1]["cost"] = "abc"
    tables["Budgets"][0]["fund"] = "nope"
    code, output = problems_of(tmp_path, tables)
    assert code == 1
    assert "Projects!2: region" in output and "Projects!3: cost" in output and "Budgets!2: fund" in output
    assert "3 error(s)" in output


def test_warnings_do_not_fail_validation(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0]["colour"] = "red"                       # unknown column
    tables["Projects"][1].update(earliest_start=2027, duration=2)  # can never be chosen
    tables["Indicators"].append({"indicator": "jobs"})
    tables["Goals"].append({"goal": "G2", "indicator": "jobs", "target": 5})  # can never move
    code, output = problems_of(tmp_path, tables)
    assert code == 0, output
    assert "warning: Projects!1: colour: unknown column" in output
    assert "warning: Projects!3: project: no start year fits" in output
    assert "warning: Goals!3: indicator: no Baseline or Impacts row mentions" in output


def test_excel_spellings_are_accepted(tmp_path):
    tables = minimal_tables()
    tables["Settings"] = settings(name="x", start_year=dt.datetime(2026, 1, 1), horizon="2",
                                  discount_rate="5%")
    tables["Funds"][0]["carry_over"] = "TRUE"
    tables["Projects"][0].update(cost="1 200", duration=1.0, mandatory="Y")
    tables["Projects"][1].update(cost="6\u00a0000.5")
    tables["Budgets"] = [{"fund": "national", "year": 2026.0, "amount": "1,200,000"},
                         {"fund": "national", "year": 2027, "amount": 10}]
    code, output = problems_of(tmp_path, tables)
    assert code == 0, output


def test_sheet_and_column_names_are_case_insensitive_and_ids_are_strings(tmp_path):
    tables = minimal_tables()
    tables = {f"  {name.upper()} ": [{f" {k.upper()}": v for k, v in row.items()} for row in rows]
              for name, rows in tables.items()}
    for row in tables["  REGIONS "]:
        row[" REGION"] = {"A": 1, "B": 2}[row[" REGION"]]
    for sheet in ("  BASELINE ",):
        for row in tables[sheet]:
            row[" REGION"] = {"A": "1", "B": "2"}[row[" REGION"]]
    for row in tables["  PROJECTS "]:
        row[" REGION"] = {"A": "1", "B": 2.0}[row[" REGION"]]
    code, output = problems_of(tmp_path, tables)
    assert code == 0, output


def test_blank_rows_are_skipped(tmp_path):
    tables = minimal_tables()
    tables["Projects"].insert(1, {"project": None, "kind": None, "region": None, "cost": None})
    code, output = problems_of(tmp_path, tables)
    assert code == 0, output


def test_validate_json(tmp_path):
    tables = minimal_tables()
    tables["Projects"][2]["region"] = "Atlantis"
    path = write_workbook(tmp_path / "s.xlsx", tables)
    result = run_cli("validate", path, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "invalid"
    assert data["errors"] == ["Projects!4: region: unknown region (Atlantis)"]


def test_numbers_spanning_more_than_12_orders_of_magnitude_are_named(tmp_path):
    # Money in som (1e13) beside a budget typed in million (0.5): no scaling makes both exact.
    tables = minimal_tables()
    tables["Projects"][0]["cost"] = 8e12
    tables["Budgets"][0]["amount"] = 0.5
    result = run_cli("validate", write_workbook(tmp_path / "s.xlsx", tables))
    assert result.exit_code == 0
    assert ("Projects!2: cost: the money spans more than 12 orders of magnitude: 8e+12 here, 0.5 at Budgets!2"
            in result.output)
    tables = minimal_tables()
    tables["Impacts"][1]["value"] = 2e-12
    result = run_cli("validate", write_workbook(tmp_path / "i.xlsx", tables))
    assert "the indicator grp spans more than 12 orders of magnitude" in result.output
    assert "spans" not in run_cli("validate", write_workbook(tmp_path / "ok.xlsx", minimal_tables())).output
