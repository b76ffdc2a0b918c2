"""What every command shares: consoles, option types, logging, and errors turned into exit codes.

Exit codes: 0 success, 1 invalid input or file problem, 2 usage error (click's own),
3 infeasible, 4 stopped without a solution, 130 interrupted by Ctrl-C, 143 stopped by
SIGTERM (see :class:`planner.status.Status`). Logs and human messages go to stderr;
``--json`` output goes alone on stdout, one object.

Every command that writes a file checks it before any work (:func:`check_out`): a run
never ends in a traceback after a long solve because ``--out`` named a folder.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from planner.errors import PlannerError, Problem, ScenarioInvalid
from planner.output.excel import check_target
from planner.scenario import Scenario, load_scenario
from planner.solver import SolveOptions
from planner.status import Status, interrupted_exit_code, note_stop, stops_noted

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

FileArg = Annotated[Path, typer.Argument(help="Scenario workbook (.xlsx or .xlsm).", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks on errors.")]
VariantOpt = Annotated[str | None, typer.Option("--variant", help="Use this variant (Variants sheet).")]
TimeOpt = Annotated[float | None, typer.Option("--time-limit", help="Seconds the solver may run.", min=0)]
GapOpt = Annotated[float | None, typer.Option("--mip-gap", help="Relative MIP gap (default 1e-4 or Settings mip_gap).",
                                                 min=0, max=1)]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Replace an existing --out file that the planner did not write.")]


def setup_logging(verbose: bool = False) -> None:
    """Logs to stderr: warnings, or everything with ``--verbose``."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s", force=True)


def print_json(data: dict[str, Any]) -> None:
    """One JSON object alone on stdout."""
    print(json.dumps(data, default=str))


def fail(exc: PlannerError, as_json: bool, debug: bool) -> NoReturn:
    """Report an input or file error for people (and machines) and exit with its code."""
    if debug:
        raise exc
    if isinstance(exc, ScenarioInvalid):
        print_problems(exc.problems, as_json)
    elif as_json:
        print_json({"status": str(Status.invalid), "errors": [str(exc)]})
    else:
        err.print(f"[red]Error:[/red] {escape(str(exc))}", markup=True)
    raise typer.Exit(exc.exit_code)


def usage(message: str, as_json: bool) -> NoReturn:
    """A request the command cannot carry out (exit 1): unknown fund, goal, ..."""
    if as_json:
        print_json({"status": str(Status.invalid), "errors": [message]})
    else:
        err.print(f"Error: {message}", markup=False)
    raise typer.Exit(Status.invalid.exit_code)


def print_problems(problems: list[Problem], as_json: bool) -> None:
    """Every validation problem, errors first, then a count (errors on stderr)."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if as_json:
        print_json({"status": "invalid" if errors else "valid",
                    "errors": [str(p) for p in errors], "warnings": [str(p) for p in warnings]})
        return
    stream = err if errors else out
    for p in errors:
        stream.print(f"{p}", markup=False)
    for p in warnings:
        stream.print(f"warning: {p}", markup=False)
    stream.print(f"{len(errors)} error(s), {len(warnings)} warning(s)", markup=False)


def check_out(target: Path | None, inputs: list[Path], force: bool, as_json: bool, debug: bool) -> None:
    """Refuse a bad output file before any work: a folder, an input, a file the planner did not
    write (without ``--force``), a folder that cannot be written."""
    if target is None:
        return
    try:
        check_target(target, inputs, force)
    except PlannerError as exc:
        fail(exc, as_json, debug)


def exit_code_after(code: int, mark: int) -> int:
    """``code``, unless Ctrl-C or SIGTERM was noted since ``mark``: then 130 or 143."""
    return interrupted_exit_code(mark) if stops_noted() > mark else code


def stopped_early(interrupt: KeyboardInterrupt, mark: int, as_json: bool, scenario: str = "",
                  words: str = "Interrupted before the solver started") -> NoReturn:
    """Ctrl-C or SIGTERM before there was anything to keep: say so and exit 130 or 143."""
    second = stops_noted() > mark
    words = "Stopped at once (a second Ctrl-C or termination signal)" if second else words
    if as_json:
        print_json({"scenario": scenario, "status": str(Status.interrupted), "objective": None,
                    "stages": [], "projects": [], "message": f"{words.lower()}; nothing was written"})
    err.print(f"{words}; nothing was written.", markup=False)
    note_stop(interrupt)
    raise typer.Exit(interrupted_exit_code(mark)) from None


def load(file: Path, variant: str | None, time_limit: float | None, as_json: bool, debug: bool,
         mip_gap: float | None = None) -> tuple[Scenario, SolveOptions]:
    """A validated scenario and its solve options, or the errors printed and exit 1."""
    try:
        scenario = load_scenario(file, variant)
    except PlannerError as exc:
        fail(exc, as_json, debug)
    return scenario, SolveOptions.from_settings(scenario.settings, time_limit=time_limit, mip_gap=mip_gap)
