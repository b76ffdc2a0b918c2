"""How the solver may run: gap, time limit, threads, log.

Command-line options override the workbook's Settings; :meth:`SolveOptions.from_settings`
is the one place that rule is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Relative MIP gap when neither the command line nor Settings ``mip_gap`` sets one.
DEFAULT_MIP_GAP = 1e-4


@dataclass
class SolveOptions:
    """Solver options of one run.

    mip_gap: relative MIP gap at which HiGHS stops (0 = prove optimality exactly);
    time_limit: seconds for all stages together (None = no limit);
    verbose: HiGHS's log on stderr; threads: HiGHS threads (None = HiGHS's choice).
    scale: hand HiGHS the scaled model (the default; off only to measure what scaling does).
    """

    mip_gap: float = DEFAULT_MIP_GAP
    time_limit: float | None = None
    verbose: bool = False
    threads: int | None = None
    scale: bool = True  # scale rows and columns for HiGHS (planner.solver.scaling); off only to compare
    highs: dict[str, Any] = field(default_factory=dict)  # extra HiGHS options (experiments, benchmarks)

    @classmethod
    def from_settings(cls, settings: dict[str, Any], time_limit: float | None = None,
                      mip_gap: float | None = None, verbose: bool = False,
                      threads: int | None = None) -> SolveOptions:
        """Options for a scenario: the arguments when given, else its Settings, else the defaults.

        A Settings ``mip_gap`` of 0 means 0 (exact), not "use the default".
        """
        gap = mip_gap if mip_gap is not None else settings.get("mip_gap")
        limit = time_limit if time_limit is not None else settings.get("time_limit")
        return cls(mip_gap=float(DEFAULT_MIP_GAP if gap is None else gap),
                   time_limit=None if limit is None else float(limit), verbose=verbose, threads=threads)


__all__ = ["DEFAULT_MIP_GAP", "SolveOptions"]
