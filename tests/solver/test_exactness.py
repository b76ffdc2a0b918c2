"""Exactness: the answers of the defects an independent implementation found, and a reported
plan always scores exactly what is reported.

The reproductions (tests/solver/repro_workbooks.py) are the minimal workbooks of each defect,
with the expected answer from the independent implementation in each test's comment.
"""

from __future__ import annotations

import numpy as np
import pytest

import planner
from planner.model import build_model
from planner.pipeline import solve_loaded
from planner.solver import SolveOptions, solve
from planner.status import Status
from tests.builders import write_workbook
from tests.solver.repro_workbooks import CASES


def case(tmp_path, name: str):
    sheets = CASES[name]
    tables = {sheet: [dict(zip(rows[0], row)) for row in rows[1:]] for sheet, rows in sheets.items() if rows}
    return planner.load(write_workbook(tmp_path / f"{name}.xlsx", tables))


def projects(result) -> dict[str, int]:
    return dict(zip(result.plan["project"], result.plan["start"])) if len(result.plan) else {}


def test_a_constant_hard_equity_row_that_never_holds_is_infeasible_and_explained(tmp_path):
    # R1 has 100 / 1000 = 0.1 per person against a hard floor of 0.2, and no project touches R1.
    result = planner.solve(case(tmp_path, "const_floor"))
    assert result.status == Status.infeasible and result.exit_code == 3
    diagnosis = result.findings.diagnosis
    assert diagnosis is not None and diagnosis.status == "infeasible"
    assert [(c["sheet"], c["row"]) for c in diagnosis.conflict] == [("Equity", 2)]
    assert diagnosis.repairs[0]["amount"] == pytest.approx(0.1)


def test_a_constant_row_that_always_holds_is_dropped(tmp_path):
    # The same case with the floor at 0.05: R1's 0.1 per person already meets it.
    scenario = case(tmp_path, "const_floor")
    scenario.tables["Equity"].loc[0, "value"] = 0.05
    result = planner.solve(scenario)
    assert result.status == Status.optimal and result.objective == pytest.approx(0)


def test_a_kept_transport_pair_corrects_every_indicator_it_affects(tmp_path):
    # A star: A and B each halve a link; R3's accessibility needs A0 + dA + dB + 1/2 dAB
    # (5050 >= 5045.83 on the true network), so both are built, at cost 20.
    result = planner.solve(case(tmp_path, "pair_accessibility"))
    assert result.status == Status.optimal
    assert result.objective == pytest.approx(20)
    assert projects(result) == {"A": 2026, "B": 2026}


def test_the_reported_plan_is_the_stage_optimum_not_the_start_it_was_given(tmp_path):
    # P01 would complete after the horizon and has no impact: the cheapest plan is the empty one.
    result = planner.solve(case(tmp_path, "start_reported"))
    assert result.status == Status.optimal
    assert dict(result.stages)["min_cost"] == pytest.approx(0, abs=1e-9)
    assert projects(result) == {}


@pytest.mark.parametrize("name", ["floor_hard_millions", "floor_hard_thousands"])
def test_a_per_capita_floor_is_exact_in_persons_and_in_thousands(tmp_path, name):
    # A hard floor of 1.008e-4 per person (0.1008 per thousand) where only 1.005e-4 is reachable.
    assert planner.solve(case(tmp_path, name)).status == Status.infeasible


def test_settings_mip_gap_zero_means_zero(tmp_path):
    scenario = case(tmp_path, "mipgap0")
    assert SolveOptions.from_settings(scenario.settings).mip_gap == 0.0
    result = planner.solve(scenario)
    assert result.status == Status.optimal and result.answer.mip_gap == 0.0
    assert result.objective == pytest.approx(7)


def test_stage_values_come_from_the_rounded_plan(tmp_path):
    # The independent implementation: priorities 0.0921823 and 1.7434431529, then min_cost 376.10.
    result = planner.solve(case(tmp_path, "fam-25"))
    stages = dict(result.stages)
    assert stages["priority 1"] == pytest.approx(0.0921822579, rel=1e-8)
    assert stages["priority 2"] == pytest.approx(1.7434431529, rel=1e-9)
    assert stages["min_cost"] == pytest.approx(376.10241617, rel=1e-8)
    assert_reported_plan_scores_its_stages(result)


def assert_reported_plan_scores_its_stages(result) -> None:
    """Fix the reported starts in a freshly built model: every hard rule must hold (the fixed
    model is feasible) and each stage must score exactly the reported value.

    Whole projects are fixed at 0 or 1. The share of a divisible project is a solver's value
    (exact within its tolerance, 1e-7 of a row), so it is held within 1e-7 of the reported share
    and its stage values compared within 1e-6; whole plans must score exactly (1e-9).
    """
    model = build_model(result.scenario)
    starts = model.index.starts
    chosen = {(p, int(s)): float(sh) for p, s, sh in
              zip(result.plan["project"], result.plan["start"], result.plan["share"])}
    divisible = starts["project"].map(model.index.projects["divisible"]).to_numpy(dtype=bool)
    for x, project, start, part in zip(starts["x"], starts["project"], starts["start"], divisible):
        share = chosen.get((project, int(start)), 0.0)
        var = model.model.x[int(x)]
        if part:
            var.setlb(max(0.0, share - 1e-7))
            var.setub(min(1.0, share + 1e-7))
        else:
            var.fix(share)
    fixed = solve(model, SolveOptions(mip_gap=0.0))
    assert fixed.status == Status.optimal, f"the reported plan breaks a hard rule: {fixed.message}"
    tolerance = 1e-6 if divisible.any() else 1e-9
    for (name, reported), (_, again) in zip(result.stages, fixed.stages):
        assert again == pytest.approx(reported, rel=tolerance, abs=1e-9), name


def test_every_reported_plan_scores_exactly_what_is_reported_on_random_family_scenarios(tmp_path):
    from tests.cases import random_family_tables

    solved = 0
    for seed in range(24):
        tables = random_family_tables(seed)
        scenario = planner.load(write_workbook(tmp_path / f"f{seed}.xlsx", tables))
        result = solve_loaded(scenario, SolveOptions.from_settings(scenario.settings))
        assert result.status in (Status.optimal, Status.infeasible), (seed, result.answer.message)
        if result.status == Status.optimal:
            solved += 1
            assert_reported_plan_scores_its_stages(result)
            if result.objective is not None:
                assert np.isfinite(result.objective)
    assert solved >= 12
