"""Solving: the HiGHS hand-off, running HiGHS, and the lexicographic stages.

``solve(model, options) -> SolveResult`` is the entry point; advisors that re-solve a
model many times use :func:`hand_off` and the :class:`MatrixModel` directly.
"""

from __future__ import annotations

from planner.solver.handoff import MatrixModel, hand_off, new_highs, solver_output_to_stderr
from planner.solver.options import DEFAULT_MIP_GAP, SolveOptions
from planner.solver.run import WATCHDOG_GRACE, run_highs
from planner.solver.stages import STAGE_TOLERANCE, Progress, SolveResult, StageSolver, solve

__all__ = ["DEFAULT_MIP_GAP", "MatrixModel", "Progress", "STAGE_TOLERANCE", "SolveOptions", "SolveResult",
           "StageSolver", "WATCHDOG_GRACE", "hand_off", "new_highs", "run_highs", "solve", "solver_output_to_stderr"]
