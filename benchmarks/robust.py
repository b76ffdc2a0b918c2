"""Measure planner robust on a scenario: sample optima against one solve, and the SAA model's memory.

    python benchmarks/robust.py [scenarios/uzbekistan.xlsx] [--samples 200] [--workers 2] [--dask]

Each figure comes from its own process (so one measurement's memory does not count in the next):

* ``single``: one deterministic solve (build, hand-off, every stage) as ``planner solve`` does it;
* ``samples``: every sample's optimum (``planner robust``'s step 2) in ``--workers`` processes, and with
  ``--dask`` on a LocalCluster of that many single-threaded workers;
* ``memory``: the resident memory the deterministic model takes (built, handed to HiGHS, solved) and
  the memory the SAA model with the samples takes (built, handed off, extended, solved), each above
  the process's memory once the libraries are imported (``VmHWM`` minus ``VmRSS`` at that point).

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1]) / 1024.0
    return float("nan")


def _child(kind: str, path: str, samples: int, workers: int) -> dict:
    from planner.advice.robust import SAMPLE_HIGHS
    from planner.advice.robust.saa import sample_model
    from planner.advice.robust.samples_solve import solve_samples
    from planner.advice.robust.sampling import draw, parameters
    from planner.model import build_model
    from planner.scenario import load_scenario
    from planner.solver import SolveOptions, StageSolver

    scenario = load_scenario(path)
    options = SolveOptions.from_settings(scenario.settings)
    base = _rss("VmRSS")
    began = time.perf_counter()
    model = build_model(scenario)
    solver = StageSolver(model, options)
    result = solver.solve()
    single = time.perf_counter() - began
    if kind == "single":
        return {"seconds": single, "stages": result.stages}
    if kind == "memory-deterministic":
        return {"mb": _rss("VmHWM") - base, "seconds": single,
                "size": [solver.matrix.highs.getNumRow(), solver.matrix.highs.getNumCol(),
                         solver.matrix.highs.getNumNz()]}
    theta = draw(parameters(model), samples, 1).theta
    if kind == "memory-saa":
        del solver
        began = time.perf_counter()
        built = sample_model(scenario, options, theta, "cvar", 0.1, result.values, model)
        solved = built.solver.solve(start=built.start)
        return {"mb": _rss("VmHWM") - base, "seconds": time.perf_counter() - began, "before": built.before,
                "after": built.after, "status": str(solved.status)}
    from dataclasses import replace
    sample_options = replace(options, highs=dict(SAMPLE_HIGHS))
    if kind == "dask":
        import distributed

        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            began = time.perf_counter()
            found = solve_samples(scenario, sample_options, result.values, theta,
                                  dask_address=cluster.scheduler_address)
            seconds = time.perf_counter() - began
    else:
        began = time.perf_counter()
        found = solve_samples(scenario, sample_options, result.values, theta, workers=workers, model=model)
        seconds = time.perf_counter() - began
    statuses: dict[str, int] = {}
    for r in found:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"seconds": seconds, "statuses": statuses,
            "per_sample": sorted(round(r["seconds"], 2) for r in found)[len(found) // 2]}


def _run(kind: str, args: argparse.Namespace) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", kind, args.scenario, "--samples", str(args.samples),
                           "--workers", str(args.workers)], capture_output=True, text=True, cwd=ROOT, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    print(kind, json.dumps(found, default=str), file=sys.stderr, flush=True)  # each figure as soon as it is known
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "uzbekistan.xlsx"))
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.scenario, args.samples, args.workers), default=str))
        return
    report: dict = {"scenario": Path(args.scenario).name, "samples": args.samples, "workers": args.workers}
    report["single"] = _run("single", args)
    report["processes"] = _run("processes", args)
    report["processes"]["single_solves"] = round(report["processes"]["seconds"] / report["single"]["seconds"], 1)
    if args.dask:
        report["dask"] = _run("dask", args)
        report["dask"]["single_solves"] = round(report["dask"]["seconds"] / report["single"]["seconds"], 1)
    report["memory_deterministic"] = _run("memory-deterministic", args)
    report["memory_saa"] = _run("memory-saa", args)
    report["memory_ratio"] = round(report["memory_saa"]["mb"] / report["memory_deterministic"]["mb"], 2)
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
