"""planner: an optimisation-based policy planner for regional development.

The pipeline reads as verbs: load a scenario workbook -> validate it -> build the
mixed-integer model -> solve it with HiGHS -> extract tables -> write results.
"""

__version__ = "0.1.0"
