"""Solve many scenarios and variants, and compare their allocations.

Jobs travel as bytes (the workbook's content), so they run the same way in
this process, in worker processes (``--workers N``, HiGHS on one thread each)
or on a dask.distributed cluster (``--dask ADDRESS``) without a shared file
system. A job that fails (invalid, infeasible, timed out) becomes a row with
its reason; the others still run.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from planner.errors import PlannerError, ScenarioInvalid
from planner.results import Answer


@dataclass(frozen=True)
class Job:
    """One scenario to solve: the workbook's bytes, its file name and an optional variant."""

    name: str
    content: bytes
    variant: str | None = None
    time_limit: float | None = None
    mip_gap: float | None = None

    @property
    def label(self) -> str:
        return f"{Path(self.name).stem}[{self.variant}]" if self.variant else Path(self.name).stem


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
    """One job per file, plus one per variant of each valid file when ``with_variants``."""
    from planner.scenario import check_scenario
    from planner.scenario.variants import variant_names

    jobs = []
    for path in paths:
        path = Path(path)
        content = path.read_bytes() if path.is_file() else b""
        jobs.append(Job(path.name, content, None, time_limit, mip_gap))
        if with_variants and content:
            try:
                scenario, _ = check_scenario(path, check_variants=False)
            except PlannerError:
                continue
            if scenario is not None:
                for name in variant_names(scenario.tables["Variants"]):
                    jobs.append(Job(path.name, content, name, time_limit, mip_gap))
    return jobs


def run_job(job: Job, threads: int | None = 1) -> Outcome:
    """Solve one job from its bytes (in whatever process runs it)."""
    from planner.pipeline import solve_options, solve_scenario
    from planner.scenario import load_scenario

    directory = tempfile.mkdtemp(prefix="planner-job-")
    path = Path(directory) / Path(job.name).name
    try:
        path.write_bytes(job.content)
        try:
            scenario = load_scenario(path, job.variant)
        except ScenarioInvalid as exc:
            errors = [str(p) for p in exc.problems if p.severity == "error"]
            return Outcome(job.label, "invalid", reason="; ".join(errors[:5]))
        except PlannerError as exc:
            return Outcome(job.label, "invalid", reason=str(exc))
        options = solve_options(scenario, job.time_limit, job.mip_gap, threads=threads)
        answer = solve_scenario(scenario, options)
        inputs = {name: table.drop(columns=["row"]) for name, table in scenario.tables.items()
                  if name != "Variants"}
        reason = answer.message if answer.status not in ("optimal", "feasible") else ""
        return Outcome(job.label, answer.status, answer, reason, inputs)
    finally:
        if path.exists():
            path.unlink()
        os.rmdir(directory)


def _run_job_one_thread(job: Job) -> Outcome:
    return run_job(job, threads=1)


def run_jobs(jobs: list[Job], workers: int = 1, dask_address: str | None = None,
             progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run every job; results come back in job order whichever way they ran."""
    outcomes: dict[int, Outcome] = {}

    def done(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome
        if progress:
            progress(outcome)

    if dask_address:
        from distributed import Client, as_completed as dask_completed

        with Client(dask_address) as client:
            futures = {client.submit(_run_job_one_thread, job, pure=False): i for i, job in enumerate(jobs)}
            for future in dask_completed(futures):
                done(futures[future], future.result())
    elif workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_run_job_one_thread, job): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                done(futures[future], future.result())
    else:
        for i, job in enumerate(jobs):
            done(i, run_job(job, threads=None))
    return [outcomes[i] for i in range(len(jobs))]


def exit_code(outcomes: list[Outcome]) -> int:
    """0 when all solved, 1 when some were invalid, 3 when some were infeasible (or unsolved)."""
    statuses = {o.status for o in outcomes}
    if "invalid" in statuses:
        return 1
    if statuses - {"optimal", "feasible"}:
        return 3
    return 0


# --- comparison tables -----------------------------------------------------------------------

def overview(outcomes: list[Outcome]) -> pd.DataFrame:
    rows = []
    for o in outcomes:
        a = o.answer
        row = {"scenario": o.label, "status": o.status, "reason": o.reason,
               "objective": a.objective if a else None,
               "money_used": float(a.flows["amount"].sum()) if a is not None and not a.flows.empty else None,
               "goals_met": (f"{int(a.goals['met'].sum())} of {len(a.goals)}"
                             if a is not None and not a.goals.empty else None),
               "solve_seconds": round(a.solve_seconds, 3) if a else None}
        for name, value in (a.stages if a else []):
            row[f"stage: {name}"] = value
        rows.append(row)
    return pd.DataFrame(rows)


def allocation_by_region(outcomes: list[Outcome]) -> pd.DataFrame:
    """Region x scenario: money invested, per capita, and indicator gains at the end."""
    frames = []
    for o in outcomes:
        a = o.answer
        if a is None or a.region_info.empty or o.status not in ("optimal", "feasible", "interrupted"):
            continue
        frame = a.region_info[["region"]].copy()
        invested = a.flows.groupby("payer")["amount"].sum() if not a.flows.empty else pd.Series(dtype=float)
        frame["invested"] = frame["region"].map(invested).fillna(0.0)
        population = pd.to_numeric(a.region_info["population"], errors="coerce")
        frame["per_capita"] = (frame["invested"] / population.where(population > 0)).to_numpy()
        if not a.regions.empty:
            last = a.regions[a.regions["year"] == a.regions["year"].max()]
            gains = (last["level"] - last["baseline"]).groupby([last["region"], last["indicator"]]).sum().unstack()
            for indicator in gains.columns:
                frame[f"gain {indicator}"] = frame["region"].map(gains[indicator]).fillna(0.0)
        frame.insert(0, "scenario", o.label)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def projects_matrix(outcomes: list[Outcome]) -> pd.DataFrame:
    """Project x scenario start year (blank = not chosen) and the robust core."""
    solved = [o for o in outcomes if o.answer is not None and o.status in ("optimal", "feasible")]
    if not solved:
        return pd.DataFrame()
    projects = sorted({p for o in solved for p in o.answer.project_info["project"]})
    matrix = pd.DataFrame({"project": projects})
    for o in solved:
        starts = o.answer.projects.groupby("project")["start"].min() if not o.answer.projects.empty \
            else pd.Series(dtype=float)
        matrix[o.label] = matrix["project"].map(starts)
    chosen = matrix[[o.label for o in solved]].notna()
    matrix["chosen_in"] = chosen.sum(axis=1)
    matrix["class"] = ["core (every scenario)" if n == len(solved) else "never" if n == 0 else "some"
                       for n in matrix["chosen_in"]]
    return matrix


def goals_matrix(outcomes: list[Outcome]) -> pd.DataFrame:
    """Goal x scenario shortfall."""
    frames = {o.label: o.answer.goals.set_index("goal")["shortfall"] for o in outcomes
              if o.answer is not None and not o.answer.goals.empty}
    return pd.DataFrame(frames).rename_axis("goal").reset_index() if frames else pd.DataFrame()


def input_differences(outcomes: list[Outcome]) -> pd.DataFrame:
    """Cell-level differences between the scenarios' inputs: sheet, key, column, value per scenario."""
    from planner.scenario.schema import SHEETS

    with_inputs = [o for o in outcomes if o.inputs]
    if len(with_inputs) < 2:
        return pd.DataFrame()
    keys = {s.name: list(s.key) for s in SHEETS}
    rows = []
    for sheet, key in keys.items():
        tables = {}
        for o in with_inputs:
            table = o.inputs.get(sheet)
            if table is None or table.empty:
                continue
            index = key or list(table.columns[:1])
            tables[o.label] = _as_text(table).set_index(index)
        if len(tables) < 2:
            continue
        all_keys = sorted(set().union(*(t.index for t in tables.values())), key=str)
        columns = [c for c in next(iter(tables.values())).columns]
        for k in all_keys:
            for column in columns:
                values = {label: (t.loc[k, column] if k in t.index and column in t.columns else "(no row)")
                          for label, t in tables.items()}
                values = {label: (v.iloc[0] if isinstance(v, pd.Series) else v) for label, v in values.items()}
                if len(set(values.values())) > 1:
                    rows.append({"sheet": sheet, "key": k if not isinstance(k, tuple) else " / ".join(k),
                                 "column": column, **values})
    return pd.DataFrame(rows)


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell as display text (blank for missing), so values compare across scenarios."""
    def text(value) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if isinstance(value, tuple):
            return ", ".join(map(str, value))
        return str(value)

    return table.astype(object).apply(lambda column: column.map(text))


def write_comparison(outcomes: list[Outcome], target: Path) -> Path:
    """The comparison workbook: Overview, Allocation by region (chart), Projects, Goals, Inputs that differ."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    from planner.output import atomic_write, write_frame

    sheets = {
        "Overview": overview(outcomes),
        "Allocation by region": allocation_by_region(outcomes),
        "Projects": projects_matrix(outcomes),
        "Goals": goals_matrix(outcomes),
        "Inputs that differ": input_differences(outcomes),
    }

    def write(path: Path) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for name, frame in sheets.items():
            ws = wb.create_sheet(name)
            if frame.empty:
                frame = pd.DataFrame({"note": ["nothing to compare"]})
            write_frame(ws, frame, number_formats={"invested": "#,##0.00", "objective": "#,##0.###"})
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
        allocation = sheets["Allocation by region"]
        if not allocation.empty:
            pivot = allocation.pivot_table(index="region", columns="scenario", values="invested", aggfunc="sum")
            ws = wb["Allocation by region"]
            start = ws.max_column + 2
            ws.cell(row=1, column=start, value="region")
            for j, label in enumerate(pivot.columns, start=1):
                cell = ws.cell(row=1, column=start + j, value=str(label))
                cell.data_type = "s"
            for i, (region, row) in enumerate(pivot.iterrows(), start=2):
                cell = ws.cell(row=i, column=start, value=str(region))
                cell.data_type = "s"
                for j, value in enumerate(row, start=1):
                    ws.cell(row=i, column=start + j, value=float(value) if pd.notna(value) else 0.0)
            chart = BarChart()
            chart.title = "Money invested per region, by scenario"
            chart.add_data(Reference(ws, min_col=start + 1, max_col=start + len(pivot.columns), min_row=1,
                                     max_row=len(pivot) + 1), titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=start, min_row=2, max_row=len(pivot) + 1))
            chart.width, chart.height = 22, 10
            ws.add_chart(chart, ws.cell(row=len(pivot) + 4, column=start).coordinate)
        wb.save(path)

    return atomic_write(target, write)
