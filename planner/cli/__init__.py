"""The ``planner`` command line: thin typer commands over the library.

One package: :mod:`~planner.cli.common` holds what every command shares (consoles,
option types, errors to exit codes), :mod:`~planner.cli.show` what they print for
people, and one module per group of commands. ``--help`` of every command ends with
an example.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import typer

from planner.cli import advice, compare, robust, solve
from planner.cli.common import err, out
from planner.scenario.safety import check_defusedxml
from planner.status import handle_stop_signals, run_mode, stops_noted
from planner.version import __version__

app = typer.Typer(
    help="Optimisation-based policy planner for regional development.\n\n"
    "Example: planner solve scenarios/small.xlsx",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _startup() -> None:
    """Refuse to run when openpyxl would parse XML without defusedxml; SIGTERM stops a run like Ctrl-C."""
    handle_stop_signals()
    try:
        check_defusedxml()
    except RuntimeError as exc:  # pragma: no cover - a broken installation
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(1) from None


def version() -> None:
    """Print the planner version."""
    out.print(f"planner {__version__}", markup=False)


def _stops_kept(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command so that, once its solver has started, a first Ctrl-C or SIGTERM stops the solve
    and keeps what it found, and a second stops at once (see :mod:`planner.status`)."""
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with run_mode("until-solve"):
            return command(*args, **kwargs)

    return run


for command in (solve.validate, solve.template, solve.solve, compare.compare, version,
                advice.diagnose, advice.frontier, advice.alternatives, robust.robust):
    app.command(command.__name__)(_stops_kept(command))


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except SystemExit as done:
        if stops_noted():
            _leave_at_once(done.code if isinstance(done.code, int) else 1)
        raise


def _leave_at_once(code: int) -> None:
    """After Ctrl-C or SIGTERM, exit without tearing down the model: freeing a large Pyomo model
    takes seconds, and an abandoned HiGHS thread may still be running. Everything the run wrote
    is complete and closed by now; the streams are flushed here."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    logging.shutdown()
    os._exit(code)


__all__ = ["app", "main"]
