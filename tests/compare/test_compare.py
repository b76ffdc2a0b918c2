"""Variants inside one workbook and `planner compare` across scenarios, serial or parallel."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from planner import comparison as cmp
from tests.builders import minimal_tables, run_cli, write_workbook


def with_variants(rows):
    tables = minimal_tables()
    tables["Variants"] = rows
    return tables


CUT = {"variant": "budget-cut", "sheet": "Budgets", "where": "fund=national", "column": "amount", "multiply": 0.5}
BENEFIT = {"variant": "benefit", "sheet": "Settings", "where": "key=name", "column": "value", "set": "renamed"}


def test_variant_equals_the_workbook_edited_by_hand(tmp_path):
    path = write_workbook(tmp_path / "v.xlsx", with_variants([CUT]))
    by_variant = json.loads(run_cli("solve", path, "--variant", "budget-cut", "--json", "--no-out").stdout)
    edited = minimal_tables()
    for row in edited["Budgets"]:
        row["amount"] *= 0.5
    by_hand = json.loads(run_cli("solve", write_workbook(tmp_path / "h.xlsx", edited), "--json", "--no-out").stdout)
    assert by_variant["status"] == by_hand["status"] == "optimal"
    assert by_variant["objective"] == pytest.approx(by_hand["objective"])
    assert by_variant["projects"] == by_hand["projects"]
    assert by_variant["scenario"] == "minimal [budget-cut]"


def test_variant_setting_a_value(tmp_path):
    path = write_workbook(tmp_path / "v.xlsx", with_variants([BENEFIT]))
    answer = json.loads(run_cli("solve", path, "--variant", "benefit", "--json", "--no-out").stdout)
    assert answer["scenario"] == "renamed [benefit]"


def test_variant_matching_no_row_is_reported_at_its_variants_row(tmp_path):
    bad = dict(CUT, where="fund=imf")
    result = run_cli("validate", write_workbook(tmp_path / "v.xlsx", with_variants([CUT, bad])))
    assert result.exit_code == 1
    assert "Variants!3: where: matches no row of Budgets (fund=imf)" in result.output


def test_variant_yielding_an_invalid_scenario_is_reported(tmp_path):
    bad = {"variant": "broken", "sheet": "Projects", "where": "project=P1", "column": "cost", "multiply": -1}
    result = run_cli("validate", write_workbook(tmp_path / "v.xlsx", with_variants([bad])))
    assert result.exit_code == 1
    assert ("Variants!2: variant: variant broken (Variants row 2) gives: Projects!2: cost: must be at least 0"
            in result.output)


def test_unknown_variant(tmp_path):
    result = run_cli("solve", write_workbook(tmp_path / "v.xlsx", with_variants([CUT])), "--variant", "nope")
    assert result.exit_code == 1
    assert "unknown variant (known: budget-cut)" in result.output


def scenarios(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", with_variants([CUT]))
    infeasible_tables = minimal_tables()
    infeasible_tables["Goals"][0]["hard"] = "yes"
    infeasible = write_workbook(tmp_path / "infeasible.xlsx", infeasible_tables)
    invalid_tables = minimal_tables()
    invalid_tables["Projects"][0]["region"] = "nowhere"
    invalid = write_workbook(tmp_path / "invalid.xlsx", invalid_tables)
    return good, infeasible, invalid


def test_compare_reports_failures_as_rows_and_writes_the_workbook(tmp_path):
    good, infeasible, invalid = scenarios(tmp_path)
    out = tmp_path / "cmp.xlsx"
    result = run_cli("compare", good, infeasible, invalid, "--variants", "--out", out, "--json", "--workers", "1")
    assert result.exit_code == 1  # one invalid
    data = json.loads(result.stdout)
    statuses = {s["scenario"]: s["status"] for s in data["scenarios"]}
    assert statuses == {"good": "optimal", "good[budget-cut]": "optimal", "infeasible": "infeasible",
                        "invalid": "invalid"}
    reasons = {s["scenario"]: s["reason"] for s in data["scenarios"]}
    assert "Projects!2: region: unknown region (nowhere)" in reasons["invalid"]
    book = load_workbook(out)
    assert book.sheetnames == ["Overview", "Allocation by region", "By region, chart and map", "Projects", "Goals",
                               "Inputs that differ"]
    differ = [[c.value for c in row] for row in book["Inputs that differ"].iter_rows()]
    assert differ[0] == ["sheet", "key", "column", "good", "good[budget-cut]", "infeasible", "invalid"][:len(differ[0])]
    assert ["Budgets", "national /  / 2026", "amount", "10.0", "5.0", "10.0"] in differ
    projects = [[c.value for c in row] for row in book["Projects"].iter_rows()]
    assert projects[0][:1] == ["project"] and "class" in projects[0]
    assert book["By region, chart and map"]._charts  # money per region and scenario, beside the map


def test_compare_exit_3_when_some_are_infeasible(tmp_path):
    good, infeasible, _ = scenarios(tmp_path)
    assert run_cli("compare", good, infeasible, "--workers", "1").exit_code == 3


def test_results_are_identical_serial_workers_and_local_cluster(tmp_path):
    good, infeasible, _ = scenarios(tmp_path)
    jobs = cmp.make_jobs([good, infeasible], with_variants=True)
    serial = cmp.run_jobs(jobs, workers=1)
    parallel = cmp.run_jobs(jobs, workers=2)
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_cluster = cmp.run_jobs(jobs, dask_address=cluster.scheduler_address)

    def key(outcomes):
        return [(o.label, o.status, o.answer.objective if o.answer else None,
                 o.answer.to_json()["projects"] if o.answer else None) for o in outcomes]

    assert key(serial) == key(parallel) == key(on_cluster)


def test_files_with_one_name_in_different_folders_are_told_apart(tmp_path):
    (tmp_path / "2025").mkdir()
    (tmp_path / "2026").mkdir()
    old = write_workbook(tmp_path / "2025" / "plan.xlsx", minimal_tables())
    tables = minimal_tables()
    tables["Budgets"][0]["amount"] = 20
    new = write_workbook(tmp_path / "2026" / "plan.xlsx", tables)
    out = tmp_path / "cmp.xlsx"
    result = run_cli("compare", old, new, new, "--out", out, "--json", "--workers", "1")
    assert result.exit_code == 0, result.output
    labels = [s["scenario"] for s in json.loads(result.stdout)["scenarios"]]
    assert labels == ["2025/plan", "2026/plan", "2026/plan (2)"]
    differ = [[c.value for c in row] for row in load_workbook(out)["Inputs that differ"].iter_rows()]
    assert differ[0][3:] == ["2025/plan", "2026/plan", "2026/plan (2)"]
    assert ["Budgets", "national /  / 2026", "amount", "10.0", "20.0", "20.0"] in differ


def test_a_missing_file_is_not_found_not_empty(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", minimal_tables())
    (tmp_path / "folder.xlsx").mkdir()
    result = run_cli("compare", good, tmp_path / "gone.xlsx", tmp_path / "folder.xlsx", "--json", "--workers", "1")
    assert result.exit_code == 1
    reasons = {s["scenario"]: (s["status"], s["reason"]) for s in json.loads(result.stdout)["scenarios"]}
    assert reasons["good"][0] == "optimal"
    assert reasons["gone"] == ("invalid", "No such file: 'gone.xlsx'")
    assert reasons["folder"] == ("invalid", "'folder.xlsx' is a folder, not a workbook file")
    assert "0 bytes" not in result.output
