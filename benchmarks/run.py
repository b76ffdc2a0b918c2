"""Time every stage of ``planner solve`` on the generated benchmark scenarios.

For each requested size the workbook is generated if missing (see
``generate.py``), then solved in a fresh subprocess, so that each size's peak
memory (``ru_maxrss``) is its own. Stages, each timed with ``perf_counter``:

* read+validate: ``planner.scenario.load_scenario`` (package checks, calamine
  read, typing, cross-sheet rules);
* build: ``planner.model.build_model`` (index sets, Pyomo variables,
  constraints, objective stages);
* hand-off: Pyomo model -> matrix form -> ``highspy.passModel``
  (``SolveResult.handoff_seconds``);
* solve: HiGHS, all lexicographic stages (``SolveResult.solve_seconds``);
* output: ``planner.results.extract`` + ``json.dumps(answer.to_json())`` +
  ``planner.output.results_workbook.write_results`` to a temporary .xlsx.

The model's size (rows, columns, nonzeros) is read from the HiGHS instance at
hand-off, before the stage rows are added, by wrapping ``planner.solver.stages.hand_off``
in the child process (no extra work is timed).

Usage::

    python benchmarks/run.py --sizes small,middle
    python benchmarks/run.py --sizes large --time-limit 120
    python benchmarks/run.py --sizes middle --profile benchmarks/out   # cProfile each stage

Prints a Markdown table and writes it to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import SIZES, generate_size  # noqa: E402

OUT = HERE / "out"
RESULTS = HERE / "results.md"
#: Default solver time limit per size (seconds); None = no limit.
DEFAULT_TIME_LIMIT = {"small": None, "middle": None, "large": 120.0}

STAGES = ("read", "build", "handoff", "solve", "output")


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 1024.0 / 1024.0


# --------------------------------------------------------------------------- child


def measure(workbook: Path, time_limit: float | None, mip_gap: float | None,
            threads: int | None = None, profile_dir: Path | None = None,
            label: str = "run", no_gc: bool = False) -> dict:
    """Run every stage once on ``workbook`` and return the figures.

    ``no_gc`` switches Python's cyclic garbage collector off for the whole run
    (an experiment: Pyomo allocates millions of small objects, and each full
    collection walks all of them).
    """
    if no_gc:
        import gc

        gc.disable()
    import planner.solver.stages as solve_module
    from planner.model import build_model
    from planner.output.results_workbook import write_results
    from planner.results import extract
    from planner.scenario import load_scenario
    from planner.solver import SolveOptions

    size: dict[str, int] = {}
    original_hand_off = solve_module.hand_off

    def counting_hand_off(model, options):
        matrix = original_hand_off(model, options)
        h = matrix.highs
        size.update(rows=int(h.getNumRow()), cols=int(h.getNumCol()), nonzeros=int(h.getNumNz()),
                    integers=int(sum(1 for v in model.columns.vars if v.is_integer())))
        return matrix

    solve_module.hand_off = counting_hand_off
    profiler = None
    if profile_dir is not None:
        import cProfile

        profiler = cProfile.Profile()

    def profiled(stage: str, call):
        if profiler is None:
            return call()
        profiler.enable()
        try:
            return call()
        finally:
            profiler.disable()
            profiler.dump_stats(str(profile_dir / f"{label}-{stage}.prof"))
            profiler.clear()

    seconds: dict[str, float] = {}
    memory: dict[str, float] = {"start": peak_mb()}

    started = time.perf_counter()
    scenario = profiled("read", lambda: load_scenario(workbook))
    seconds["read"] = time.perf_counter() - started
    memory["read"] = peak_mb()

    started = time.perf_counter()
    model = profiled("build", lambda: build_model(scenario))
    seconds["build"] = time.perf_counter() - started
    memory["build"] = peak_mb()

    options = SolveOptions.from_settings(scenario.settings, time_limit=time_limit, mip_gap=mip_gap, threads=threads)
    started = time.perf_counter()
    result = profiled("solve", lambda: solve_module.solve(model, options))
    wall = time.perf_counter() - started
    seconds["handoff"] = result.handoff_seconds
    seconds["solve"] = result.solve_seconds
    memory["solve"] = peak_mb()

    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        started = time.perf_counter()

        def output():
            answer = extract(model, result)
            text = json.dumps(answer.to_json())
            if answer.status in ("optimal", "feasible", "interrupted"):
                write_results(answer, Path(tmp) / "results.xlsx")
            return answer, text

        answer, text = profiled("output", output)
        seconds["output"] = time.perf_counter() - started
    memory["output"] = peak_mb()

    chosen = answer.projects["project"].nunique() if not answer.projects.empty else 0
    goals_met = int(answer.goals["met"].sum()) if not answer.goals.empty else 0
    return {
        "workbook": str(workbook),
        "seconds": seconds,
        "solve_wall": wall,
        "memory_mb": memory,
        "peak_mb": peak_mb(),
        "model": size,
        "status": result.status,
        "objective": result.objective,
        "stages": result.stages,
        "mip_gap": result.mip_gap,
        "message": result.message,
        "projects": len(scenario.tables["Projects"]),
        "chosen": int(chosen),
        "goals": len(answer.goals),
        "goals_met": goals_met,
        "json_bytes": len(text),
        "time_limit": options.time_limit,
        "mip_gap_option": options.mip_gap,
        "gc": not no_gc,
    }


def child_main(args: argparse.Namespace) -> int:
    figures = measure(Path(args.workbook), args.time_limit, args.mip_gap, args.threads,
                      Path(args.profile) if args.profile else None, label=args.label,
                      no_gc=args.no_gc)
    Path(args.result).write_text(json.dumps(figures))
    return 0


# -------------------------------------------------------------------------- parent


def run_size(size: str, seed: int, time_limit: float | None, mip_gap: float | None,
             threads: int | None, profile: Path | None, timeout: float | None,
             no_gc: bool = False) -> dict:
    workbook = OUT / f"{size}.xlsx" if seed == 1 else OUT / f"{size}-seed{seed}.xlsx"
    if not workbook.exists():
        started = time.perf_counter()
        generate_size(size, workbook, seed=seed)
        print(f"generated {workbook} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child",
               "--workbook", str(workbook), "--result", str(result_path), "--label", size]
    if time_limit is not None:
        command += ["--time-limit", str(time_limit)]
    if mip_gap is not None:
        command += ["--mip-gap", str(mip_gap)]
    if threads:
        command += ["--threads", str(threads)]
    if no_gc:
        command += ["--no-gc"]
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        command += ["--profile", str(profile)]
    print(f"running {size} ({workbook.name}, time limit {time_limit or 'none'}) ...",
          file=sys.stderr)
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, timeout=timeout)
        code = completed.returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
    elapsed = time.perf_counter() - started
    try:
        if code != 0:
            return {"size": size, "status": f"failed ({code})", "elapsed": elapsed}
        figures = json.loads(result_path.read_text())
    finally:
        result_path.unlink(missing_ok=True)
    figures["size"] = size
    figures["elapsed"] = elapsed
    return figures


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    header = ("size", "regions × projects × years", "rows", "cols", "nonzeros", "read+validate s",
              "build s", "hand-off s", "solve s", "output s", "non-solve / solve", "peak MB",
              "status", "objective", "gap", "chosen")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        dims = " × ".join(f"{n:,}" for n in SIZES[r["size"]]) if r["size"] in SIZES else "-"
        if "seconds" not in r:
            lines.append("| " + " | ".join([r["size"], dims] + ["-"] * 10 + [r["status"], "-", "-", "-"]) + " |")
            continue
        s = r["seconds"]
        model = r.get("model", {})
        other = s["read"] + s["build"] + s["handoff"] + s["output"]
        ratio = other / s["solve"] if s["solve"] > 0 else None
        chosen = f"{r['chosen']:,} / {r['projects']:,}"
        gap = f"{r['mip_gap']:.1e}" if r.get("mip_gap") is not None else "-"
        lines.append("| " + " | ".join([
            r["size"], dims, _fmt(model.get("rows")), _fmt(model.get("cols")),
            _fmt(model.get("nonzeros")), _fmt(s["read"]), _fmt(s["build"]), _fmt(s["handoff"]),
            _fmt(s["solve"]), _fmt(s["output"]), _fmt(ratio), _fmt(r["peak_mb"], 0),
            r["status"], _fmt(r["objective"], 4), gap, chosen,
        ]) + " |")
    return "\n".join(lines)


def environment() -> str:
    from importlib.metadata import version

    import highspy  # noqa: F401
    import pandas
    import pyomo

    return (f"Python {platform.python_version()}, Pyomo {pyomo.version.version}, "
            f"highspy {version('highspy')}, pandas {pandas.__version__}, "
            f"python-calamine {version('python-calamine')}; {os.cpu_count()} CPU(s), "
            f"{platform.machine()} {platform.system()}")


def stage_details(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        if "seconds" not in r:
            continue
        stages = ", ".join(f"{name} = {value:.6g}" for name, value in r["stages"])
        mem = ", ".join(f"{k} {v:,.0f}" for k, v in r["memory_mb"].items())
        load = r.get("load")
        lines.append(f"- **{r['size']}** (finished {r.get('measured', '?')} with `{r.get('command', '?')}`"
                     + (f", load average {load[0]:.1f} before / {load[1]:.1f} after" if load else "")
                     + f"): stages {stages}; goals met {r['goals_met']} of "
                     f"{r['goals']}; peak MB after each step: {mem}; integer columns "
                     f"{r['model'].get('integers', 0):,}; time limit {r['time_limit'] or 'none'}, "
                     f"mip_gap {r['mip_gap_option']:g}; cyclic GC {'on' if r.get('gc', True) else 'off'}; "
                     f"child wall time {r['elapsed']:.1f} s"
                     + (f"; message: {r['message']}" if r.get("message") else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark planner solve on generated scenarios.")
    parser.add_argument("--sizes", default="small,middle",
                        help="comma-separated sizes among " + ", ".join(SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="solver time limit in s (default: 120 for large, none otherwise)")
    parser.add_argument("--mip-gap", type=float, default=None,
                        help="relative MIP gap (default: the workbook's, 1e-4)")
    parser.add_argument("--threads", type=int, default=None, help="HiGHS threads")
    parser.add_argument("--timeout", type=float, default=None,
                        help="kill a size's subprocess after this many seconds")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write cProfile stats per size and stage into this folder")
    parser.add_argument("--no-gc", action="store_true",
                        help="experiment: disable Python's cyclic garbage collector in the run")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="Markdown file for the table (default benchmarks/results.md)")
    # child mode (internal)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workbook", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="run", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose among {', '.join(SIZES)}")
    command = ("python benchmarks/run.py --sizes " + ",".join(sizes)
               + (f" --time-limit {args.time_limit:g}" if args.time_limit is not None else "")
               + (f" --mip-gap {args.mip_gap:g}" if args.mip_gap is not None else "")
               + (f" --threads {args.threads}" if args.threads else "")
               + (" --no-gc" if args.no_gc else "")
               + (f" --seed {args.seed}" if args.seed != 1 else ""))
    rows = []
    for size in sizes:
        limit = args.time_limit if args.time_limit is not None else DEFAULT_TIME_LIMIT[size]
        load_before = os.getloadavg()[0]
        row = run_size(size, args.seed, limit, args.mip_gap, args.threads, args.profile,
                       args.timeout, args.no_gc)
        row.update(measured=time.strftime("%Y-%m-%d %H:%M"), command=command,
                   load=(load_before, os.getloadavg()[0]))
        rows.append(row)
        if args.results == RESULTS and args.profile is None and "seconds" in row:
            (OUT / f"{size}.result.json").write_text(json.dumps(row, indent=1))
    print(table(rows))
    if args.results == RESULTS:
        # Keep the latest saved figures of the sizes not run this time.
        ran = {r["size"] for r in rows}
        for size in SIZES:
            saved = OUT / f"{size}.result.json"
            if size not in ran and saved.exists():
                rows.append(json.loads(saved.read_text()))
        rows.sort(key=lambda r: list(SIZES).index(r["size"]))
    report = (f"# Benchmark results\n\nWritten by `benchmarks/run.py` (see README.md). "
              f"{environment()}.\n\n{table(rows)}\n\n{stage_details(rows)}\n")
    args.results.write_text(report)
    print(f"\nwritten to {args.results}", file=sys.stderr)
    return 0 if all("seconds" in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
