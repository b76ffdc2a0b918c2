"""The notebook API: planner.solve / load / compare and the advisors, with DataFrames out."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import planner
from tests.builders import ROOT, minimal_tables, write_workbook

SMALL = ROOT / "scenarios" / "small.xlsx"


def test_solve_a_workbook_returns_dataframes_and_the_cli_answer():
    r = planner.solve(SMALL)
    assert r.status == "optimal" and r.status == planner.Status.optimal
    assert r.objective == pytest.approx(94)  # scenarios/README.md walks through this optimum
    assert [name for name, _ in r.stages] == ["priority 1", "priority 2", "min_cost"]
    for table in (r.plan, r.goals, r.spending, r.regions):
        assert isinstance(table, pd.DataFrame) and not table.empty
    assert set(r.plan["project"]) == {"S1", "S2", "S3", "C1", "N1"}
    data = r.to_json()
    assert json.loads(json.dumps(data, default=str))["objective"] == pytest.approx(94)
    assert data["projects"] == json.loads(json.dumps(data["projects"], default=str))


def test_results_workbook_from_the_api(tmp_path):
    target = planner.solve(SMALL).to_excel(tmp_path / "r.xlsx")
    assert target.exists() and "Summary" in pd.ExcelFile(target, engine="openpyxl").sheet_names


def test_a_loaded_scenario_is_editable_and_solvable():
    s = planner.load(SMALL)
    assert isinstance(s.tables["Budgets"], pd.DataFrame)
    s.tables["Budgets"]["amount"] = s.tables["Budgets"]["amount"].astype(float) * 1.5
    r = planner.solve(s)
    assert r.status == "optimal"
    # With half as much money again every goal is met; min_cost rises from 94 to 114 (G2 met).
    assert dict(r.stages)["priority 2"] == pytest.approx(0)
    assert planner.solve(SMALL).objective == pytest.approx(94)  # the file is untouched


def test_an_edit_that_breaks_the_contract_raises_with_every_problem():
    s = planner.load(SMALL)
    s.tables["Projects"].loc[0, "region"] = "atlantis"
    s.tables["Goals"].loc[0, "indicator"] = "happiness"
    with pytest.raises(planner.ScenarioInvalid) as caught:
        planner.solve(s)
    text = [str(p) for p in caught.value.problems if p.severity == "error"]
    assert any("Projects!2: region: unknown region (atlantis)" in t for t in text)
    assert any("Goals!2: indicator: unknown indicator (happiness)" in t for t in text)


def test_bad_files_raise_the_same_exception_type(tmp_path):
    with pytest.raises(planner.ScenarioInvalid) as missing:
        planner.load(tmp_path / "nope.xlsx")
    assert missing.value.problems[0].sheet == "nope.xlsx"
    tables = minimal_tables()
    tables["Projects"][0]["cost"] = -1
    with pytest.raises(planner.ScenarioInvalid) as invalid:
        planner.load(write_workbook(tmp_path / "bad.xlsx", tables))
    assert any(p.sheet == "Projects" and p.row == 2 and p.column == "cost" for p in invalid.value.problems)


def test_compare_files_and_loaded_scenarios():
    s = planner.load(SMALL)
    s.tables["Budgets"]["amount"] = s.tables["Budgets"]["amount"].astype(float) * 1.5
    c = planner.compare([SMALL, s])
    assert list(c.overview["objective"]) == pytest.approx([94, 114])
    assert set(c.allocation["region"]) == {"north", "centre", "south"}
    assert not c.projects.empty and not c.goals.empty
    assert c.status == "optimal"


def test_advisors_from_the_api():
    infeasible = ROOT / "scenarios" / "infeasible.xlsx"
    assert planner.solve(infeasible).status == "infeasible"
    assert planner.diagnose(infeasible).status == "infeasible"
    front = planner.frontier(SMALL, fund="national", start=0.5, stop=1.5, steps=3)
    assert len(front.points) == 3 and isinstance(front.points, pd.DataFrame)
    alternatives = planner.alternatives(SMALL, slack=0.1, count=2)
    assert alternatives.plans[0].label == "optimum"
    assert isinstance(planner.marginal(SMALL), pd.DataFrame)


def test_importing_planner_is_light():
    import subprocess
    import sys

    code = "import sys, planner; print('pyomo' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_compare_gives_every_scenario_a_label_of_its_own(tmp_path):
    from planner.errors import OutputError

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_workbook(tmp_path / "a" / "minimal.xlsx", minimal_tables())
    second = write_workbook(tmp_path / "b" / "minimal.xlsx", minimal_tables())
    loaded = planner.load(first)
    edited = planner.load(first)
    edited.tables["Budgets"]["amount"] *= 2
    comparison = planner.compare([first, second, loaded, edited])
    labels = list(comparison.overview["scenario"])
    assert labels == ["a/minimal", "b/minimal", "minimal", "minimal (2)"]
    assert len(set(comparison.projects.columns)) == len(comparison.projects.columns)
    target = tmp_path / "cmp.xlsx"
    comparison.to_excel(target)
    with pytest.raises(OutputError, match="it is the input workbook"):
        comparison.to_excel(first)
    with pytest.raises(OutputError, match="it is the input workbook"):
        planner.solve(first).to_excel(first)
