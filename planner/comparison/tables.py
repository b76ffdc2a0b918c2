"""Comparison tables of many solved scenarios: overview, allocation, projects, goals, inputs."""

from __future__ import annotations

import pandas as pd

from planner.comparison.jobs import Outcome
from planner.results import allocation_table
from planner.scenario.schema import SHEETS


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
    """Region x scenario: money invested in the region, per capita (money per person, and in the
    readable unit of :func:`planner.results.allocation_table`), the gains falling to it and their
    money worth."""
    frames = []
    for o in outcomes:
        a = o.answer
        if a is None or a.region_info.empty or o.status not in ("optimal", "feasible", "interrupted"):
            continue
        table = allocation_table(a)
        frame = table[["region"]].copy()
        frame["invested"] = table["invested"]
        population = table["population"]
        frame["per_capita"] = (table["invested"] / population.where(population > 0)).to_numpy()
        keep = [c for c in table.columns if c.startswith(("invested per ", "gain ", "benefit"))
                and not c.startswith(tuple(f"invested per {k}" for k in a.indicator_info.get("indicator", [])))]
        for column in keep:
            frame[column] = table[column]
        frame.insert(0, "scenario", o.label)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def projects_matrix(outcomes: list[Outcome]) -> pd.DataFrame:
    """Project x scenario start year (blank = not chosen) and the robust core."""
    solved = [(o, o.answer) for o in outcomes if o.answer is not None and o.status in ("optimal", "feasible")]
    if not solved:
        return pd.DataFrame()
    projects = sorted({p for _, a in solved for p in a.project_info["project"]})
    matrix = pd.DataFrame({"project": projects})
    for o, a in solved:
        starts = a.projects.groupby("project")["start"].min() if not a.projects.empty else pd.Series(dtype=float)
        matrix[o.label] = matrix["project"].map(starts)
    chosen = matrix[[o.label for o, _ in solved]].notna()
    matrix["chosen_in"] = chosen.sum(axis=1)
    matrix["class"] = ["core (every scenario)" if n == len(solved) else "never" if n == 0 else "some"
                       for n in matrix["chosen_in"]]
    return matrix


def goals_matrix(outcomes: list[Outcome]) -> pd.DataFrame:
    """Goal x scenario shortfall (one column per scenario), then each scenario's progress
    (column "<scenario> progress": the share of the required change reached, 1 = met)."""
    answers = [(o.label, o.answer.goals.set_index("goal")) for o in outcomes
               if o.answer is not None and not o.answer.goals.empty]
    if not answers:
        return pd.DataFrame()
    frames = {label: goals["shortfall"] for label, goals in answers}
    frames |= {f"{label} progress": goals["progress"] for label, goals in answers if "progress" in goals}
    return pd.DataFrame(frames).rename_axis("goal").reset_index()


def input_differences(outcomes: list[Outcome]) -> pd.DataFrame:
    """Cell-level differences between the scenarios' inputs: sheet, key, column, value per scenario."""
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
    def text(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if isinstance(value, tuple):
            return ", ".join(map(str, value))
        if isinstance(value, float):  # 11.440000000000001 (budget x 0.8) reads 11.44
            return str(round(value, 10))
        return str(value)

    return table.astype(object).apply(lambda column: column.map(text))
