"""The ``planner`` command line: thin typer commands over the library.

Exit codes: 0 success, 1 invalid input or file problem, 2 usage error (click's
own), 3 infeasible, 4 stopped without a solution, 130 interrupted by Ctrl-C.
Logs and human messages go to stderr; ``--json`` output goes alone on stdout.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from planner import __version__
from planner.errors import PlannerError, ScenarioInvalid

app = typer.Typer(
    help="Optimisation-based policy planner for regional development.\n\n"
    "Example: planner solve scenarios/small.xlsx",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
log = logging.getLogger("planner")

FileArg = Annotated[Path, typer.Argument(help="Scenario workbook (.xlsx or .xlsm).",
                                         show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks on errors.")]


@app.callback()
def _startup() -> None:
    """Refuse to run when openpyxl would parse XML without defusedxml."""
    from planner.scenario.safety import check_defusedxml

    try:
        check_defusedxml()
    except RuntimeError as exc:  # pragma: no cover - a broken installation
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(1)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s", force=True)


def _fail(exc: PlannerError, as_json: bool, debug: bool) -> None:
    """Report an input/file error for people (and machines) and exit with its code."""
    if debug:
        raise exc
    if isinstance(exc, ScenarioInvalid):
        _print_problems(exc.problems, as_json)
    elif as_json:
        print(json.dumps({"status": "invalid", "errors": [str(exc)]}))
    else:
        err.print(f"[red]Error:[/red] {exc}", markup=True)
    raise typer.Exit(exc.exit_code)


def _print_problems(problems, as_json: bool) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if as_json:
        print(json.dumps({"status": "invalid" if errors else "valid",
                          "errors": [str(p) for p in errors],
                          "warnings": [str(p) for p in warnings]}))
        return
    stream = err if errors else out
    for p in errors:
        stream.print(f"{p}", markup=False)
    for p in warnings:
        stream.print(f"warning: {p}", markup=False)
    stream.print(f"{len(errors)} error(s), {len(warnings)} warning(s)", markup=False)


@app.command()
def validate(file: FileArg, as_json: JsonOpt = False, debug: DebugOpt = False) -> None:
    """Check a scenario workbook and list every problem at once.

    Example: planner validate scenarios/small.xlsx
    """
    from planner.scenario import check_scenario

    _setup_logging(False)
    try:
        scenario, problems = check_scenario(file)
    except PlannerError as exc:
        _fail(exc, as_json, debug)
        return
    if scenario is None:
        _fail(ScenarioInvalid(problems), as_json, debug)
    _print_problems(problems, as_json)


@app.command()
def template(
    file: Annotated[Path, typer.Argument(help="Workbook to create.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write an empty scenario workbook with every sheet, drop-downs and a README sheet.

    Example: planner template my-scenario.xlsx
    """
    from planner.template import write_template

    if file.exists() and not force:
        err.print(f"Error: '{file}' already exists; use --force to overwrite it", markup=False)
        raise typer.Exit(1)
    try:
        write_template(file)
    except PlannerError as exc:
        _fail(exc, False, debug)
    err.print(f"Wrote template {file}", markup=False)


@app.command()
def solve(
    file: FileArg,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Results workbook (default: <input>-results.xlsx beside the input).")] = None,
    no_out: Annotated[bool, typer.Option("--no-out", help="Do not write a results workbook.")] = False,
    variant: Annotated[Optional[str], typer.Option("--variant", help="Solve this variant (Variants sheet).")] = None,
    fairness: Annotated[bool, typer.Option("--price-of-fairness", help="Also compare the most beneficial plans with and without the Equity rules.")] = False,
    marginal: Annotated[bool, typer.Option("--marginal", help="Also show what more money in each binding budget would buy.")] = False,
    step: Annotated[float, typer.Option("--step", help="Budget raise for --marginal, as a share of the budget.", min=0)] = 0.05,
    as_json: JsonOpt = False,
    time_limit: Annotated[Optional[float], typer.Option("--time-limit", help="Seconds the solver may run.", min=0)] = None,
    mip_gap: Annotated[Optional[float], typer.Option("--mip-gap", help="Relative MIP gap (default 1e-4 or Settings mip_gap).", min=0, max=1)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show HiGHS output and timings on stderr.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Solve a scenario: which projects, where, when, from which fund.

    Example: planner solve scenarios/small.xlsx --out results.xlsx
    """
    from planner.pipeline import default_results_path, run_scenario

    _setup_logging(verbose)
    if out_file is None and not no_out:
        out_file = default_results_path(file)
    try:
        answer = run_scenario(file, time_limit=time_limit, mip_gap=mip_gap, verbose=verbose,
                              out=None if no_out else out_file, variant=variant, fairness=fairness,
                              marginal=marginal, step=step)
    except PlannerError as exc:
        _fail(exc, as_json, debug)
        return
    except KeyboardInterrupt:
        if as_json:
            print(json.dumps({"scenario": str(file), "status": "interrupted", "objective": None, "stages": [],
                              "projects": [], "message": "interrupted before the solver started"}))
        err.print("Interrupted before the solver started; nothing was written.", markup=False)
        raise typer.Exit(130)
    if as_json:
        print(json.dumps(answer.to_json(), default=str))
    else:
        show_answer(answer)
        from planner.advice.cli import show_diagnosis, show_marginal

        if answer.diagnosis is not None:
            show_diagnosis(answer.diagnosis)
        if answer.marginal is not None:
            show_marginal(answer.marginal)
        if not no_out:
            err.print(f"Results written to {out_file}", markup=False)
    from planner.solve import EXIT_CODES

    raise typer.Exit(EXIT_CODES[answer.status])


def show_answer(answer) -> None:
    """A short summary for people: status, objective, projects by region, goals, funds."""
    out.print(f"[bold]{answer.scenario}[/bold]: {answer.status}", markup=True)
    if answer.message:
        out.print(answer.message, markup=False)
    for name, value in answer.stages:
        out.print(f"  {name}: {value:,.6g}", markup=False)
    if answer.mip_gap is not None:
        out.print(f"  MIP gap: {answer.mip_gap:.2e}   solve time: {answer.solve_seconds:.2f} s", markup=False)
    if not answer.projects.empty:
        table = Table(title="Chosen projects")
        for column in ("region", "project", "start", "share", "kind", "cost"):
            table.add_column(column)
        for row in answer.projects.sort_values(["region", "start"]).itertuples(index=False):
            table.add_row(str(row.region), str(row.project), str(row.start), f"{row.share:.0%}",
                          str(row.kind), f"{row.cost:,.2f}")
        out.print(table)
    if not answer.goals.empty:
        table = Table(title="Goals")
        for column in ("goal", "indicator", "target", "achieved", "shortfall", "met"):
            table.add_column(column)
        for row in answer.goals.itertuples(index=False):
            table.add_row(str(row.goal), str(row.indicator), f"{row.target:,.6g}", f"{row.achieved:,.6g}",
                          f"{row.shortfall:,.6g}", "yes" if row.met else "no")
        out.print(table)
    if not answer.spending.empty:
        used = answer.spending.groupby("fund")["amount"].sum()
        table = Table(title="Money used per fund")
        table.add_column("fund")
        table.add_column("used")
        for fund, amount in used.items():
            table.add_row(str(fund), f"{amount:,.2f}")
        out.print(table)


@app.command()
def compare(
    files: Annotated[list[Path], typer.Argument(help="Scenario workbooks.", show_default=False)],
    variants: Annotated[bool, typer.Option("--variants", help="Also solve every variant of each workbook.")] = False,
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Comparison workbook to write.")] = None,
    as_json: JsonOpt = False,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Parallel processes (default: number of cores).", min=1)] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", help="Send the solves to a dask.distributed scheduler, e.g. tcp://host:8786.")] = None,
    time_limit: Annotated[Optional[float], typer.Option("--time-limit", help="Seconds each solve may run.", min=0)] = None,
    mip_gap: Annotated[Optional[float], typer.Option("--mip-gap", help="Relative MIP gap.", min=0, max=1)] = None,
    debug: DebugOpt = False,
) -> None:
    """Solve several scenarios (and their variants) and compare allocations across regions.

    Example: planner compare scenarios/uzbekistan.xlsx --variants --out comparison.xlsx
    """
    import os

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from planner import compare as cmp

    _setup_logging(False)
    jobs = cmp.make_jobs(files, variants, time_limit, mip_gap)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=False) as progress:
        task = progress.add_task("solving scenarios", total=len(jobs))
        outcomes = cmp.run_jobs(jobs, workers=workers or os.cpu_count() or 1, dask_address=dask,
                                progress=lambda o: progress.advance(task))
    if out_file is not None:
        try:
            cmp.write_comparison(outcomes, out_file)
        except PlannerError as exc:
            _fail(exc, as_json, debug)
    table = cmp.overview(outcomes)
    if as_json:
        print(json.dumps({"scenarios": [
            {"scenario": o.label, "status": o.status, "reason": o.reason,
             "answer": o.answer.to_json() if o.answer is not None else None} for o in outcomes]}, default=str))
    else:
        view = Table(title="Scenarios")
        for column in ("scenario", "status", "objective", "money_used", "goals_met", "reason"):
            view.add_column(column)
        for row in table.itertuples(index=False):
            view.add_row(str(row.scenario), str(row.status),
                         "" if row.objective is None or row.objective != row.objective else f"{row.objective:,.6g}",
                         "" if row.money_used is None or row.money_used != row.money_used else f"{row.money_used:,.2f}",
                         "" if not isinstance(row.goals_met, str) else row.goals_met, str(row.reason or ""))
        out.print(view)
        if out_file is not None:
            err.print(f"Comparison written to {out_file}", markup=False)
    raise typer.Exit(cmp.exit_code(outcomes))


@app.command()
def version() -> None:
    """Print the planner version."""
    out.print(f"planner {__version__}", markup=False)


def _register_advisors() -> None:
    from planner.advice.cli import register

    register(app)


_register_advisors()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
