"""The bundled scenarios in scenarios/: each validates, solves to its documented answer, and the
committed workbooks equal what their build scripts write.

The pinned numbers are explained in scenarios/README.md; a change that moves one of them has to
update the comment beside it (and the README). Objectives are compared with rel=1e-3, wider than
the default MIP gap (1e-4).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from planner.cli import app
from planner.scenario import check_scenario
from tests.builders import ROOT

SCENARIOS = ROOT / "scenarios"
SHARED_DATA = ROOT.parent / "shared" / "data"


def solve(name: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["solve", str(SCENARIOS / name), "--json", "--no-out"])
    return result.exit_code, json.loads(result.stdout)


def chosen(answer: dict) -> dict[str, float]:
    """Project -> total share started (a divisible programme may start in phases)."""
    shares: dict[str, float] = {}
    for p in answer["projects"]:
        shares[p["project"]] = shares.get(p["project"], 0.0) + p["share"]
    return shares


def goals(answer: dict) -> dict[str, dict]:
    return {g["goal"]: g for g in answer["goals"]}


@pytest.mark.parametrize("name", ["small.xlsx", "uzbekistan.xlsx", "infeasible.xlsx"])
def test_bundled_scenario_validates(name: str) -> None:
    scenario, problems = check_scenario(SCENARIOS / name)
    errors = [p for p in problems if p.severity == "error"]
    assert scenario is not None and errors == []


def test_small() -> None:
    # explained step by step in scenarios/README.md
    code, answer = solve("small.xlsx")
    assert code == 0 and answer["status"] == "optimal"
    # min_cost tie-break: the cheapest plan that meets G1 and gets G2 as close as priority 1 allows.
    assert answer["objective"] == pytest.approx(94.0, rel=1e-3)
    assert set(chosen(answer)) == {"N1", "C1", "S1", "S2", "S3"}
    # G1 (jobs, priority 1) is met; G2 (South GRP, priority 2) is missed by 1.5.
    assert goals(answer)["G1"]["met"] and not goals(answer)["G2"]["met"]
    assert goals(answer)["G2"]["shortfall"] == pytest.approx(1.5, rel=1e-3)


@pytest.fixture(scope="module")
def uzbekistan(uzbekistan_run) -> tuple[int, dict]:
    code, answer, _ = uzbekistan_run
    return code, answer


def test_uzbekistan_status_and_objective(uzbekistan) -> None:
    code, answer = uzbekistan
    assert code == 0 and answer["status"] == "optimal"
    # The objective is the tie-break stage: discounted (5%) spending, million USD, of the cheapest
    # plan that keeps both priority levels at their optimum, running costs included (3,685 undiscounted
    # inside the horizon: 3,577 construction, 108 running). Was 3,014.2 before issue 15 (no running
    # costs, even spending, 2021-based GRP and no border-region quota).
    assert answer["objective"] == pytest.approx(2903.007, rel=1e-3)
    stages = {s["name"]: s["value"] for s in answer["stages"]}
    # Priority 1 (jobs by 2030 and 2035, Fergana valley jobs by 2030) is met in full ...
    assert stages["priority 1"] == pytest.approx(0.0, abs=1e-7)
    # ... priority 2 is not: the disparity target is out of reach of the candidates (it was 0.003439
    # when the GRP goal was missed too; the rebased GRP doubles the roads' agglomeration gains).
    assert stages["priority 2"] == pytest.approx(0.0009216, rel=1e-3)


def test_uzbekistan_goals(uzbekistan) -> None:
    _, answer = uzbekistan
    met = {g: v["met"] for g, v in goals(answer).items()}
    # Priority 1 goals are all met.
    assert met["g_jobs_country"] and met["g_jobs_country_2030"] and met["g_jobs_fergana_valley"]
    # The region-level goals are met: the Urgench-Nukus road lifts Karakalpakstan's accessibility by
    # 10%, the Surkhandarya agro cluster and credit programme its GRP by 60.
    assert met["g_access_karakalpakstan"] and met["g_grp_surkhandarya"]
    # The country GRP target (+1,100) is now met (it was missed by 134): on the rebased GRP (128.7
    # instead of 57.5 billion USD) the roads' agglomeration gains, a share of GRP, are 2.2 times larger.
    assert met["g_grp_country"] and met["g_grp_country_2030"]
    # The disparity target (+80 thousand jobs in the lagging regions) is still missed, by 3.4 (was 4.9).
    assert not met["g_jobs_lagging"]
    assert goals(answer)["g_jobs_lagging"]["shortfall"] == pytest.approx(3.418, rel=2e-2)


def test_uzbekistan_decisive_choices(uzbekistan) -> None:
    _, answer = uzbekistan
    shares = chosen(answer)
    # Mandatory projects are always in the plan; the Aral-sea water supply is under way since 2025.
    assert shares.get("m_aral_water") == pytest.approx(1.0) and shares.get("m_ng_mudflow") == pytest.approx(1.0)
    aral = next(p for p in answer["projects"] if p["project"] == "m_aral_water")
    assert (aral["start"], aral["status"]) == (2025, "under way")
    # Karakalpakstan's +10% accessibility needs the Urgench-Nukus upgrade; the new desert road
    # (858 million USD) is not worth it.
    assert shares.get("tr_xo_kk") == pytest.approx(1.0)
    assert "tr_nw_kk_new" not in shares
    # The Kamchik pass options are too expensive for their agglomeration gain (elasticity 0.04).
    assert "tr_kamchik_rehab" not in shares and "tr_kamchik_tunnel" not in shares
    # The Uchkurgan border market can never be chosen: Kyrgyzstan would pay 0.3 x 30 = 9 in its one
    # year, above its cap of 8 a year.
    assert "cb_ng_kgz" not in shares
    # Neither the copper nor the gold plant is bought any more (the copper plant was, with the mining
    # cluster complete by 2030): with the GRP goal met by the roads, the plants (much GRP, few jobs) are
    # not needed. Only the agro cluster in Surkhandarya is completed (2032); Navoi gets one project, the
    # laboratory, from the border quota.
    assert "mm_nav_copper" not in shares and "mm_nav_gold" not in shares
    complete = {c["cluster"]: c["complete_from"] for c in answer["clusters"]}
    assert complete["agro_surkhandarya"] == 2032 and complete["mm_navoi"] is None
    # Portfolio: at least one project hosted in every border region (every region but Tashkent city).
    hosts = {p["region"] for p in answer["projects"]}
    assert {"andijan", "kashkadarya", "navoi"} <= hosts  # the three the quota brings in
    assert shares.get("mm_nav_lab") == pytest.approx(1.0) and shares.get("qa_agro") == pytest.approx(1.0)
    # Divisible programmes come in one or two tranches of at least 25% (min_tranche, max_tranches).
    tranches: dict[str, list[float]] = {}
    for p in answer["projects"]:
        tranches.setdefault(p["project"], []).append(p["share"])
    assert all(len(t) <= 2 for t in tranches.values()) and min(min(t) for t in tranches.values()) >= 0.25 - 1e-6


def _table(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    width = header.index(None) if None in header else len(header)
    rows = []
    for row in ws.iter_rows(min_row=2, max_col=width, values_only=True):
        if row[0] is None:
            break
        rows.append(dict(zip(header[:width], row)))
    return rows


def test_uzbekistan_money_columns_sum_to_what_was_paid(uzbekistan_run) -> None:
    _, answer, out = uzbekistan_run
    spent = sum(s["amount"] for s in answer["spending"])
    running = sum(r["amount"] for r in answer["running_costs"])
    # 3,684.6 million USD paid by the funds (was 3,715.1): 3,576.6 construction and 108.0 running costs
    # (roads and cluster infrastructure once complete; none before issue 15); the partners add 150.5
    # (was 162.5: one cross-border project fewer in the plan).
    assert spent == pytest.approx(3684.6, rel=1e-3)
    assert running == pytest.approx(108.0, rel=1e-3)
    book = load_workbook(out, read_only=True)
    plan = _table(book["Plan"])
    # One row per project (34 now, 42 before: fewer cluster components, see the README).
    assert len(plan) == len({r["project"] for r in plan}) == 34
    paid = [c for c in plan[0] if c.startswith("paid ")]
    assert sum(float(r[c] or 0) for r in plan for c in paid) == pytest.approx(spent)
    # Own construction money and running costs are separate columns; together they are what was paid.
    assert sum(r["own_cost"] + r["running_cost"] for r in plan) == pytest.approx(spent)
    assert sum(r["partner_money"] for r in plan) == pytest.approx(150.5)
    # The project under way: half of its 90 was paid in 2025 (sunk), 45 inside the horizon.
    aral = next(r for r in plan if r["project"] == "m_aral_water")
    assert (aral["status"], aral["own_cost"], aral["sunk_cost"]) == ("under way", pytest.approx(45), pytest.approx(45))
    spending = _table(book["Spending"])
    assert sum(r["used"] for r in spending) == pytest.approx(spent)
    assert sum(r["running"] for r in spending) == pytest.approx(running)
    allocation = _table(book["Allocation"])
    assert sum(r["invested"] + r["running_cost"] for r in allocation) == pytest.approx(spent)


def test_uzbekistan_progress_of_each_goal(uzbekistan) -> None:
    _, answer = uzbekistan
    progress = {g: v["progress"] for g, v in goals(answer).items()}
    # Share of the required change reached: the GRP goal is met now (+1,100 of +1,100; was 87.8%), +76.6 of
    # +80 thousand lagging-region jobs (was 93.9%); the met goals are at 100% or above (+113 of +60 GRP for
    # Surkhandarya, was 161%).
    assert progress["g_grp_country"] == pytest.approx(1.0, abs=0.005)
    assert progress["g_jobs_lagging"] == pytest.approx(0.957, abs=0.02)
    assert progress["g_grp_surkhandarya"] == pytest.approx(1.89, abs=0.05)
    assert all(p >= 1.0 for g, p in progress.items() if goals(answer)[g]["met"])


def test_uzbekistan_moved_by_lists_the_plan_s_projects(uzbekistan_run) -> None:
    _, answer, out = uzbekistan_run
    rows = {r["goal"]: r for r in _table(load_workbook(out, read_only=True)["Goals"])}
    grp = rows["g_grp_country"]
    moved = {part.rsplit(" ", 1)[0] for part in grp["moved_by"].split(", ")}
    # Only the plan's projects, with their contribution; the Tashkent-Guliston expressway moves it most now
    # (+145; the copper plant's +157 led before, and the plant is no longer in the plan). The copper and
    # gold plants, the gas-chemical plant and the Kamchik options could move it but are not in the plan.
    assert "tr_tk_si_4l" in moved and grp["moved_by"].startswith("tr_tk_si_4l +144.9")
    outside = {"mm_nav_copper", "mm_nav_gold", "qa_gaschem", "tr_kamchik_rehab", "tr_kamchik_tunnel"}
    assert not moved & outside
    assert outside <= set(grp["candidates"].split(", "))


def test_uzbekistan_regional_spread_and_money_that_cannot_help(uzbekistan) -> None:
    _, answer = uzbekistan
    spread = answer["investment_spread"]
    # Syrdarya gets most per person now, 399 USD (its programmes, the ICIC and the Guliston-Jizzakh road),
    # Navoi least, 18 (only the laboratory; it led with 495 when the mining cluster was bought): 22x
    # (was 39x), above the 10x of spread_warning.
    assert spread["highest"]["region"] == "syrdarya" and spread["lowest"]["region"] == "navoi"
    assert spread["ratio"] == pytest.approx(22.2, rel=0.05) and spread["warning"]
    idle = answer["money_that_cannot_help"]
    # 192.3 of 4,244 cannot help (was 448.4 of 4,198), all of it in 2035, when a construction payment buys
    # nothing that counts: the development bank's and the reconstruction fund's (180; they pay no running
    # costs) and three regions' budgets without a candidate that runs then (12.3). The state budget and the
    # other regions' budgets of 2035, and Tashkent city's of 2033-2034, now pay running costs of complete
    # projects, so they can help.
    assert sum(r["amount"] for r in idle) == pytest.approx(192.3, rel=1e-3)
    assert {r["year"] for r in idle} == {2035}


def test_uzbekistan_why_the_missed_goals_are_missed(uzbekistan) -> None:
    _, answer = uzbekistan
    why = {m["goal"]: m for m in answer["missed_goals"]}
    # Only the lagging-region jobs goal is missed now (the GRP goal, explained here before, is met).
    assert set(why) == {"g_jobs_lagging"}
    # It is out of reach whatever the money: the candidates run out at about +77.1 of the +80 (the
    # Uchkurgan market would need Kyrgyzstan's cap raised from 8 to 9), with the GRP goals giving a little.
    jobs = why["g_jobs_lagging"]
    assert jobs["reach"]["level"] == pytest.approx(3705.7, abs=0.5)
    assert "candidates" in {h["kind"] for h in jobs["held_back_by"]}
    held = {h["rule"] for h in jobs["held_back_by"]}
    assert "partner_cap KGZ 2029" in held
    assert not held & {"goal g_jobs_country", "goal g_jobs_country_2030", "goal g_jobs_fergana_valley"}


def test_uzbekistan_validate_warns_about_candidates_that_can_never_be_chosen() -> None:
    _, problems = check_scenario(SCENARIOS / "uzbekistan.xlsx")
    text = [str(p) for p in problems if p.severity == "warning"]
    assert any(t.startswith("Projects!22: partner_share: project cb_ng_kgz can never be chosen: partner KGZ "
                            "would put in 9 a year") for t in text)


def test_infeasible() -> None:
    code, answer = solve("infeasible.xlsx")
    # G1 needs all three South projects (90 million USD); the fund holds 25 a year and only the 50
    # of 2026-2027 pays for projects finished by 2028: no plan exists, exit code 3.
    assert code == 3 and answer["status"] == "infeasible"
    assert answer["projects"] == []


def _load_builder(name: str):
    spec = importlib.util.spec_from_file_location(name, SCENARIOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells(path: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.mark.parametrize("name", [
    pytest.param("uzbekistan", marks=pytest.mark.skipif(
        not SHARED_DATA.is_dir(), reason="../shared/data (the build input) is not checked out")),
    "infeasible",
])
def test_committed_workbook_equals_build_script(name: str, tmp_path: Path) -> None:
    # Compare cell values, not bytes: an xlsx zip carries timestamps.
    built = _load_builder(f"build_{name}").build(tmp_path / f"{name}.xlsx")
    assert _cells(built) == _cells(SCENARIOS / f"{name}.xlsx")
