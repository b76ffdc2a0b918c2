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
from planner.advice.findings import Findings
from planner.advice.frontier import Frontier
from planner.cli.common import out
from planner.output.brief import brief
from planner.output.labels import header_label, number, percent, word
from planner.results import Answer
from planner.results.idle import idle_summary


def _small(value: float) -> str:
    """A rate that may be small (5.4e-05 per unit of money) with three significant digits."""
    if value is None or value != value:
        return ""
    return number(value) if value == 0 or abs(value) >= 0.01 else f"{value:.3g}"


def _t(value: object) -> str:
    """A value from the workbook as rich text, markup escaped."""
    return escape(str(value))


def show_answer(answer: Answer, lang: str = "en") -> None:
    """A short summary for people: status, stages, projects by region, goals, funds (figures as
    people write them: 3,006,203, not 3.00444e+06)."""
    out.print(f"[bold]{_t(answer.scenario)}[/bold]: {answer.status}", markup=True)
    if answer.message:
        out.print(answer.message, markup=False)
    for name, value in answer.stages:
        out.print(f"  {name}: {number(value, lang)}", markup=False)
    if answer.mip_gap is not None:
        out.print(f"  {word('console.gap', lang)}: {answer.mip_gap:.2e}   {word('console.time', lang)}: "
                  f"{answer.solve_seconds:.2f} s", markup=False)
    if not answer.projects.empty:
        table = Table(title=word("console.projects", lang))
        for column in ("region", "project", "start", "share", "kind"):
            table.add_column(header_label(column, lang))
        table.add_column(word("console.cost", lang), justify="right")
        for row in answer.projects.sort_values(["region", "start"]).itertuples(index=False):
            start = f"{row.start} (under way)" if getattr(row, "status", "") == "under way" else str(row.start)
            table.add_row(_t(row.region), _t(row.project), _t(start), percent(row.share, lang),
                          _t(row.kind), number(row.cost, lang, 2))
        out.print(table)
    if not answer.goals.empty:
        table = Table(title=word("console.goals", lang))
        for column in ("goal", "indicator", "target", "achieved", "shortfall", "progress", "met"):
            table.add_column(header_label(column, lang), justify="right" if column in
                             ("target", "achieved", "shortfall", "progress") else "left")
        for row in answer.goals.itertuples(index=False):
            table.add_row(_t(row.goal), _t(row.indicator), number(row.target, lang), number(row.achieved, lang),
                          number(row.shortfall, lang), percent(row.progress, lang, 1),
                          word("yes" if row.met else "no", lang))
        out.print(table)
    if not answer.idle_money.empty and lang == "en":
        out.print("Money that cannot help: " + idle_summary(answer.idle_money, answer.budgets), markup=False)
    if answer.spread and lang == "en":
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
        table = Table(title=word("console.funds", lang))
        table.add_column(header_label("fund", lang))
        table.add_column(header_label("used", lang), justify="right")
        for fund, amount in used.items():
            table.add_row(_t(fund), number(amount, lang, 2))
        out.print(table)


def show_brief(answer: Answer, findings: Findings, lang: str = "en", console: Console | None = None) -> None:
    """The Brief of the results workbook, as text: what the plan funds, what it gets, what is missing."""
    console = console or out
    for item in brief(answer, findings, lang):
        if item.kind == "title":
            console.print(f"\n[bold]{_t(item.text)}[/bold]", markup=True)
        elif item.kind == "heading":
            console.print(f"[bold]{_t(item.text)}[/bold]", markup=True)
        elif item.kind == "table" and item.table is not None:
            table = Table()
            for k, column in enumerate(item.table.columns):
                table.add_column(_t(header_label(column, lang)), justify="left" if k == 0 else "right")
            for row in item.table.itertuples(index=False):
                table.add_row(_t(row[0]), *[number(v, lang) if k < len(row) - 2 else percent(v, lang)
                                            for k, v in enumerate(row[1:])])
            console.print(table)
        else:
            console.print("  " + item.text, markup=False)


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
        step = "" if row.step is None or row.step != row.step else number(row.step)
        stage = row.stage if isinstance(row.stage, str) else "-"
        view.add_row(_t(row.fund), _t(region), _t(row.year), number(row.budget), number(row.used),
                     step, _t(stage), _small(row.gain_per_money))
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
        table.add_row(f"{row['factor']:.3g}", number(row[x]), _t(row["status"]),
                      "" if objective is None or objective != objective else number(objective),
                      _t(row.get("added") or ""), _t(row.get("dropped") or ""))
    out.print(table)


def show_alternatives(result: Alternatives) -> None:
    """The optimum and its alternatives for people, then each project's class."""
    overview = result.overview()
    losses = [c for c in overview.columns if c.startswith("loss ")]
    table = Table(title=_t(f"{result.scenario}: plans within {result.slack:.1%} of the optimum"))
    for column in ["plan", *losses, "projects differing", "added", "dropped", "moved in time"]:
        table.add_column(column)
    for row in overview.to_dict("records"):
        table.add_row(row["plan"], *[number(row[c]) for c in losses], f"{row['distance_to_optimum']:g}",
                      _t(row.get("added", "")), _t(row.get("dropped", "")), _t(row.get("moved", "")))
    out.print(table)
    classes = result.classes()
    for kind in ("core", "borderline", "never"):
        names = ", ".join(classes.loc[classes["class"] == kind, "project"]) or "-"
        out.print(f"{kind}: {names}", markup=False)
    if result.message:
        out.print(result.message, markup=False)
