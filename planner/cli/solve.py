"""``planner validate``, ``planner template`` and ``planner solve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import (
    DebugOpt,
    FileArg,
    ForceOpt,
    GapOpt,
    JsonOpt,
    TimeOpt,
    check_out,
    err,
    exit_code_after,
    fail,
    out,
    print_json,
    print_problems,
    setup_logging,
    stopped_early,
    usage,
)
from planner.cli.progress import solver_progress
from planner.cli.show import show_answer, show_brief, show_diagnosis, show_goal_diagnoses, show_marginal
from planner.errors import PlannerError, ScenarioInvalid
from planner.output.labels import language
from planner.output.maps import available as maps_available
from planner.output.template import write_template
from planner.pipeline import Result, default_results_path, run_scenario
from planner.scenario import check_scenario
from planner.status import note_stop, stops_noted


def validate(file: FileArg, as_json: JsonOpt = False, debug: DebugOpt = False) -> None:
    """Check a scenario workbook and list every problem at once.

    Example: planner validate scenarios/small.xlsx
    """
    setup_logging(False)
    try:
        scenario, problems = check_scenario(file)
    except PlannerError as exc:
        fail(exc, as_json, debug)
    if scenario is None:
        fail(ScenarioInvalid(problems), as_json, debug)
    print_problems(problems, as_json)


def template(
    file: Annotated[Path, typer.Argument(help="Workbook to create.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write an empty scenario workbook with every sheet, drop-downs and a README sheet.

    Example: planner template my-scenario.xlsx
    """
    check_out(file, [], True, False, debug)  # a folder, a folder that cannot be written, ...
    if file.exists() and not force:
        err.print(f"Error: '{file}' already exists; use --force to overwrite it", markup=False)
        raise typer.Exit(1)
    try:
        write_template(file, force=force)
    except PlannerError as exc:
        fail(exc, False, debug)
    err.print(f"Wrote template {file}", markup=False)


def solve(
    file: FileArg,
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Results workbook (default: <input>-results.xlsx beside the input).")] = None,
    no_out: Annotated[bool, typer.Option("--no-out", help="Do not write a results workbook.")] = False,
    variant: Annotated[str | None, typer.Option("--variant", help="Solve this variant (Variants sheet).")] = None,
    fairness: Annotated[bool, typer.Option(
        "--price-of-fairness", help="Also compare the most beneficial plans with and without the Equity "
            "rules.")] = False,
    marginal: Annotated[bool, typer.Option(
        "--marginal", help="Also show what more money in each binding budget would buy.")] = False,
    step: Annotated[float, typer.Option(
        "--step", help="Budget raise for --marginal, as a share of the budget.", min=0)] = 0.05,
    no_explain: Annotated[bool, typer.Option(
        "--no-explain", help="Do not explain why missed goals are missed (faster).")] = False,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Language of the results workbook, its Brief and this summary: en, ru or uz "
            "(default: Settings language, else en).")] = None,
    figures: Annotated[Path | None, typer.Option(
        "--figures", help="Also write the map as PNG and SVG into this folder (needs matplotlib: "
            "pip install 'planner[maps]').")] = None,
    as_json: JsonOpt = False,
    time_limit: TimeOpt = None,
    mip_gap: GapOpt = None,
    force: ForceOpt = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show HiGHS output and timings on stderr.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Solve a scenario: which projects, where, when, from which fund.

    Ctrl-C or SIGTERM stops the solver: the best plan so far is reported and written
    (exit 130, or 143 for SIGTERM); a second Ctrl-C stops at once.

    Example: planner solve scenarios/small.xlsx --out results.xlsx
    """
    setup_logging(verbose)
    try:
        lang = language(lang) if lang is not None else None
    except ValueError as exc:
        usage(str(exc), as_json)
    if figures is not None and not maps_available():
        err.print("warning: --figures needs matplotlib (pip install 'planner[maps]'); no map is written",
                  markup=False)
    target = None if no_out else out_file or default_results_path(file)
    check_out(target, [file], force, as_json, debug)  # before the solve, not after it
    mark = stops_noted()
    try:
        with solver_progress() as progress:
            result = run_scenario(file, time_limit=time_limit, mip_gap=mip_gap, verbose=verbose, out=None,
                                  variant=variant, fairness=fairness, marginal=marginal, step=step,
                                  explain_goals=not no_explain, progress=None if verbose else progress,
                                  lang=lang, figures=figures if target is None else None)
    except PlannerError as exc:
        fail(exc, as_json, debug)
    except KeyboardInterrupt as interrupt:
        stopped_early(interrupt, mark, as_json, str(file))
    written = _write(result, target, force, debug, lang, figures) if target is not None else None
    if as_json:
        print_json(result.to_json() | ({"errors": [written]} if written else {}))
    else:
        shown = lang or language(result.answer.language)
        show_answer(result.answer, shown)
        show_brief(result.answer, result.findings, shown)
        if result.findings.goals and shown == "en":
            show_goal_diagnoses(result.findings.goals)
        if result.findings.diagnosis is not None:
            show_diagnosis(result.findings.diagnosis)
        if result.findings.marginal is not None:
            show_marginal(result.findings.marginal)
        if result.findings.price_of_fairness:
            out.print(result.findings.price_of_fairness.get("message", ""), markup=False)
        if written:
            err.print(f"Error: {written}; the answer above is complete", markup=False)
        elif target is not None:
            err.print(f"Results written to {target}", markup=False)
    raise typer.Exit(exit_code_after(1 if written else result.exit_code, mark))


def _write(result: Result, target: Path, force: bool, debug: bool, lang: str | None,
           figures: Path | None) -> str | None:
    """Write the results workbook (and the map into ``figures``); None when written, else why not
    (the answer is never lost to it)."""
    try:
        result.to_excel(target, force=force, lang=lang, figures=figures)
    except PlannerError as exc:
        if debug:
            raise
        return str(exc)
    except KeyboardInterrupt as interrupt:  # a second Ctrl-C or SIGTERM while writing
        note_stop(interrupt)
        return f"stopped while writing '{target}'; nothing was written"
    return None
