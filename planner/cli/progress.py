"""A live line on stderr while the solver works: stage, best plan, bound, gap, elapsed time.

Shown only when stderr is a terminal (so logs, pipes and ``--json`` consumers see nothing
extra), and only for solves longer than about two seconds (the solver reports from then on).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.live import Live
from rich.text import Text

from planner.cli.common import err
from planner.solver import Progress


@contextlib.contextmanager
def solver_progress() -> Iterator[Progress | None]:
    """A :data:`~planner.solver.Progress` callback that draws the line (None off a terminal)."""
    if not err.is_terminal:
        yield None
        return
    with Live(Text(""), console=err, transient=True, refresh_per_second=4) as live:

        def show(stage: str, best: float | None, bound: float | None, gap: float | None, seconds: float) -> None:
            parts = [f"solving {stage}"]
            if best is not None:
                parts.append(f"best plan {best:,.6g}")
            if bound is not None:
                parts.append(f"bound {bound:,.6g}")
            if gap is not None and gap == gap and gap < 10:
                parts.append(f"gap {gap:.2%}")
            parts.append(f"{seconds:.0f} s")
            live.update(Text(" · ".join(parts)))

        yield show
