"""The advisors' commands: ``planner diagnose``, ``planner frontier``, ``planner alternatives``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from planner.advice.alternatives import AlternativesError, find_alternatives
from planner.advice.diagnose import diagnose as run_diagnosis
from planner.advice.frontier import budget_frontier, goal_frontier
from planner.cli.common import (
    DebugOpt,
    FileArg,
    ForceOpt,
    JsonOpt,
    TimeOpt,
    VariantOpt,
    check_out,
    err,
    exit_code_after,
    load,
    print_json,
    setup_logging,
    stopped_early,
    usage,
)
from planner.cli.show import show_alternatives, show_diagnosis, show_frontier
from planner.errors import PlannerError
from planner.output.advice_workbooks import write_alternatives, write_frontier
from planner.status import Status, note_stop, stops_noted


def diagnose(file: FileArg,
             goal: Annotated[str | None, typer.Option(
                 "--goal", help="Explain only this goal: why it is missed and what it would take.")] = None,
             as_json: JsonOpt = False, variant: VariantOpt = None, time_limit: TimeOpt = None,
             debug: DebugOpt = False) -> None:
    """Explain why a scenario is infeasible, or why its soft goals are missed, in workbook terms.

    Exit 0 when the scenario is feasible: each missed soft goal (or only --goal G) is explained,
    with the budgets, rules and higher-priority goals that hold it back and the cheapest ways to
    meet it (more money in which fund and years, a lower target, which other goal would give).
    Exit 3 when it is infeasible (with the conflicting rules, each at its Sheet!row, and the
    smallest change to each that repairs it).

    Example: planner diagnose scenarios/uzbekistan.xlsx --goal g_grp_country
    """
    setup_logging()
    mark = stops_noted()
    scenario, options = load(file, variant, time_limit, as_json, debug)
    try:
        result = run_diagnosis(scenario, options, goal=goal)
    except ValueError as exc:
        usage(str(exc), as_json)
    except KeyboardInterrupt as interrupt:
        stopped_early(interrupt, mark, as_json, scenario.name, "Interrupted during the diagnosis")
    if as_json:
        print_json(result.to_json())
    else:
        show_diagnosis(result)
    raise typer.Exit(result.exit_code)


def frontier(
    file: FileArg,
    fund: Annotated[str | None, typer.Option(
        "--fund", help="Fund whose budgets are scaled (default: all funds).")] = None,
    start: Annotated[float, typer.Option(
        "--from", help="First factor (of the budgets, or of the goal's target with --goal).", min=0)] = 0.5,
    stop: Annotated[float, typer.Option("--to", help="Last factor.", min=0)] = 1.5,
    steps: Annotated[int, typer.Option("--steps", help="Number of points from --from to --to.", min=1)] = 11,
    goal: Annotated[str | None, typer.Option(
        "--goal", help="Sweep this goal's target instead, at the cheapest cost (cost objective).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Workbook with the table and line charts.")] = None,
    as_json: JsonOpt = False,
    workers: Annotated[int, typer.Option("--workers", help="Solve points in this many processes.", min=1)] = 1,
    variant: VariantOpt = None,
    time_limit: TimeOpt = None,
    force: ForceOpt = False,
    debug: DebugOpt = False,
) -> None:
    """The budget-outcome frontier: solve with budgets scaled over a range, or a goal's target swept.

    Reports money vs objective and each goal's attainment, and the projects added or dropped
    between neighbouring points. With --goal: the cheapest cost of reaching each target level.

    Example: planner frontier scenarios/small.xlsx --fund national --from 0.5 --to 1.5 --steps 11 --out frontier.xlsx
    """
    setup_logging()
    if goal is not None and fund is not None:
        usage("use either --fund or --goal, not both", as_json)
    check_out(out_file, [file], force, as_json, debug)
    mark = stops_noted()
    scenario, options = load(file, variant, time_limit, as_json, debug)
    try:
        if goal is not None:
            result = goal_frontier(scenario, goal, start, stop, steps, options, workers)
        else:
            result = budget_frontier(scenario, fund, start, stop, steps, options, workers)
    except ValueError as exc:
        usage(str(exc), as_json)
    except KeyboardInterrupt as interrupt:
        stopped_early(interrupt, mark, as_json, scenario.name, "Interrupted during the frontier")
    written = _write(lambda target: write_frontier(result, target, force=force, protect=[file]), out_file, debug)
    if as_json:
        print_json(result.to_json() | ({"errors": [written]} if written else {}))
    else:
        show_frontier(result)
        _say_written(written, out_file, "Frontier")
    raise typer.Exit(exit_code_after(1 if written else result.exit_code, mark))


def _write(write: Callable[[Path], object], out_file: Path | None, debug: bool) -> str | None:
    """Write the workbook (if asked); None when written or not asked, else why not. What was
    computed is shown all the same: it is never lost to the writer."""
    if out_file is None:
        return None
    try:
        write(out_file)
    except PlannerError as exc:
        if debug:
            raise
        return str(exc)
    except KeyboardInterrupt as interrupt:  # a second Ctrl-C or SIGTERM while writing
        note_stop(interrupt)
        return f"stopped while writing '{out_file}'; nothing was written"
    return None


def _say_written(written: str | None, out_file: Path | None, what: str) -> None:
    if written:
        err.print(f"Error: {written}; the result above is complete", markup=False)
    elif out_file is not None:
        err.print(f"{what} written to {out_file}", markup=False)


def alternatives(
    file: FileArg,
    slack: Annotated[float, typer.Option(
        "--slack", help="Relative room on each objective stage (0.05 = within 5%).", min=0)] = 0.05,
    count: Annotated[int, typer.Option("--count", help="Alternatives to look for besides the optimum.", min=1)] = 5,
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Workbook: an overview sheet and a sheet per plan.")] = None,
    as_json: JsonOpt = False,
    variant: VariantOpt = None,
    time_limit: TimeOpt = None,
    force: ForceOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Near-optimal plans that differ as much as possible, and the robust core of projects.

    Each plan's every objective stage is within --slack of the optimum; projects chosen in
    every plan are core, in none never, the others borderline.

    Example: planner alternatives scenarios/small.xlsx --slack 0.05 --count 5 --out alternatives.xlsx
    """
    setup_logging()
    check_out(out_file, [file], force, as_json, debug)
    mark = stops_noted()
    scenario, options = load(file, variant, time_limit, as_json, debug)
    try:
        result = find_alternatives(scenario, slack, count, options)
    except KeyboardInterrupt as interrupt:
        stopped_early(interrupt, mark, as_json, scenario.name, "Interrupted while looking for alternatives")
    except AlternativesError as exc:
        if as_json:
            print_json({"scenario": scenario.name, "status": str(exc.status), "message": str(exc)})
        else:
            err.print(f"{scenario.name}: {exc}; see planner diagnose {file}", markup=False)
        raise typer.Exit(exc.status.exit_code) from None
    written = _write(lambda target: write_alternatives(result, target, force=force, protect=[file]), out_file,
                     debug)
    if as_json:
        print_json(result.to_json() | ({"errors": [written]} if written else {}))
    else:
        show_alternatives(result)
        _say_written(written, out_file, "Alternatives")
    raise typer.Exit(exit_code_after(1 if written else Status.optimal.exit_code, mark))
