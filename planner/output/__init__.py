"""Everything the planner writes: the one Excel layer and the workbooks built on it.

:mod:`~planner.output.excel` writes safely (atomic files with the umask's mode, text never a
formula) and holds the shared table, number-format, chart, picture and print-setup helpers;
:mod:`~planner.output.labels` says the output's words in English, Russian or Uzbek;
:mod:`~planner.output.brief` builds the one-page Brief from an answer; :mod:`~planner.output.maps`
draws the map (matplotlib, optional). The other modules are the workbooks: results, advisors',
comparison, and the empty template.
"""
