"""Decision support on top of the allocation model (issue 8).

Each module does one job and speaks in workbook terms (``Sheet!row``):

* :mod:`~planner.advice.diagnose` -- why a scenario is infeasible (an irreducible
  conflicting set of rules) and the cheapest single-rule repairs;
* :mod:`~planner.advice.marginal` -- what more money in each binding budget buys;
* :mod:`~planner.advice.frontier` -- money vs outcome as budgets (or a goal's target) vary;
* :mod:`~planner.advice.alternatives` -- near-optimal plans that differ as much as possible;
* :mod:`~planner.advice.hygiene` -- warnings about goals that mix up ends and means;
* :mod:`~planner.advice.cli` -- ``register(app)`` adds the commands to the ``planner`` CLI.

Shared pieces: :mod:`~planner.advice.rules` (what a model row means),
:mod:`~planner.advice.elastic` (the model with a slack per rule),
:mod:`~planner.advice.variants` (edited copies of a scenario) and
:mod:`~planner.advice.workbooks` (output sheets and charts).
See ``models/advice.md`` for exactly what each tool computes.
"""

from __future__ import annotations
