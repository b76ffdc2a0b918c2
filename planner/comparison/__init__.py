"""Many scenarios and variants solved side by side, and their comparison tables.

Jobs travel as bytes (the workbook's content), so they run the same way in this
process, in worker processes or on a dask cluster (see :mod:`planner.parallel`).
"""

from __future__ import annotations

from planner.comparison.jobs import Job, Outcome, exit_code, file_titles, make_jobs, run_job, run_jobs, unique_labels
from planner.comparison.tables import allocation_by_region, goals_matrix, input_differences, overview, projects_matrix

__all__ = ["Job", "Outcome", "allocation_by_region", "exit_code", "file_titles", "goals_matrix",
           "input_differences", "make_jobs", "overview", "projects_matrix", "run_job", "run_jobs", "unique_labels"]
