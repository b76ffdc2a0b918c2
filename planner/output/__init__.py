"""Everything the planner writes: the one Excel layer and the workbooks built on it.

:mod:`~planner.output.excel` writes safely (atomic files, text never a formula) and
holds the shared sheet, number-format and chart helpers; the other modules are the
workbooks: results, advisors', comparison, and the empty template.
"""
