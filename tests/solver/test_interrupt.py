"""Ctrl-C during a solve: status interrupted, exit 130, the best plan so far, no partial file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from benchmarks.generate import generate_workbook


def test_ctrl_c_stops_the_solver_and_keeps_the_best_plan(tmp_path):
    path = generate_workbook(tmp_path / "hard.xlsx", 14, 200, 10, seed=3)  # solves in ~15 s
    out = tmp_path / "results.xlsx"
    process = subprocess.Popen([sys.executable, "-m", "planner.cli", "solve", str(path), "--json", "--verbose",
                                "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.perf_counter() + 120
    for line in process.stderr:  # HiGHS's log (on stderr with --verbose) says when the search runs
        if "Solving MIP model" in line or time.perf_counter() > deadline:
            break
    time.sleep(2)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    started = time.perf_counter()
    stdout, _ = process.communicate(timeout=60)
    assert time.perf_counter() - started < 10  # stops within a few seconds
    answer = json.loads(stdout)
    if answer["status"] == "optimal":
        pytest.skip("the machine finished the solve before Ctrl-C reached it: nothing to interrupt")
    assert process.returncode == 130
    assert answer["status"] == "interrupted"
    assert answer["projects"], "the best plan found so far is reported"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("hard.xlsx", "results.xlsx")]
    assert leftovers == []


def test_time_limit_stops_with_a_plan_or_says_there_is_none(tmp_path):
    from tests.builders import run_cli

    path = generate_workbook(tmp_path / "hard.xlsx", 14, 200, 10, seed=3)
    started = time.perf_counter()
    result = run_cli("solve", path, "--json", "--no-out", "--time-limit", "2")
    elapsed = time.perf_counter() - started
    answer = json.loads(result.stdout)
    assert elapsed < 20  # 2 s of solving plus reading and building; never the full ~15 s search
    assert answer["status"] in ("feasible", "no_solution")
    assert result.exit_code == (0 if answer["status"] == "feasible" else 4)
    if answer["status"] == "feasible":
        assert answer["projects"] and answer["mip_gap"] is not None
