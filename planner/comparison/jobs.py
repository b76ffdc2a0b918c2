"""Solve many scenarios and variants, and compare their allocations.

Jobs travel as bytes (the workbook's content), so they run the same way in
this process, in worker processes (``--workers N``, HiGHS on one thread each)
or on a dask.distributed cluster (``--dask ADDRESS``) without a shared file
system. A job that fails (invalid, infeasible, timed out, a file that is not
there) becomes a row with its reason; the others still run.

Every job has a label of its own: files with the same name in different folders
are told apart by their folder (``2025/plan`` and ``2026/plan``), and any label
still taken gets a number (``plan (2)``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.errors import PlannerError, ScenarioInvalid, WorkbookFileError
from planner.parallel import Done, run_tasks
from planner.results import Answer, solve_scenario
from planner.scenario import check_scenario, load_scenario
from planner.scenario.safety import inspect_workbook
from planner.scenario.variants import variant_names
from planner.solver import SolveOptions
from planner.status import Status, worst


@dataclass(frozen=True)
class Job:
    """One scenario to solve: the workbook's bytes, its file name and an optional variant.

    ``title`` is the scenario's label without the variant (the file's stem unless told
    otherwise); ``error`` says why a file could not be read at all (then there are no bytes).
    """

    name: str
    content: bytes
    variant: str | None = None
    time_limit: float | None = None
    mip_gap: float | None = None
    title: str = ""
    error: str = ""

    @property
    def label(self) -> str:
        title = self.title or Path(self.name).stem
        return f"{title}[{self.variant}]" if self.variant else title


def unique_labels(labels: list[str]) -> list[str]:
    """The labels, with ``(2)``, ``(3)``, ... added to each repeat of an earlier one."""
    taken: set[str] = set()
    unique = []
    for label in labels:
        candidate, n = label, 1
        while candidate in taken:
            n += 1
            candidate = f"{label} ({n})"
        taken.add(candidate)
        unique.append(candidate)
    return unique


def file_titles(paths: list[Path]) -> list[str]:
    """One title per file: its stem, with its folder when another file has the same stem."""
    stems = [p.stem for p in paths]
    titles = []
    for path, stem in zip(paths, stems):
        if stems.count(stem) > 1:
            folder = Path(os.path.abspath(path)).parent.name
            titles.append(f"{folder}/{stem}" if folder else stem)
        else:
            titles.append(stem)
    return unique_labels(titles)


@dataclass
class Outcome:
    """What became of a job: an answer, or the reason there is none."""

    label: str
    status: str  # optimal | feasible | infeasible | no_solution | interrupted | invalid
    answer: Answer | None = None
    reason: str = ""
    inputs: dict[str, pd.DataFrame] = field(default_factory=dict)


def make_jobs(paths: Iterable[Path], with_variants: bool, time_limit: float | None = None,
              mip_gap: float | None = None) -> list[Job]:
    """One job per file, plus one per variant of each valid file when ``with_variants``.

    A file that cannot be read (not there, a folder, no permission) is a job with its ``error``.
    """
    paths = [Path(p) for p in paths]
    jobs = []
    for path, title in zip(paths, file_titles(paths)):
        content, error = _read(path)
        jobs.append(Job(path.name, content, None, time_limit, mip_gap, title, error))
        if with_variants and not error:
            try:
                scenario, _ = check_scenario(path, check_variants=False)
            except PlannerError:
                continue
            if scenario is not None:
                for name in variant_names(scenario.tables["Variants"]):
                    jobs.append(Job(path.name, content, name, time_limit, mip_gap, title))
    return jobs


def _read(path: Path) -> tuple[bytes, str]:
    """The file's bytes, or why it cannot be read (the same sentence ``validate`` gives)."""
    try:
        if not path.is_file():
            inspect_workbook(path)  # raises the one sentence: not found, a folder, not a regular file
        return path.read_bytes(), ""
    except WorkbookFileError as exc:
        return b"", str(exc)
    except OSError as exc:
        return b"", f"'{path.name}' cannot be read: {exc.strerror or exc}"


def run_job(job: Job, threads: int | None = 1) -> Outcome:
    """Solve one job from its bytes (in whatever process runs it)."""
    if job.error:
        return Outcome(job.label, Status.invalid, reason=job.error)
    directory = tempfile.mkdtemp(prefix="planner-job-")
    path = Path(directory) / Path(job.name).name
    try:
        path.write_bytes(job.content)
        try:
            scenario = load_scenario(path, job.variant)
        except ScenarioInvalid as exc:
            errors = [str(p) for p in exc.problems if p.severity == "error"]
            return Outcome(job.label, Status.invalid, reason="; ".join(errors[:5]))
        except PlannerError as exc:
            return Outcome(job.label, Status.invalid, reason=str(exc))
        options = SolveOptions.from_settings(scenario.settings, job.time_limit, job.mip_gap, threads=threads)
        answer = solve_scenario(scenario, options)
        inputs = {name: table.drop(columns=["row"]) for name, table in scenario.tables.items()
                  if name != "Variants"}
        reason = answer.message if not Status(answer.status).solved else ""
        return Outcome(job.label, answer.status, answer, reason, inputs)
    finally:
        if path.exists():
            path.unlink()
        os.rmdir(directory)


def _run_job_one_thread(job: Job) -> Outcome:
    return run_job(job, threads=1)


def _run_job_all_threads(job: Job) -> Outcome:
    return run_job(job, threads=None)


def run_jobs(jobs: list[Job], workers: int = 1, dask_address: str | None = None,
             progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run every job; results come back in job order whichever way they ran.

    In worker processes and on dask each solve runs HiGHS on one thread; in this process
    HiGHS uses its own choice. A job whose worker died twice, or that failed, is an
    ``invalid`` outcome with the reason; the other jobs keep their results.
    """
    parallel = bool(dask_address) or (workers > 1 and len(jobs) > 1)
    function = _run_job_one_thread if parallel else _run_job_all_threads

    def outcome(done: Done[Outcome]) -> Outcome:
        if done.ok and done.value is not None:
            return done.value
        if done.stopped:
            return Outcome(jobs[done.index].label, Status.interrupted, reason=done.error)
        return Outcome(jobs[done.index].label, Status.no_solution, reason=f"the solve failed: {done.error}")

    def report(done: Done[Outcome]) -> None:
        if progress is not None:
            progress(outcome(done))

    finished = run_tasks(function, jobs, workers=workers, dask_address=dask_address, progress=report)
    return [outcome(done) for done in finished]


def exit_code(outcomes: list[Outcome]) -> int:
    """1 when some were invalid, else 3 when some were infeasible, else 4 when some had no
    solution, else 130 when some were interrupted, else 0 (the same codes as ``solve``)."""
    return worst([Status(o.status) for o in outcomes]).exit_code
