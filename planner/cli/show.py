"""What the commands print for people: rich tables of answers, diagnoses and advice.

Every string that came from the workbook is escaped before rich sees it, so an id or
a variant name in square brackets is printed as written, not read as markup.
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner.advice.alternatives import Alternatives
from planner.advice.diagnose import SOURCES, Diagnosis, GoalDiagnosis
from planner.advice.frontier import Frontier
from planner.cli.common import out
from planner.results import Answer
from planner.results.idle import idle_summary


def _t(value: object) -> str:
    """A value from the workbook as rich text, markup escaped."""
    return escape(str(value))


def show_answer(answer: Answer) -> None:
    """A short summary for people: status, objective, projects by region, goals, funds."""
    out.print(f"[bold]{_t(answer.scenario)}[/bold]: {answer.status}", markup=True)
    if answer.message:
        out.print(answer.message, markup=False)
    for name, value in answer.stages:
        out.print(f"  {name}: {value:,.6g}", markup=False)
    if answer.mip_gap is not None:
        out.print(f"  MIP gap: {answer.mip_gap:.2e}   solve time: {answer.solve_seconds:.2f} s", markup=False)
    if not answer.projects.empty:
        table = Table(title="Chosen projects")
        for column in ("region", "project", "start", "share", "kind", "cost"):
            table.add_column(column)
        for row in answer.projects.sort_values(["region", "start"]).itertuples(index=False):
            start = f"{row.start} (under way)" if getattr(row, "status", "") == "under way" else str(row.start)
            table.add_row(_t(row.region), _t(row.project), _t(start), f"{row.share:.0%}",
                          _t(row.kind), f"{row.cost:,.2f}")
        out.print(table)
    if not answer.goals.empty:
        table = Table(title="Goals")
        for column in ("goal", "indicator", "target", "achieved", "shortfall", "progress", "met"):
            table.add_column(column)
        for row in answer.goals.itertuples(index=False):
            table.add_row(_t(row.goal), _t(row.indicator), f"{row.target:,.6g}", f"{row.achieved:,.6g}",
                          f"{row.shortfall:,.6g}", f"{row.progress:.1%}", "yes" if row.met else "no")
        out.print(table)
    if not answer.idle_money.empty:
        out.print("Money that cannot help: " + idle_summary(answer.idle_money, answer.budgets), markup=False)
    if answer.spread:
        out.print("Regional spread: " + answer.spread["text"], markup=False)
    if not answer.running.empty:
        running = answer.running.groupby("year")["amount"].sum()
        out.print(f"Running costs: {running.sum():,.2f} in all, {running.iloc[-1]:,.2f} a year by "
                  f"{int(running.index[-1])} (they grow as projects complete)", markup=False)
    if not answer.debt_after.empty:
        out.print(f"Debt left after the horizon: {answer.debt_after['amount'].sum():,.2f} (loan repayments until "
                  f"{int(answer.debt_after['year'].max())})", markup=False)
    if not answer.spending.empty:
        used = answer.spending.groupby("fund")["amount"].sum()
        table = Table(title="Money used per fund")
        table.add_column("fund")
        table.add_column("used")
        for fund, amount in used.items():
            table.add_row(_t(fund), f"{amount:,.2f}")
        out.print(table)


def show_goal_diagnoses(goals: list[GoalDiagnosis], console: Console | None = None) -> None:
    """Why each missed goal is missed, and what it would take: two sentences per goal."""
    console = console or out
    if not goals:
        return
    console.print("[bold]Missed goals: why, and what it would take[/bold]", markup=True)
    for g in goals:
        console.print(g.explanation(), markup=False)
        if g.remedy():
            console.print("  " + g.remedy(), markup=False)


def show_diagnosis(result: Diagnosis, console: Console | None = None) -> None:
    """The diagnosis for people: the verdict, the conflicting rules, the repairs."""
    console = console or out
    console.print(f"[bold]{_t(result.scenario)}[/bold]: {result.status}", markup=True)
    console.print(result.explanation(), markup=False)
    if result.feasible:
        show_goal_diagnoses(result.goals, console)
        return
    if result.source in SOURCES:
        console.print(SOURCES[result.source], markup=False)
    if result.conflict:
        table = Table(title="Conflicting rules")
        for column in ("conflict", "where", "rule"):
            table.add_column(column)
        for c in result.conflict:
            where = f"{c['sheet']}!{c['row']}" if c.get("row") is not None else c.get("sheet", "")
            table.add_row(_t(c.get("conflict", 1)), _t(where), _t(c["text"].rsplit(" [", 1)[0] +
                          (" (definition)" if c["kind"] == "definition" else "")))
        console.print(table)
    if result.repairs:
        table = Table(title="Repairs (each one alone ends its conflict), smallest first")
        for column in ("conflict", "where", "repair"):
            table.add_column(column)
        for r in result.repairs:
            where = f"{r['sheet']}!{r['row']}" if r.get("row") is not None else (r.get("sheet") or "")
            table.add_row(_t(r.get("conflict", 1)), _t(where), _t(r["text"]))
        console.print(table)
        console.print(result.repair_sentence(), markup=False)
    if result.message:
        console.print(f"note: {result.message}", markup=False)


def show_marginal(table: pd.DataFrame, console: Console | None = None) -> None:
    """What more money buys, for people: binding budgets with their value, then the others."""
    console = console or out
    if table.empty:
        console.print("No budgets.", markup=False)
        return
    binding = table[table["binding"]]
    view = Table(title="What more money buys (binding budgets)")
    for column in ("fund", "region", "year", "budget", "used", "step", "stage", "gain per unit"):
        view.add_column(column)
    for row in binding.itertuples(index=False):
        region = row.region if isinstance(row.region, str) else "(pooled)"
        step = "" if row.step is None or row.step != row.step else f"{row.step:,.6g}"
        stage = row.stage if isinstance(row.stage, str) else "-"
        view.add_row(_t(row.fund), _t(region), _t(row.year), f"{row.budget:,.6g}", f"{row.used:,.6g}",
                     step, _t(stage), f"{row.gain_per_money:,.6g}")
    console.print(view)
    free = table[~table["binding"]]
    if len(free):
        names = ", ".join(f"{r.fund} {r.region if isinstance(r.region, str) else ''} {r.year}".replace("  ", " ")
                          for r in free.itertuples(index=False))
        console.print(f"Not binding (value 0): {names}", markup=False)


def show_frontier(result: Frontier) -> None:
    """The frontier points for people: money (or target), status, objective, plan changes."""
    points = result.points
    x = "money" if result.kind == "budget" else "target"
    table = Table(title=_t(f"Frontier of {result.subject} ({result.objective} objective)"))
    for column in ("factor", x, "status", "objective", "added", "dropped"):
        table.add_column(column)
    for row in points.to_dict("records"):
        objective = row.get("objective")
        table.add_row(f"{row['factor']:.3g}", f"{row[x]:,.6g}", _t(row["status"]),
                      "" if objective is None or objective != objective else f"{objective:,.6g}",
                      _t(row.get("added") or ""), _t(row.get("dropped") or ""))
    out.print(table)


def show_alternatives(result: Alternatives) -> None:
    """The optimum and its alternatives for people, then each project's class."""
    overview = result.overview()
    table = Table(title=_t(f"{result.scenario}: plans within {result.slack:.1%} of the optimum"))
    for column in ("plan", "objective", "distance", "projects"):
        table.add_column(column)
    for row in overview.to_dict("records"):
        table.add_row(row["plan"], f"{row['objective']:,.6g}" if row["objective"] is not None else "",
                      f"{row['distance_to_optimum']:g}", _t(row["projects"]))
    out.print(table)
    classes = result.classes()
    for kind in ("core", "borderline", "never"):
        names = ", ".join(classes.loc[classes["class"] == kind, "project"]) or "-"
        out.print(f"{kind}: {names}", markup=False)
    if result.message:
        out.print(result.message, markup=False)
