"""The ``planner`` command line: thin typer commands over the library.

One package: :mod:`~planner.cli.common` holds what every command shares (consoles,
option types, errors to exit codes), :mod:`~planner.cli.show` what they print for
people, and one module per group of commands. ``--help`` of every command ends with
an example.
"""

from __future__ import annotations

import typer

from planner.cli import advice, compare, robust, solve
from planner.cli.common import err, out
from planner.scenario.safety import check_defusedxml
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
    """Refuse to run when openpyxl would parse XML without defusedxml."""
    try:
        check_defusedxml()
    except RuntimeError as exc:  # pragma: no cover - a broken installation
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(1) from None


def version() -> None:
    """Print the planner version."""
    out.print(f"planner {__version__}", markup=False)


for command in (solve.validate, solve.template, solve.solve, compare.compare, version,
                advice.diagnose, advice.frontier, advice.alternatives, robust.robust):
    app.command(command.__name__)(command)


def main() -> None:  # pragma: no cover - console entry point
    app()


__all__ = ["app", "main"]
