"""Decision support on top of the allocation model.

Each module does one job and speaks in workbook terms (``Sheet!row``):

* :mod:`~planner.advice.diagnose` -- why a scenario is infeasible (an irreducible
  conflicting set of rules) and the cheapest single-rule repairs;
* :mod:`~planner.advice.marginal` -- what more money in each binding budget buys;
* :mod:`~planner.advice.frontier` -- money vs outcome as budgets (or a goal's target) vary;
* :mod:`~planner.advice.alternatives` -- near-optimal plans that differ as much as possible;
* :mod:`~planner.advice.fairness` -- the price of fairness of the Equity rules;
* :mod:`~planner.advice.findings` -- the advice attached to one solve.

Shared pieces: :mod:`~planner.advice.rulebook` (what a model row means, in workbook
terms) and :mod:`~planner.advice.elastic` (the model with a slack per rule). See
``models/advice.md`` for exactly what each tool computes.
"""
