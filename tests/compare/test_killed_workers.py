"""Fault injection: a worker killed with ``kill -9`` while jobs run costs only its job, which is run
again once in a fresh process; a job that still fails is reported by name and every other job keeps
its result. Worker processes and a dask cluster both."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from benchmarks.generate import generate_workbook
from planner.parallel import run_tasks


def die_once(task):
    """Task ``index`` kills its own process (as ``kill -9`` or the out-of-memory killer would) the
    first time it runs, or every time when ``always``."""
    index, folder, victim, always = task
    time.sleep(0.3)
    marker = Path(folder) / f"{index}.tried"
    if index == victim and (always or not marker.exists()):
        marker.write_text("killed")
        os.kill(os.getpid(), signal.SIGKILL)
    return index * 10


def test_a_task_whose_worker_was_killed_is_run_again_and_the_others_keep_their_results(tmp_path):
    tasks = [(i, str(tmp_path), 2, False) for i in range(6)]
    done = run_tasks(die_once, tasks, workers=2)
    assert [(d.index, d.value, d.error) for d in done] == [(i, i * 10, "") for i in range(6)]


def test_a_task_that_kills_its_worker_twice_is_reported_and_nothing_else_is_lost(tmp_path):
    tasks = [(i, str(tmp_path), 3, True) for i in range(6)]
    done = run_tasks(die_once, tasks, workers=2)
    assert [d.value for d in done] == [0, 10, 20, None, 40, 50]
    assert "its worker process died" in done[3].error and "again when retried" in done[3].error
    assert [d.ok for d in done] == [True, True, True, False, True, True]


def test_the_dask_path_survives_a_killed_worker_and_gives_up_on_a_task_that_always_kills(tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    (tmp_path / "once").mkdir()
    (tmp_path / "always").mkdir()
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster:
        once = run_tasks(die_once, [(i, str(tmp_path / "once"), 1, False) for i in range(4)],
                         dask_address=cluster.scheduler_address)
        always = run_tasks(die_once, [(i, str(tmp_path / "always"), 2, True) for i in range(4)],
                           dask_address=cluster.scheduler_address)
    assert [(d.value, d.error) for d in once] == [(0, ""), (10, ""), (20, ""), (30, "")]
    assert [d.value for d in always] == [0, 10, None, 30]
    assert "its worker died each time the cluster ran it" in always[2].error


def test_compare_with_a_worker_killed_mid_solve_finishes_every_job(tmp_path):
    """``planner compare --workers 2``: kill -9 a worker process while it solves; all three jobs end
    with their answers (the lost ones run again), the exit code is 0, and no file is left behind."""
    files = [generate_workbook(tmp_path / f"s{i}.xlsx", 8, 80, 5, seed=i) for i in range(1, 4)]
    out = tmp_path / "cmp.xlsx"
    process = subprocess.Popen([sys.executable, "-m", "planner.cli", "compare", *map(str, files), "--workers", "2",
                                "--json", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    parent = psutil.Process(process.pid)
    victim = None
    deadline = time.perf_counter() + 60
    while victim is None and time.perf_counter() < deadline and process.poll() is None:
        busy = [child for child in parent.children() if child.cpu_percent(interval=0.2) > 20]
        if busy:
            time.sleep(0.5)  # well inside a solve
            victim = busy[0]
    assert victim is not None, "no worker process was seen solving"
    victim.send_signal(signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-3000:]
    data = json.loads(stdout)
    assert [(s["scenario"], s["status"]) for s in data["scenarios"]] == [
        ("s1", "optimal"), ("s2", "optimal"), ("s3", "optimal")]
    assert all(s["answer"]["projects"] is not None for s in data["scenarios"])
    assert "Traceback" not in stderr
    assert "a worker process died" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp.xlsx", "s1.xlsx", "s2.xlsx", "s3.xlsx"]


def test_a_job_that_fails_is_reported_by_name_and_the_others_are_kept(tmp_path, monkeypatch):
    from planner import comparison as cmp
    from planner.comparison import jobs as job_module
    from tests.builders import minimal_tables, write_workbook

    paths = [write_workbook(tmp_path / f"{name}.xlsx", minimal_tables()) for name in ("north", "south", "east")]
    real = job_module.run_job

    def flaky(job, threads=1):
        if job.label == "south":
            raise MemoryError("out of memory while building")
        return real(job, threads)

    monkeypatch.setattr(job_module, "run_job", flaky)
    outcomes = cmp.run_jobs(cmp.make_jobs(paths, with_variants=False), workers=1)
    assert [(o.label, o.status) for o in outcomes] == [("north", "optimal"), ("south", "no_solution"),
                                                       ("east", "optimal")]
    assert outcomes[1].reason == "the solve failed: MemoryError: out of memory while building"


# --- Ctrl-C and SIGTERM during compare --------------------------------------------------------

@pytest.mark.parametrize("how, code", [("sigterm", 143), ("ctrl-c", 130)])
def test_compare_stopped_keeps_the_finished_jobs_and_writes_them(tmp_path, how, code):
    """SIGTERM to the planner (docker stop) or Ctrl-C to the whole terminal group: the running solves
    stop with their best plan, the queued ones never start, the comparison is written, exit 143/130."""
    files = [generate_workbook(tmp_path / f"h{i}.xlsx", 14, 200, 10, seed=3) for i in range(1, 5)]
    out = tmp_path / "cmp.xlsx"
    process = subprocess.Popen([sys.executable, "-m", "planner.cli", "compare", *map(str, files), "--workers", "2",
                                "--json", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    parent = psutil.Process(process.pid)
    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline and process.poll() is None:
        if len([c for c in parent.children() if c.cpu_percent(interval=0.3) > 20]) == 2:
            break
    time.sleep(3)  # both workers deep in a solve (each takes ~15 s)
    workers = parent.children()
    if how == "sigterm":
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)
    started = time.perf_counter()
    stdout, stderr = process.communicate(timeout=120)
    assert time.perf_counter() - started < 10
    assert process.returncode == code, stderr[-3000:]
    assert "Traceback" not in stderr
    data = json.loads(stdout)
    assert [s["scenario"] for s in data["scenarios"]] == ["h1", "h2", "h3", "h4"]
    statuses = [s["status"] for s in data["scenarios"]]
    assert "interrupted" in statuses and set(statuses) <= {"optimal", "feasible", "interrupted"}
    from openpyxl import load_workbook

    overview = [[c.value for c in row] for row in load_workbook(out)["Overview"].iter_rows()]
    assert [row[0] for row in overview[1:]] == ["h1", "h2", "h3", "h4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cmp.xlsx"] + [f.name for f in files])
    assert not [w.pid for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]


def test_compare_in_one_process_stops_after_the_job_that_was_interrupted(tmp_path):
    files = [generate_workbook(tmp_path / f"h{i}.xlsx", 14, 200, 10, seed=3) for i in range(1, 4)]
    process = subprocess.Popen([sys.executable, "-m", "planner.cli", "compare", *map(str, files), "--workers", "1",
                                "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(8)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-3000:]
    statuses = [s["status"] for s in json.loads(stdout)["scenarios"]]
    assert statuses[-1] == "interrupted" and "interrupted" in statuses[:2], statuses
    assert "Traceback" not in stderr
