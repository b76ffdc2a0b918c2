"""The benchmark's generator writes valid contract-v1 workbooks; the small size solves.

The slow test runs the whole benchmark pipeline on the small size (about 15 s);
it is skipped by default (``pytest -m slow`` runs it).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.generate import SIZES, generate, generate_workbook, write_workbook
from planner.scenario import check_scenario
from tests.builders import ROOT


def test_generated_workbook_validates(tmp_path):
    path = generate_workbook(tmp_path / "tiny.xlsx", n_regions=5, n_projects=20, years=3, seed=7)
    scenario, problems = check_scenario(path)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == []
    assert scenario is not None
    projects = scenario.tables["Projects"]
    assert len(projects) == 20
    assert len(scenario.tables["Regions"]) == 5
    assert len(scenario.tables["Impacts"]) == 2 * 20
    assert projects["mandatory"].sum() >= 1
    assert all(1 <= len(f) <= 2 for f in projects["funds"])
    budgets = scenario.tables["Budgets"]
    assert budgets["region"].notna().any() and budgets["region"].isna().any()
    assert set(scenario.tables["Goals"]["priority"]) == {1, 2}


def test_generator_is_seeded():
    assert generate(5, 20, 3, seed=3) == generate(5, 20, 3, seed=3)
    assert generate(5, 20, 3, seed=3) != generate(5, 20, 3, seed=4)


@pytest.mark.slow
def test_small_benchmark_solves_to_optimality(tmp_path):
    n_regions, n_projects, years = SIZES["small"]
    workbook = write_workbook(generate(n_regions, n_projects, years, seed=1), tmp_path / "small.xlsx")
    result = tmp_path / "result.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--child",
                    "--workbook", str(workbook), "--result", str(result), "--label", "small"],
                   check=True, cwd=ROOT, timeout=600)
    figures = json.loads(result.read_text())
    assert figures["status"] == "optimal"
    assert figures["chosen"] > 0
    assert figures["goals_met"] == figures["goals"]
    assert set(figures["seconds"]) == {"read", "build", "handoff", "solve", "output"}
    assert figures["model"]["rows"] > 0 and figures["model"]["nonzeros"] > 0
