"""The advisors' commands: ``planner diagnose``, ``planner frontier``, ``planner alternatives``.

``register(app)`` adds them to the ``planner`` typer app (planner/cli.py calls it);
``marginal_table`` is what ``planner solve --marginal`` calls, and
``show_marginal`` / ``show_diagnosis`` print its results for people. Same
conventions as planner/cli.py: ``--json`` prints one JSON object alone on
stdout, people's messages go to stderr or a short summary to stdout, and exit
codes are 0 success, 1 invalid input, 3 infeasible, 4 stopped without a plan.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from planner.errors import PlannerError, ScenarioInvalid

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

FileArg = Annotated[Path, typer.Argument(help="Scenario workbook (.xlsx or .xlsm).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks on errors.")]
VariantOpt = Annotated[Optional[str], typer.Option("--variant", help="Use this variant (Variants sheet).")]
TimeOpt = Annotated[Optional[float], typer.Option("--time-limit", help="Seconds each solve may run.", min=0)]

__all__ = ["register", "marginal_table", "marginal_records", "show_marginal", "show_diagnosis"]


def register(app: typer.Typer) -> None:
    """Add ``diagnose``, ``frontier`` and ``alternatives`` to ``app``."""
    app.command("diagnose")(diagnose)
    app.command("frontier")(frontier)
    app.command("alternatives")(alternatives)


def _setup_logging() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s", force=True)


def _fail(exc: PlannerError, as_json: bool, debug: bool) -> None:
    if debug:
        raise exc
    if isinstance(exc, ScenarioInvalid):
        errors = [str(p) for p in exc.problems if p.severity == "error"]
        if as_json:
            print(json.dumps({"status": "invalid", "errors": errors}))
        else:
            for line in errors:
                err.print(line, markup=False)
            err.print(f"{len(errors)} error(s)", markup=False)
    elif as_json:
        print(json.dumps({"status": "invalid", "errors": [str(exc)]}))
    else:
        err.print(f"Error: {exc}", markup=False)
    raise typer.Exit(exc.exit_code)


def _load(file: Path, variant: str | None, time_limit: float | None, as_json: bool, debug: bool):
    from planner.pipeline import solve_options
    from planner.scenario import load_scenario

    try:
        scenario = load_scenario(file, variant)
    except PlannerError as exc:
        _fail(exc, as_json, debug)
        raise  # unreachable: _fail exits
    return scenario, solve_options(scenario, time_limit=time_limit)


def _usage(message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"status": "invalid", "errors": [message]}))
    else:
        err.print(f"Error: {message}", markup=False)
    raise typer.Exit(1)


# --- diagnose ----------------------------------------------------------------------------------

def diagnose(file: FileArg, as_json: JsonOpt = False, variant: VariantOpt = None, time_limit: TimeOpt = None,
             debug: DebugOpt = False) -> None:
    """Explain why a scenario is infeasible, in workbook terms, and the cheapest repairs.

    Exit 0 when the scenario is feasible, 3 when it is infeasible (with the conflicting
    rules, each at its Sheet!row, and the smallest change to each that repairs it).

    Example: planner diagnose scenarios/small.xlsx
    """
    from planner.advice.diagnose import diagnose as run_diagnosis

    _setup_logging()
    scenario, options = _load(file, variant, time_limit, as_json, debug)
    result = run_diagnosis(scenario, options)
    if as_json:
        print(json.dumps(result.to_json(), default=str))
    else:
        show_diagnosis(result)
    raise typer.Exit({"feasible": 0, "infeasible": 3}.get(result.status, 4))


def show_diagnosis(result, console: Console | None = None) -> None:
    """The diagnosis for people: the verdict, the conflicting rules, the repairs."""
    console = console or out
    console.print(f"[bold]{result.scenario}[/bold]: {result.status}", markup=True)
    console.print(result.explanation(), markup=False)
    if result.feasible:
        return
    from planner.advice.diagnose import SOURCES

    if result.source in SOURCES:
        console.print(SOURCES[result.source], markup=False)
    if result.conflict:
        table = Table(title="Conflicting rules")
        for column in ("conflict", "where", "rule"):
            table.add_column(column)
        for c in result.conflict:
            where = f"{c['sheet']}!{c['row']}" if c.get("row") is not None else c.get("sheet", "")
            table.add_row(str(c.get("conflict", 1)), where, c["text"].rsplit(" [", 1)[0] +
                          (" (definition)" if c["kind"] == "definition" else ""))
        console.print(table)
    if result.repairs:
        table = Table(title="Repairs (each one alone ends its conflict), smallest first")
        for column in ("conflict", "where", "repair"):
            table.add_column(column)
        for r in result.repairs:
            where = f"{r['sheet']}!{r['row']}" if r.get("row") is not None else (r.get("sheet") or "")
            table.add_row(str(r.get("conflict", 1)), where, r["text"])
        console.print(table)
        console.print(result.repair_sentence(), markup=False)
    if result.message:
        console.print(f"note: {result.message}", markup=False)


# --- marginal (called by planner solve --marginal) -----------------------------------------------

def marginal_table(scenario, options=None, step: float = 0.05, model=None):
    """What one more unit of money in each binding budget buys (see planner.advice.marginal).

    ``planner solve FILE --marginal [--step 0.05]`` calls this with the loaded scenario and its
    SolveOptions; raises ``planner.advice.marginal.MarginalError`` when the scenario has no plan.
    """
    from planner.advice.marginal import marginal_table as table

    return table(scenario, options, step=step, model=model)


def marginal_records(table):
    """The marginal table as JSON records (for ``--json``: a ``marginal`` key)."""
    from planner.advice.marginal import marginal_records as records

    return records(table)


def show_marginal(table, console: Console | None = None) -> None:
    """What more money buys, for people: binding budgets with their value, then the others."""
    console = console or out
    if table.empty:
        console.print("No budgets.", markup=False)
        return
    binding = table[table["binding"]]
    view = Table(title="What more money buys (binding budgets)")
    for column in ("fund", "region", "year", "budget", "used", "step", "stage", "gain per unit"):
        view.add_column(column)
    for row in binding.itertuples(index=False):
        region = row.region if isinstance(row.region, str) else "(pooled)"
        step = "" if row.step is None or row.step != row.step else f"{row.step:,.6g}"
        stage = row.stage if isinstance(row.stage, str) else "-"
        view.add_row(str(row.fund), region, str(row.year), f"{row.budget:,.6g}", f"{row.used:,.6g}",
                     step, stage, f"{row.gain_per_money:,.6g}")
    console.print(view)
    free = table[~table["binding"]]
    if len(free):
        names = ", ".join(f"{r.fund} {r.region if isinstance(r.region, str) else ''} {r.year}".replace("  ", " ")
                          for r in free.itertuples(index=False))
        console.print(f"Not binding (value 0): {names}", markup=False)


# --- frontier ----------------------------------------------------------------------------------

def frontier(
    file: FileArg,
    fund: Annotated[Optional[str], typer.Option("--fund", help="Fund whose budgets are scaled (default: all funds).")] = None,
    start: Annotated[float, typer.Option("--from", help="First factor (of the budgets, or of the goal's target with --goal).", min=0)] = 0.5,
    stop: Annotated[float, typer.Option("--to", help="Last factor.", min=0)] = 1.5,
    steps: Annotated[int, typer.Option("--steps", help="Number of points from --from to --to.", min=1)] = 11,
    goal: Annotated[Optional[str], typer.Option("--goal", help="Sweep this goal's target instead, at the cheapest cost (cost objective).")] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Workbook with the table and line charts.")] = None,
    as_json: JsonOpt = False,
    workers: Annotated[int, typer.Option("--workers", help="Solve points in this many processes.", min=1)] = 1,
    variant: VariantOpt = None,
    time_limit: TimeOpt = None,
    debug: DebugOpt = False,
) -> None:
    """The budget-outcome frontier: solve with budgets scaled over a range, or a goal's target swept.

    Reports money vs objective and each goal's attainment, and the projects added or dropped
    between neighbouring points. With --goal: the cheapest cost of reaching each target level.

    Example: planner frontier scenarios/small.xlsx --fund national --from 0.5 --to 1.5 --steps 11 --out frontier.xlsx
    """
    from planner.advice.frontier import budget_frontier, goal_frontier
    from planner.advice.workbooks import write_frontier

    _setup_logging()
    if goal is not None and fund is not None:
        _usage("use either --fund or --goal, not both", as_json)
    scenario, options = _load(file, variant, time_limit, as_json, debug)
    try:
        if goal is not None:
            result = goal_frontier(scenario, goal, start, stop, steps, options, workers)
        else:
            result = budget_frontier(scenario, fund, start, stop, steps, options, workers)
    except ValueError as exc:
        _usage(str(exc), as_json)
        return
    if out_file is not None:
        try:
            write_frontier(result, out_file)
        except PlannerError as exc:
            _fail(exc, as_json, debug)
    if as_json:
        print(json.dumps(result.to_json(), default=str))
    else:
        _show_frontier(result)
        if out_file is not None:
            err.print(f"Frontier written to {out_file}", markup=False)
    solved = result.points["status"].isin(["optimal", "feasible"]).any() if len(result.points) else False
    raise typer.Exit(0 if solved else 3)


def _show_frontier(result) -> None:
    points = result.points
    x = "money" if result.kind == "budget" else "target"
    table = Table(title=f"Frontier of {result.subject} ({result.objective} objective)")
    for column in ("factor", x, "status", "objective", "added", "dropped"):
        table.add_column(column)
    for row in points.to_dict("records"):
        objective = row.get("objective")
        table.add_row(f"{row['factor']:.3g}", f"{row[x]:,.6g}", str(row["status"]),
                      "" if objective is None or objective != objective else f"{objective:,.6g}",
                      str(row.get("added") or ""), str(row.get("dropped") or ""))
    out.print(table)


# --- alternatives ------------------------------------------------------------------------------

def alternatives(
    file: FileArg,
    slack: Annotated[float, typer.Option("--slack", help="Relative room on each objective stage (0.05 = within 5%).", min=0)] = 0.05,
    count: Annotated[int, typer.Option("--count", help="Alternatives to look for besides the optimum.", min=1)] = 5,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Workbook: an overview sheet and a sheet per plan.")] = None,
    as_json: JsonOpt = False,
    variant: VariantOpt = None,
    time_limit: TimeOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Near-optimal plans that differ as much as possible, and the robust core of projects.

    Each plan's every objective stage is within --slack of the optimum; projects chosen in
    every plan are core, in none never, the others borderline.

    Example: planner alternatives scenarios/small.xlsx --slack 0.05 --count 5 --out alternatives.xlsx
    """
    from planner.advice.alternatives import AlternativesError, find_alternatives
    from planner.advice.workbooks import write_alternatives

    _setup_logging()
    scenario, options = _load(file, variant, time_limit, as_json, debug)
    try:
        result = find_alternatives(scenario, slack, count, options)
    except AlternativesError as exc:
        status = "infeasible" if "infeasible" in str(exc) else "no_solution"
        if as_json:
            print(json.dumps({"scenario": scenario.name, "status": status, "message": str(exc)}))
        else:
            err.print(f"{scenario.name}: {exc}; see planner diagnose {file}", markup=False)
        raise typer.Exit(3 if status == "infeasible" else 4)
    if out_file is not None:
        try:
            write_alternatives(result, out_file)
        except PlannerError as exc:
            _fail(exc, as_json, debug)
    if as_json:
        print(json.dumps(result.to_json(), default=str))
    else:
        _show_alternatives(result)
        if out_file is not None:
            err.print(f"Alternatives written to {out_file}", markup=False)
    raise typer.Exit(0)


def _show_alternatives(result) -> None:
    overview = result.overview()
    table = Table(title=f"{result.scenario}: plans within {result.slack:.1%} of the optimum")
    for column in ("plan", "objective", "distance", "projects"):
        table.add_column(column)
    for row in overview.to_dict("records"):
        table.add_row(row["plan"], f"{row['objective']:,.6g}" if row["objective"] is not None else "",
                      f"{row['distance_to_optimum']:g}", row["projects"])
    out.print(table)
    classes = result.classes()
    for kind in ("core", "borderline", "never"):
        names = ", ".join(classes.loc[classes["class"] == kind, "project"]) or "-"
        out.print(f"{kind}: {names}", markup=False)
    if result.message:
        out.print(result.message, markup=False)
