"""The command line as users meet it: help, exit codes, JSON on stdout, files left alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from planner.scenario import load_scenario
from tests.builders import minimal_tables, run_cli, write_workbook


def test_help_lists_commands_with_examples():
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("solve", "validate", "template"):
        assert command in result.output
        sub = run_cli(command, "--help")
        assert sub.exit_code == 0
        assert "Example: planner " in sub.output


def test_usage_error_is_exit_2():
    assert run_cli("solve").exit_code == 2
    assert run_cli("solve", "x.xlsx", "--mip-gap", "abc").exit_code == 2


def test_solve_json_is_alone_on_stdout_and_files_are_untouched(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    completed = subprocess.run([sys.executable, "-m", "planner.cli", "solve", str(path), "--json", "--no-out"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    for field in ("scenario", "status", "objective", "stages", "mip_gap", "solve_seconds",
                  "projects", "goals", "spending", "regions"):
        assert field in answer
    assert answer["status"] == "optimal"
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_validate_leaves_the_input_unchanged(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    assert run_cli("validate", path).exit_code == 0
    assert run_cli("solve", path).exit_code == 0
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s-results.xlsx", "s.xlsx"]


def test_solve_writes_results_workbook_atomically(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    out = tmp_path / "results.xlsx"
    result = run_cli("solve", path, "--out", out)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert {"Summary", "Plan", "Goals", "Spending", "Regions"} <= set(book.sheetnames)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.xlsx", "s.xlsx"]


def test_invalid_input_is_exit_1_without_traceback(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0]["region"] = "nowhere"
    path = write_workbook(tmp_path / "s.xlsx", tables)
    result = run_cli("solve", path)
    assert result.exit_code == 1
    assert "Projects!2: region: unknown region (nowhere)" in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_one_sentence(tmp_path):
    result = run_cli("validate", tmp_path / "nope.xlsx")
    assert result.exit_code == 1
    assert "nope.xlsx" in result.output
    assert "Traceback" not in result.output


def test_infeasible_is_exit_3(tmp_path):
    tables = minimal_tables()
    tables["Goals"][0]["hard"] = "yes"
    result = run_cli("solve", write_workbook(tmp_path / "s.xlsx", tables), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["status"] == "infeasible"


def test_template_refuses_to_overwrite_and_validates_once_filled(tmp_path):
    target = tmp_path / "new.xlsx"
    assert run_cli("template", target).exit_code == 0
    assert run_cli("template", target).exit_code == 1
    assert run_cli("template", target, "--force").exit_code == 0
    book = load_workbook(target)
    assert "README" in book.sheetnames
    projects = book["Projects"]
    assert projects.freeze_panes == "A2"
    assert any("cluster" in (dv.formula1 or "") for dv in projects.data_validations.dataValidation)
    # Fill it with the minimal scenario and check it validates.
    tables = minimal_tables()
    for name, rows in tables.items():
        ws = book[name]
        header = [c.value for c in ws[1]]
        if name == "Settings":
            ws.delete_rows(2, ws.max_row)
        for row in rows:
            ws.append([row.get(column) for column in header])
    book.save(target)
    assert run_cli("validate", target).exit_code == 0
    assert load_scenario(target).name == "minimal"


@pytest.mark.parametrize("arguments", [("--time-limit", "30"), ("--mip-gap", "0.01")])
def test_solver_options(tmp_path, arguments):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    result = run_cli("solve", path, "--json", *arguments)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "optimal"


def test_results_workbook_round_trip_and_formula_injection(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0]["name"] = '=HYPERLINK("http://x","y")'
    tables["Projects"][0]["project"] = "=P1"
    tables["Impacts"][0]["project"] = "=P1"
    path = write_workbook(tmp_path / "s.xlsx", tables)
    out = tmp_path / "r.xlsx"
    result = run_cli("solve", path, "--out", out, "--json")
    answer = json.loads(result.stdout)
    book = load_workbook(out)
    assert {"Summary", "Plan", "Spending", "Goals", "Regions", "Allocation"} <= set(book.sheetnames)
    plan = book["Plan"]
    header = [c.value for c in plan[1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in plan.iter_rows(min_row=2)]
    assert [r["project"] for r in rows] == [p["project"] for p in answer["projects"]]
    assert rows[0]["project"] == "=P1" and plan.cell(row=2, column=1).data_type == "s"
    assert rows[0]["name"] == '=HYPERLINK("http://x","y")'
    assert all(c.data_type != "f" for row in book["Plan"].iter_rows() for c in row)
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["objective"] == pytest.approx(answer["objective"])
    assert summary["run: input sha256"]
    assert book["Spending"]._charts and book["Allocation"]._charts


def test_infeasible_solve_explains_the_conflict_and_repair(tmp_path):
    # The hard goal grp >= 34 needs P1 (+3) and P2 (+2) or P3 (+2) complete by 2027, i.e. started in
    # 2026 with 8 + 5 = 13 > 10 of budget: the goal conflicts with the 2026 budget.
    tables = minimal_tables()
    tables["Goals"][0]["hard"] = "yes"
    path = write_workbook(tmp_path / "s.xlsx", tables)
    out = tmp_path / "r.xlsx"
    result = run_cli("solve", path, "--json", "--out", out)
    assert result.exit_code == 3
    answer = json.loads(result.stdout)
    assert answer["status"] == "infeasible"
    rules = {(c["sheet"], c["row"]) for c in answer["conflict"]}
    assert ("Goals", 2) in rules and ("Budgets", 2) in rules
    assert answer["repairs"] and answer["repair"]
    assert "Diagnosis" in load_workbook(out).sheetnames


def test_marginal_reports_binding_budgets(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    result = run_cli("solve", path, "--json", "--no-out", "--marginal")
    assert result.exit_code == 0
    marginal = json.loads(result.stdout)["marginal"]
    assert {(m["fund"], m["year"]) for m in marginal} == {("national", 2026), ("national", 2027)}


def test_variant_and_scenario_names_in_square_brackets_are_printed_as_written(tmp_path):
    # rich reads "[...]" as markup; every workbook string must be escaped before it is printed.
    tables = minimal_tables()
    tables["Settings"][0]["value"] = "plan [draft]"
    tables["Variants"] = [{"variant": "[cut]", "sheet": "Budgets", "where": "fund=national", "column": "amount",
                           "multiply": 0.9}]
    path = write_workbook(tmp_path / "s.xlsx", tables)
    result = run_cli("solve", path, "--variant", "[cut]", "--no-out")
    assert result.exit_code == 0, result.output
    assert "plan [draft] [[cut]]: optimal" in result.output


def test_compare_labels_with_square_brackets_are_printed_as_written(tmp_path):
    tables = minimal_tables()
    tables["Variants"] = [{"variant": "[cut]", "sheet": "Budgets", "where": "fund=national", "column": "amount",
                           "multiply": 0.9}]
    path = write_workbook(tmp_path / "base.xlsx", tables)
    result = run_cli("compare", path, "--variants", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "│ base[[cut]] │ optimal" in result.output
