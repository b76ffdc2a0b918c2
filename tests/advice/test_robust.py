"""planner robust on cases solved by hand (models/robust.md).

The hand case: one budget of 10 buys either R (risky, benefit triangular(0, 12, 12)) or S (a sure 9).
At the point estimates R wins (12 > 9); a sample's optimum holds R exactly when its benefit exceeds 9,
which happens with probability 1 - 81/144 = 0.4375; the mean of R's worst 10% is far below 9, so the
CVaR plan holds S.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from planner.advice.robust import robust_analysis
from planner.advice.robust.outcomes import outcomes
from planner.advice.robust.regret import least_regret
from planner.advice.robust.saa import tail_mean
from planner.advice.robust.sampling import draw, parameters, triangular
from planner.model import build_model
from planner.model.objectives import benefit_terms
from planner.scenario import check_scenario, load_scenario
from planner.solver import SolveOptions
from tests.builders import ROOT, run_cli, settings, write_workbook


def hand_tables(**impacts) -> dict:
    """Benefit objective, one year of benefit (start 2026, complete 2027), money for one project."""
    values = {"R": (12, 0, 12), "S": (9, None, None)} | impacts
    return {
        "Settings": settings(name="hand", start_year=2026, horizon=2, objective="benefit", mip_gap=0),
        "Regions": [{"region": "A", "population": 100}],
        "Indicators": [{"indicator": "grp", "value": 1.0}],
        "Funds": [{"fund": "f", "carry_over": "no"}],
        "Budgets": [{"fund": "f", "year": 2026, "amount": 10}],
        "Projects": [{"project": p, "kind": "other", "region": "A", "cost": 10, "latest_start": 2026}
                     for p in values],
        "Impacts": [{"project": p, "indicator": "grp", "value": v, "low": lo, "high": hi}
                    for p, (v, lo, hi) in values.items()],
    }


def options() -> SolveOptions:
    return SolveOptions(mip_gap=0.0)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    path = write_workbook(tmp_path_factory.mktemp("hand") / "hand.xlsx", hand_tables())
    scenario = load_scenario(path)
    return path, robust_analysis(scenario, options(), samples=200, seed=7, measure="cvar", alpha=0.1)


def test_triangular_inverse_distribution():
    u = np.array([0.0, 0.25, 0.5625, 0.99])
    assert triangular(np.zeros(4), np.full(4, 12.0), np.full(4, 12.0), u) == pytest.approx(12 * np.sqrt(u))
    assert triangular(np.array([1.0]), np.array([1.0]), np.array([1.0]), np.array([0.3])) == pytest.approx([1.0])
    # a symmetric triangle: the median is the mode
    assert triangular(np.array([0.0]), np.array([5.0]), np.array([10.0]), np.array([0.5])) == pytest.approx([5.0])


def test_deterministic_takes_the_risky_project_and_cvar_the_safe_one(hand):
    _, result = hand
    assert set(result.deterministic.projects["project"]) == {"R"}
    assert set(result.robust.projects["project"]) == {"S"}
    assert result.deterministic.objective == pytest.approx(12.0)
    assert result.robust.objective == pytest.approx(9.0)
    # what robustness costs at the point estimates: 12 - 9 of benefit
    price = result.price_of_robustness
    assert price["stage"] == "benefit" and price["value"] == pytest.approx(3.0)
    assert price["relative"] == pytest.approx(0.25)
    # the robust plan's CVaR is the sure 9; the deterministic plan's is the mean of R's worst 10%
    assert result.robust.measure_value == pytest.approx(9.0)
    assert result.deterministic.measure_value == pytest.approx(12 * (2 / 3) * np.sqrt(0.1), rel=0.15)
    assert result.deterministic.measure_value < 9


def test_core_index_of_the_risky_project_is_its_chance_to_beat_the_sure_one(hand):
    _, result = hand
    core = result.core_index.set_index("project")
    r = core.loc["R"]
    assert r["low"] <= 1 - 81 / 144 <= r["high"]
    assert r["high"] - r["low"] < 0.15  # 200 samples: a Wilson interval about +-0.07 wide
    # R and S exclude each other through the budget: every sample's optimum holds exactly one
    assert core.loc["S"]["share"] == pytest.approx(1 - r["share"])
    assert result.sample_status == {"optimal": 200}


def test_risk_profile_of_both_plans(hand):
    _, result = hand
    det = result.deterministic.risk.set_index("name").loc["benefit"]
    rob = result.robust.risk.set_index("name").loc["benefit"]
    assert rob["p10"] == rob["p50"] == rob["p90"] == pytest.approx(9.0)
    # P10 of 12 sqrt(u) is 12 sqrt(0.1) = 3.79, P50 12 sqrt(0.5) = 8.49 (sampled)
    assert det["p10"] == pytest.approx(12 * np.sqrt(0.1), rel=0.1)
    assert det["p50"] == pytest.approx(12 * np.sqrt(0.5), rel=0.05)


def test_same_seed_same_samples_and_sample_i_does_not_depend_on_the_count(hand):
    path, _ = hand
    params = parameters(build_model(load_scenario(path)))
    a, b, c = draw(params, 50, 3), draw(params, 50, 3), draw(params, 20, 3)
    assert np.array_equal(a.theta, b.theta) and np.array_equal(a.theta[:20], c.theta)
    assert not np.array_equal(a.theta, draw(params, 50, 4).theta)


def test_sample_terms_equal_the_model_at_the_point_estimates():
    scenario = load_scenario(ROOT / "scenarios" / "uzbekistan.xlsx")
    model = build_model(scenario)
    params = parameters(model)
    outcome = outcomes(model, params)
    mine = pd.DataFrame({"item": outcome.goals.rows, "col": outcome.goals.cols,
                         "coef": outcome.goals.coefficients(params.base)}).groupby(["item", "col"])["coef"].sum()
    ref = model.level_terms(model.index.goals[["indicator", "scope", "year"]]).groupby(["item", "col"])["coef"].sum()
    assert np.allclose(mine.reindex(ref.index).fillna(0), ref, rtol=1e-12, atol=1e-12)
    items = model.levels[["indicator", "region", "year"]].assign(scope=[(r,) for r in model.levels["region"]])
    ref_l = model.level_terms(items[["indicator", "scope", "year"]]).groupby(["item", "col"])["coef"].sum()
    mine_l = pd.DataFrame({"item": outcome.levels.rows, "col": outcome.levels.cols,
                           "coef": outcome.levels.coefficients(params.base)}).groupby(["item", "col"])["coef"].sum()
    assert len(ref_l) and np.allclose(mine_l.reindex(ref_l.index).fillna(0), ref_l, rtol=1e-12, atol=1e-12)
    assert set(mine_l.index) == set(ref_l.index)  # the regional levels' terms, none more
    cols, coefs = benefit_terms(model)
    ref_b = pd.Series(coefs).groupby(cols).sum()
    mine_b = pd.Series(outcome.benefit.coefficients(params.base)).groupby(outcome.benefit.cols).sum()
    assert np.allclose(mine_b.reindex(ref_b.index).fillna(0), ref_b, rtol=1e-12, atol=1e-9)
    assert params.uncertain  # the bundled scenario marks its uncertain impacts


def test_expected_with_symmetric_ranges_is_the_deterministic_plan(tmp_path):
    tables = hand_tables(R=(12, 6, 18), S=(9, 3, 15))
    scenario = load_scenario(write_workbook(tmp_path / "sym.xlsx", tables))
    result = robust_analysis(scenario, options(), samples=100, seed=2, measure="expected")
    assert set(result.robust.projects["project"]) == set(result.deterministic.projects["project"]) == {"R"}
    assert result.price_of_robustness["value"] == pytest.approx(0.0)


def test_worst_case_plan(tmp_path):
    scenario = load_scenario(write_workbook(tmp_path / "hand.xlsx", hand_tables()))
    result = robust_analysis(scenario, options(), samples=50, seed=1, measure="worst")
    assert set(result.robust.projects["project"]) == {"S"}
    assert result.robust.measure_value == pytest.approx(9.0)


def test_partner_reliability_0_equals_removing_that_partner_s_impacts(tmp_path):
    tables = hand_tables(S=(9, 8, 10))
    tables["Partners"] = [{"partner": "K", "reliability": 0.5}]
    tables["Regions"][0]["borders"] = "K"
    tables["Projects"][0] |= {"kind": "crossborder", "partner": "K", "partner_share": 0.2}
    scenario = load_scenario(write_workbook(tmp_path / "partner.xlsx", tables))
    scenario.tables["Partners"]["reliability"] = 0.0  # below the contract's (0, 1]: a partner that never pays
    failing = robust_analysis(scenario, options(), samples=30, seed=5)
    removed = load_scenario(write_workbook(tmp_path / "partner.xlsx", tables))
    impacts = removed.tables["Impacts"]
    mine = impacts["project"] == "R"
    impacts.loc[mine, "value"], impacts.loc[mine, "low"], impacts.loc[mine, "high"] = 0.0, None, None
    without = robust_analysis(removed, options(), samples=30, seed=5)
    pd.testing.assert_frame_equal(failing.core_index.drop(columns=["in_deterministic"]),
                                  without.core_index.drop(columns=["in_deterministic"]))
    pd.testing.assert_frame_equal(failing.robust.projects, without.robust.projects)
    pd.testing.assert_frame_equal(failing.robust.risk, without.robust.risk)
    # R is still paid for in the plan that holds it, but delivers nothing in any sample
    assert failing.core_index.set_index("project").loc["R", "share"] == 0.0


def test_least_regret_on_two_futures_solved_by_hand(tmp_path):
    # base: A 10, B 7, C 0; dry: A 1, B 6, C 9. Regrets (benefit): plan A 0 and 8, plan C 10 and 0,
    # plan B 3 and 3: B has the least largest regret, 3 (relative: 0.3 and 1/3, so 1/3).
    tables = hand_tables(R=(10, None, None), S=(7, None, None), C=(0, None, None))
    tables["Variants"] = [{"variant": "dry", "sheet": "Impacts", "where": "project=R", "column": "value", "set": 1},
                          {"variant": "dry", "sheet": "Impacts", "where": "project=S", "column": "value", "set": 6},
                          {"variant": "dry", "sheet": "Impacts", "where": "project=C", "column": "value", "set": 9}]
    path = write_workbook(tmp_path / "futures.xlsx", tables)
    futures = [load_scenario(path), load_scenario(path, "dry")]
    regret = least_regret(futures, options())
    assert regret.futures == ["base", "dry"]
    assert list(regret.projects["project"]) == ["S"]
    assert regret.max_regret == pytest.approx(3.0)
    table = regret.table.set_index(["plan", "future"])
    assert table.loc[("optimum of base", "dry"), "regret"] == pytest.approx(8.0)
    assert table.loc[("optimum of dry", "base"), "regret"] == pytest.approx(10.0)
    assert table.loc[("least regret", "base"), "value"] == pytest.approx(7.0)
    relative = least_regret(futures, options(), relative=True)
    assert list(relative.projects["project"]) == ["S"] and relative.max_regret == pytest.approx(1 / 3)


def test_serial_processes_and_local_cluster_give_identical_results():
    distributed = pytest.importorskip("distributed")
    scenario = load_scenario(ROOT / "scenarios" / "small.xlsx")
    impacts = scenario.tables["Impacts"]
    impacts["low"] = impacts["value"].astype(float) * 0.5
    impacts["high"] = impacts["value"].astype(float) * 1.3
    opts = SolveOptions.from_settings(scenario.settings)

    def key(result):
        return (result.core_index.to_json(), result.robust.projects.to_json(), result.robust.risk.to_json())

    serial = robust_analysis(scenario, opts, samples=20, seed=3, workers=1)
    processes = robust_analysis(scenario, opts, samples=20, seed=3, workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_cluster = robust_analysis(scenario, opts, samples=20, seed=3, dask_address=cluster.scheduler_address)
    assert key(serial) == key(processes) == key(on_cluster)


def test_tail_mean_is_the_mean_of_the_worst_share():
    values = np.arange(1.0, 11.0)
    assert tail_mean(values, 0.2, upper=True) == pytest.approx(9.5)
    assert tail_mean(values, 0.2, upper=False) == pytest.approx(1.5)
    assert tail_mean(values, 0.25, upper=False) == pytest.approx((1 + 2 + 0.5 * 3) / 2.5)


def test_ranges_are_validated_at_their_cells(tmp_path):
    tables = hand_tables(R=(12, 13, 14), S=(9, 5, 8))
    tables["Impacts"].append({"project": "S", "indicator": "grp", "value": 1, "low": 3, "high": 2})
    _, problems = check_scenario(write_workbook(tmp_path / "bad.xlsx", tables))
    found = {str(p) for p in problems if p.severity == "error"}
    assert any(p.startswith("Impacts!2: low: low is above the most likely value") for p in found)
    assert any(p.startswith("Impacts!3: high: high is below the most likely value") for p in found)
    assert any(p.startswith("Impacts!4: low: low is above high") for p in found)
    tables = hand_tables()
    tables["Partners"] = [{"partner": "K", "reliability": 0}]
    _, problems = check_scenario(write_workbook(tmp_path / "bad2.xlsx", tables))
    assert any(str(p).startswith("Partners!2: reliability: must be above 0") for p in problems)


def test_cli_writes_the_robust_workbook_and_json(tmp_path):
    path = write_workbook(tmp_path / "hand.xlsx", hand_tables())
    result = run_cli("robust", path, "--samples", "40", "--seed", "2", "--json", "--workers", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"scenario", "samples", "seed", "measure", "alpha", "core_index", "deterministic", "robust",
            "price_of_robustness"} <= set(data)
    assert data["samples"] == 40 and data["seed"] == 2 and data["measure"] == "cvar" and data["alpha"] == 0.1
    assert set(data["core_index"][0]) == {"project", "share", "low", "high"}
    for plan in ("deterministic", "robust"):
        assert {"objective", "measure_value", "projects", "risk"} <= set(data[plan])
        assert set(data[plan]["risk"][0]) == {"name", "p10", "p50", "p90", "p_met"}
    assert [p["project"] for p in data["robust"]["projects"]] == ["S"]
    workbook = load_workbook(tmp_path / "hand-robust.xlsx")
    assert workbook.sheetnames[:4] == ["Summary", "Core index", "Risk profile", "Robust plan"]
    assert workbook["Core index"]._charts and workbook["Risk profile"]._charts
    summary = {r[0]: r[1] for r in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["measure"] == "cvar" and summary["samples"] == 40 and summary["seed"] == 2
    assert "run: input sha256" in summary


def test_cli_variants_writes_the_regret_table(tmp_path):
    tables = hand_tables(R=(10, 5, 12), S=(7, None, None))
    tables["Variants"] = [{"variant": "dry", "sheet": "Impacts", "where": "project=R", "column": "value",
                           "set": 6}]
    path = write_workbook(tmp_path / "v.xlsx", tables)
    out = tmp_path / "robust.xlsx"
    result = run_cli("robust", path, "--samples", "20", "--variants", "--json", "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    regret = json.loads(result.stdout)["regret"]
    assert regret["futures"] == ["base", "dry"]
    assert {"plan", "future", "value", "optimum", "regret"} <= set(regret["plans"][0])
    assert {"projects", "max_regret"} <= set(regret["least_regret"])
    assert "Regret" in load_workbook(out).sheetnames


def test_python_api(tmp_path):
    import planner

    path = write_workbook(tmp_path / "hand.xlsx", hand_tables())
    rb = planner.robust(path, samples=20, seed=2, measure="worst")
    assert list(rb.robust.projects["project"]) == ["S"] and rb.price_of_robustness["stage"] == "benefit"
    assert rb.to_excel(tmp_path / "out.xlsx").is_file()
    assert rb.to_json()["measure"] == "worst" and rb.analysis.run["input file"] == "hand.xlsx"


def country_tables(pa_value: float = 2.0, ranged: bool = True) -> dict:
    """Two regions and a country-wide jobs goal (the model counts it through regional levels L):
    money for one of PA (in A, jobs triangular(0, 2, 4)) or PB (in B, a sure 1.5); the goal needs
    +1.8 over the baseline 10 by 2028, so PA meets it at the point estimates and PB never does."""
    return {
        "Settings": settings(name="country", start_year=2026, horizon=3, objective="goals", mip_gap=0),
        "Regions": [{"region": "A", "population": 100}, {"region": "B", "population": 100}],
        "Indicators": [{"indicator": "jobs", "value": 0}],
        "Baseline": [{"region": "A", "indicator": "jobs", "value": 6},
                     {"region": "B", "indicator": "jobs", "value": 4}],
        "Funds": [{"fund": "f", "carry_over": "no"}],
        "Budgets": [{"fund": "f", "year": 2026, "amount": 5}],
        "Projects": [{"project": "PA", "kind": "other", "region": "A", "cost": 5, "latest_start": 2026},
                     {"project": "PB", "kind": "other", "region": "B", "cost": 5, "latest_start": 2026}],
        "Impacts": [{"project": "PA", "indicator": "jobs", "value": pa_value,
                     "low": 0 if ranged else None, "high": 4 if ranged else None},
                    {"project": "PB", "indicator": "jobs", "value": 1.5}],
        "Goals": [{"goal": "G", "indicator": "jobs", "target": 11.8, "year": 2028, "priority": 1}],
    }


def test_a_sample_optimum_over_regional_levels_equals_a_solve_with_the_sampled_values(tmp_path):
    # The country goal's row holds the regional levels L, not the projects: a sample must change the
    # impacts in the `level` rows (and L's bounds must allow the sample's gains), never add them to
    # the goal row a second time. Each sample's optimum is checked against the workbook re-written
    # with that sample's value of PA's impact and solved from scratch.
    from planner.advice.robust.samples_solve import SampleSolver
    from planner.solver import solve

    scenario = load_scenario(write_workbook(tmp_path / "country.xlsx", country_tables()))
    solver = SampleSolver(scenario, options())
    assert len(solver.model.levels) == 2  # the goal is counted through L[jobs, A] and L[jobs, B]
    samples = draw(solver.params, 12, seed=3)
    pa = list(solver.params.table["project"]).index("PA")
    seen = set()
    for theta in samples.theta:
        got = solver.solve(theta, None)
        fixed = load_scenario(write_workbook(tmp_path / "fixed.xlsx", country_tables(float(theta[pa]), False)))
        want = solve(build_model(fixed), options())
        assert [name for name, _ in got.stages] == [name for name, _ in want.stages]
        assert [v for _, v in got.stages] == pytest.approx([v for _, v in want.stages], abs=1e-7), theta[pa]
        seen.add(theta[pa] >= 1.8)
    assert seen == {True, False}  # samples on both sides of the goal
