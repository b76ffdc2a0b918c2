"""``planner compare``: several scenarios and their variants, side by side."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.cli.common import (
    DebugOpt,
    ForceOpt,
    GapOpt,
    JsonOpt,
    TimeOpt,
    check_out,
    err,
    exit_code_after,
    out,
    print_json,
    setup_logging,
    stopped_early,
)
from planner.comparison import exit_code, make_jobs, overview, run_jobs
from planner.errors import PlannerError
from planner.output.comparison_workbook import write_comparison, write_comparison_figures
from planner.output.labels import number
from planner.status import note_stop, stops_noted


def compare(
    files: Annotated[list[Path], typer.Argument(help="Scenario workbooks.", show_default=False)],
    variants: Annotated[bool, typer.Option("--variants", help="Also solve every variant of each workbook.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Comparison workbook to write.")] = None,
    figures: Annotated[Path | None, typer.Option(
        "--figures", help="Also write the map of every scenario as PNG and SVG into this folder (needs "
            "matplotlib: pip install 'planner[maps]').")] = None,
    as_json: JsonOpt = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Parallel processes (default: number of cores).", min=1)] = None,
    dask: Annotated[str | None, typer.Option(
        "--dask", help="Send the solves to a dask.distributed scheduler, e.g. tcp://host:8786.")] = None,
    time_limit: TimeOpt = None,
    mip_gap: GapOpt = None,
    force: ForceOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Solve several scenarios (and their variants) and compare allocations across regions.

    A worker process that dies (killed, out of memory) costs only its job, which is run again
    once in a fresh process. Ctrl-C or SIGTERM stops the run and keeps the jobs that finished
    (exit 130, or 143 for SIGTERM).

    Example: planner compare scenarios/uzbekistan.xlsx --variants --out comparison.xlsx
    """
    setup_logging(False)
    check_out(out_file, list(files), force, as_json, debug)  # before any solve
    mark = stops_noted()
    try:
        jobs = make_jobs(files, variants, time_limit, mip_gap)
    except KeyboardInterrupt as interrupt:
        stopped_early(interrupt, mark, as_json)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=False) as progress:
        task = progress.add_task("solving scenarios", total=len(jobs))
        outcomes = run_jobs(jobs, workers=workers or os.cpu_count() or 1, dask_address=dask,
                            progress=lambda o: progress.advance(task))
    written = None
    if out_file is not None or figures is not None:
        try:
            if out_file is not None:
                write_comparison(outcomes, out_file, figures=figures, force=force, protect=files)
            elif figures is not None:
                write_comparison_figures(outcomes, figures)
        except PlannerError as exc:  # the solves are kept: shown below, the error after them
            if debug:
                raise
            written = str(exc)
        except KeyboardInterrupt as interrupt:
            note_stop(interrupt)
            written = f"stopped while writing '{out_file or figures}'; nothing was written"
    table = overview(outcomes)
    if as_json:
        print_json({"scenarios": [
            {"scenario": o.label, "status": str(o.status), "reason": o.reason,
             "answer": o.answer.to_json() if o.answer is not None else None} for o in outcomes]}
            | ({"errors": [written]} if written else {}))
    else:
        view = Table(title="Scenarios")
        # the scenario's label ("uzbekistan[budget-cut]") is never cut short: on a narrow terminal
        # every variant would read "uzbekistan…"
        view.add_column("scenario", no_wrap=True, overflow="fold", min_width=max(len(o.label) for o in outcomes))
        for column in ("status", "objective", "money_used", "goals_met", "reason"):
            view.add_column(column, justify="right" if column in ("objective", "money_used") else "left")
        for row in table.itertuples(index=False):
            view.add_row(escape(str(row.scenario)), str(row.status),
                         "" if row.objective is None or row.objective != row.objective else number(row.objective),
                         "" if row.money_used is None or row.money_used != row.money_used else number(row.money_used),
                         "" if not isinstance(row.goals_met, str) else row.goals_met, escape(str(row.reason or "")))
        out.print(view)
        if written:
            err.print(f"Error: {written}; the table above is complete", markup=False)
        elif out_file is not None:
            err.print(f"Comparison written to {out_file}", markup=False)
    raise typer.Exit(exit_code_after(1 if written else exit_code(outcomes), mark))
