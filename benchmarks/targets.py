"""Measure the performance targets of decision support and national scale, each in its own process.

Targets (the magnitudes issue), measured on this machine against the same run's single
``planner solve`` of the same scenario:

| what | target |
|---|---|
| ``planner solve scenarios/uzbekistan.xlsx`` wall | <= 3 s |
| ``--marginal`` on it | <= 10 x one solve |
| ``frontier`` 11 points, ``alternatives --count 5`` | each <= 6 x one solve |
| ``large``: first plan / gap at 300 s / time-limit overshoot | <= 60 s / <= 1 % / <= 5 % |
| money x 1.27e10 on uzbekistan | the same objective as x 1 |

Usage::

    python benchmarks/targets.py                 # everything (about 20 minutes on 2 cores)
    python benchmarks/targets.py --only solve,marginal,money
    python benchmarks/targets.py --only large --large-limit 300

Prints a Markdown table and writes it to ``benchmarks/targets.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

UZBEKISTAN = ROOT / "scenarios" / "uzbekistan.xlsx"
RESULTS = HERE / "targets.md"
PARTS = ("solve", "marginal", "frontier", "alternatives", "money", "large")


def command(*args: str) -> tuple[float, int, str]:
    """Wall seconds, exit code and stdout of ``planner ARGS`` in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, done.returncode, done.stdout


def child(part: str, large_limit: float) -> dict:
    """Run one in-process measurement in a child (``--child``) and read its JSON."""
    done = subprocess.run([sys.executable, __file__, "--child", part, "--large-limit", str(large_limit)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def in_child(part: str, large_limit: float) -> dict:
    import planner
    from planner.model import build_model
    from planner.solver import SolveOptions, solve

    if part == "money":
        from tests.solver.test_units import scaled

        base = planner.load(UZBEKISTAN)
        result = {}
        for factor in (1.0, 1.27e10):
            started = time.perf_counter()
            answer = planner.solve(scaled(base, factor))
            result[f"x{factor:g}"] = {"status": str(answer.status), "seconds": time.perf_counter() - started,
                                      "stages": [(n, v / (factor if n in ("min_cost", "cost", "benefit") else 1.0))
                                                 for n, v in answer.stages]}
        return result
    if part == "large":
        from benchmarks.generate import generate_size

        workbook = HERE / "out" / "large.xlsx"
        if not workbook.exists():
            workbook.parent.mkdir(parents=True, exist_ok=True)
            generate_size("large", workbook, 1)
        started = time.perf_counter()
        scenario = planner.load(workbook)
        model = build_model(scenario)
        prepared = time.perf_counter() - started
        first_plan = {}

        def progress(stage, best, bound, gap, seconds) -> None:
            if best is not None and "seconds" not in first_plan:
                first_plan["seconds"] = time.perf_counter() - started

        options = SolveOptions.from_settings(scenario.settings, time_limit=large_limit)
        solve_started = time.perf_counter()
        result = solve(model, options, progress)
        solved = time.perf_counter() - solve_started
        import resource

        return {"prepare_seconds": prepared, "solve_seconds": solved, "time_limit": large_limit,
                "overshoot": solved / large_limit - 1.0, "status": str(result.status), "gap": result.mip_gap,
                "first_plan_seconds": first_plan.get("seconds"), "stages": result.stages,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    raise ValueError(part)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--large-limit", type=float, default=300.0)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(in_child(args.child, args.large_limit), default=str))
        return
    parts = args.only.split(",")
    rows = []
    one, code, _ = command("solve", str(UZBEKISTAN), "--no-out", "--no-explain", "--json")
    rows.append(("planner solve uzbekistan.xlsx --no-explain (wall)", f"{one:.1f} s", "<= 3 s", code))
    if "solve" in parts:
        wall, code, _ = command("solve", str(UZBEKISTAN), "--no-out", "--json")
        rows.append(("planner solve uzbekistan.xlsx, missed goals explained (wall)", f"{wall:.1f} s", "-", code))
    if "marginal" in parts:
        wall, code, _ = command("solve", str(UZBEKISTAN), "--no-out", "--no-explain", "--marginal", "--json")
        rows.append(("solve --marginal", f"{wall:.0f} s = {wall / one:.1f} x one solve", "<= 10 x", code))
    if "frontier" in parts:
        workers = str(os.cpu_count() or 1)
        wall, code, _ = command("frontier", str(UZBEKISTAN), "--steps", "11", "--workers", workers, "--json")
        rows.append(("frontier, 11 points", f"{wall:.0f} s = {wall / one:.1f} x one solve", "<= 6 x", code))
    if "alternatives" in parts:
        wall, code, _ = command("alternatives", str(UZBEKISTAN), "--count", "5", "--json")
        rows.append(("alternatives --count 5", f"{wall:.0f} s = {wall / one:.1f} x one solve", "<= 6 x", code))
    if "money" in parts:
        money = child("money", args.large_limit)
        same = "error" not in money and all(
            abs(a[1] - b[1]) <= 1e-6 * max(1.0, abs(b[1]))
            for a, b in zip(money["x1.27e+10"]["stages"], money["x1"]["stages"]))
        rows.append(("money x 1.27e10 on uzbekistan", "same objective" if same else f"DIFFERENT: {money}",
                     "same plan as x 1", 0))
    if "large" in parts:
        large = child("large", args.large_limit)
        if "error" in large:
            rows.append(("large", large["error"][-300:], "", 1))
        else:
            first = large.get("first_plan_seconds")
            rows.append(("large: first plan (from the start, build included)",
                         "none" if first is None else f"{first:.0f} s", "<= 60 s", 0))
            rows.append((f"large: gap at {args.large_limit:.0f} s ({large['status']})",
                         "-" if large["gap"] is None else f"{large['gap']:.2%}", "<= 1 %", 0))
            rows.append(("large: time-limit overshoot", f"{large['overshoot']:+.1%}", "<= 5 %", 0))
            rows.append(("large: peak memory", f"{large['peak_mb']:,.0f} MB", "< 3 GB", 0))
    lines = ["| what | measured | target | exit |", "|---|---|---|---|"]
    lines += [f"| {what} | {measured} | {target} | {code} |" for what, measured, target, code in rows]
    load = os.getloadavg()
    lines.append("")
    lines.append(f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores, load average "
                 f"{load[0]:.1f}.")
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
