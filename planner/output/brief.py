"""The Brief: one page a minister reads in a minute, generated from the answer.

What the plan buys, where, when and with which money; which goals are met and which are missed,
by how much and why (the goal diagnoses of :mod:`planner.advice.diagnose.goals`); what one more
unit of the scarcest money would buy (the marginal table, when computed); how unevenly the money
per person is spread over the regions. Every sentence is built from the answer's figures in the
language asked for (:mod:`planner.output.labels`); nothing is written for a particular scenario.

:func:`brief` returns the Brief as items (headings, sentences, one small table) that the results
workbook writes as its first sheet and ``planner solve`` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.advice.findings import Findings
from planner.output.labels import count_of, number, percent, word
from planner.results import Answer, allocation_table
from planner.scenario.data import POOLED
from planner.status import Status

#: Projects, regions and goals named in one sentence before "and N more".
SHOWN = 3


@dataclass
class Item:
    """One piece of the Brief: kind title, heading, text or table (``table`` holds the frame)."""

    kind: str
    text: str = ""
    table: pd.DataFrame | None = None


def brief(answer: Answer, findings: Findings | None = None, lang: str = "en") -> list[Item]:
    """The Brief of ``answer`` (and its findings) in ``lang``."""
    findings = findings or Findings()
    status = Status(answer.status)
    items = [Item("title", f"{word('brief.title', lang)}: {answer.scenario}"),
             Item("text", word("brief.status", lang, status=word(f"status.{status.value}", lang)))]
    if not status.solved and answer.flows.empty and answer.projects.empty:
        items.append(Item("text", word("brief.no_plan", lang)))
        if findings.diagnosis is not None:
            items.append(Item("text", word("brief.diagnosis", lang, text=findings.diagnosis.explanation())))
            if findings.diagnosis.repairs:
                items.append(Item("text", findings.diagnosis.repair_sentence()))
        elif answer.message:
            items.append(Item("text", answer.message))
        return items
    items.append(Item("heading", word("brief.fund", lang)))
    items += [Item("text", t) for t in _what_we_fund(answer, lang)]
    figures = _fund_figures(answer, lang)
    if figures is not None:
        items.append(Item("table", table=figures))
    items.append(Item("heading", word("brief.get", lang)))
    items += [Item("text", t) for t in _what_we_get(answer, lang)]
    items.append(Item("heading", word("brief.missing", lang)))
    items += [Item("text", t) for t in _what_is_missing(answer, findings, lang)]
    items.append(Item("text", word("brief.see", lang)))
    return items


def brief_text(items: list[Item]) -> str:
    """The Brief as plain text (tables as aligned lines), e.g. for a log or a test."""
    lines = []
    for item in items:
        if item.kind == "table" and item.table is not None:
            lines += ["  " + "  ".join(str(v) for v in row) for row in
                      [list(item.table.columns)] + item.table.astype(str).values.tolist()]
        else:
            lines.append(item.text)
    return "\n".join(lines)


# --- what we fund -------------------------------------------------------------------------------

def _what_we_fund(answer: Answer, lang: str) -> list[str]:
    sentences = []
    unit = answer.money_unit
    own = float(answer.flows["amount"].sum()) if not answer.flows.empty else 0.0
    available = float(answer.budgets["amount"].sum()) if not answer.budgets.empty else 0.0
    projects = answer.projects
    count = projects["project"].nunique() if not projects.empty else 0
    years = answer.budgets["year"] if not answer.budgets.empty else pd.Series([], dtype=int)
    partners = float(answer.partners["amount"].sum()) if not answer.partners.empty else 0.0
    partner_text = word("brief.partners", lang, amount=f"{number(partners, lang)} {unit}".strip()) \
        if partners > 0 else ""
    sentences.append(word("brief.plan", lang, count=count_of(int(count), "project", lang),
                          first=int(years.min()) if len(years) else "?", last=int(years.max()) if len(years) else "?",
                          own=number(own, lang), unit=unit, available=number(available, lang),
                          used_share=percent(own / available, lang) if available > 0 else "?",
                          partners=partner_text).replace("  ", " "))
    if count:
        cost = projects.groupby("project", sort=False).agg(cost=("cost", "sum"), region=("region", "first"))
        cost = cost.sort_values("cost", ascending=False)
        names = answer.project_info.set_index("project")["name"] if "name" in answer.project_info else {}
        largest = [f"{p} ({_text(names.get(p)) + ', ' if _text(names.get(p)) else ''}"
                   f"{_region_name(answer, r.region)}, {number(r.cost, lang)})" for p, r in cost.head(SHOWN).iterrows()]
        sentences.append(word("brief.largest", lang, items="; ".join(largest)))
        kinds = projects.groupby("kind")["cost"].sum().sort_values(ascending=False)
        counts = projects.groupby("kind")["project"].nunique()
        sentences.append(word("brief.kinds", lang, items=", ".join(
            f"{word('kind.' + str(k), lang)} {count_of(int(counts[k]), 'project', lang)} ({number(v, lang)})"
            for k, v in kinds.items())))
    if not answer.flows.empty and count:
        per_year = answer.flows.groupby("year")["amount"].sum()
        sentences.append(word("brief.when", lang, year=int(per_year.idxmax()), amount=number(per_year.max(), lang),
                              first=int(projects["start"].min()), last=int(projects["start"].max())))
        allocation = allocation_table(answer).sort_values("invested", ascending=False)
        per_person = [c for c in allocation.columns if str(c).startswith("invested per ") and str(c).endswith(")")]
        top = []
        for r in allocation.head(SHOWN).itertuples(index=False):
            share = allocation.loc[allocation["region"] == r.region, "invested_share"].iloc[0]
            extra = ""
            if per_person:
                value = allocation.loc[allocation["region"] == r.region, per_person[0]].iloc[0]
                extra = f", {number(value, lang)} {_per_person_unit(per_person[0], lang)}"
            top.append(f"{_region_name(answer, r.region)} ({number(r.invested, lang)}, {percent(share, lang)}{extra})")
        sentences.append(word("brief.where", lang, items="; ".join(top)))
    if answer.spread:
        sentences.append(spread_sentence(answer, lang))
    return sentences


def spread_sentence(answer: Answer, lang: str) -> str:
    """How unevenly money per person is spread over the regions, in one sentence ("" without a spread)."""
    spread = answer.spread
    text = ""
    if spread:
        high, low = spread["highest"], spread["lowest"]
        ratio = word("brief.ratio_none", lang) if spread["ratio"] is None else \
            word("brief.ratio", lang, ratio=number(spread["ratio"], lang, 0 if spread["ratio"] >= 10 else 1))
        text = word("brief.spread_text", lang, low=number(low["per_person"], lang),
                    high=number(high["per_person"], lang), unit=_spread_unit(spread["unit"], lang),
                    low_region=_region_name(answer, low["region"]),
                    high_region=_region_name(answer, high["region"]), ratio=ratio)
        if spread.get("warning"):
            warning = word("brief.spread_warning", lang, threshold=number(spread["threshold"], lang))
            text = text[:-1] + "; " + warning + "."
    return text


def _per_person_unit(column: str, lang: str) -> str:
    """"USD per person" from the header "invested per person (USD)"."""
    match = re.match(r"invested per (.+) \((.+)\)$", column)
    if not match:
        return ""
    persons, currency = match.groups()
    if persons == "person":
        return word("brief.per_person_unit", lang, currency=currency)
    return f"{currency} / {persons}"


def _spread_unit(unit: str, lang: str) -> str:
    match = re.match(r"(.+) per person$", unit)
    return word("brief.per_person_unit", lang, currency=match.group(1)) if match else unit


def _fund_figures(answer: Answer, lang: str) -> pd.DataFrame | None:
    """Per fund: money available over the horizon, used, and the share used (headers said in ``lang``
    by the Excel layer; the sentence above states the money unit)."""
    if answer.budgets.empty:
        return None
    available = answer.budgets.groupby("fund", sort=False)["amount"].sum()
    used = answer.flows.groupby("fund")["amount"].sum() if not answer.flows.empty else pd.Series(dtype=float)
    return pd.DataFrame([{"fund": f, "available": float(a), "used": float(used.get(f, 0.0)),
                          "share used": float(used.get(f, 0.0)) / float(a) if a > 0 else None}
                         for f, a in available.items()])


# --- what we get ----------------------------------------------------------------------------------

def _what_we_get(answer: Answer, lang: str) -> list[str]:
    goals = answer.goals
    if goals.empty:
        return [word("brief.no_goals", lang)] + _gains(answer, lang)
    met = goals[goals["met"].astype(bool)]
    sentences = [word("brief.all_met", lang) if len(met) == len(goals)
                 else word("brief.goals_met", lang, met=len(met), total=len(goals))]
    for g in met.itertuples(index=False):
        sentences.append(word("brief.goal_met", lang, goal=g.goal, what=_what(answer, g, lang),
                              achieved=number(g.achieved, lang), target=number(g.target, lang),
                              progress=percent(g.progress, lang)))
    return sentences + _gains(answer, lang)


def _what(answer: Answer, goal: Any, lang: str) -> str:
    region = goal.region if isinstance(goal.region, str) and goal.region else None
    where = _region_name(answer, region) if region else word("brief.whole", lang)
    return f"{goal.indicator}, {where}, {int(goal.year)}"


def _gains(answer: Answer, lang: str) -> list[str]:
    if answer.regions.empty:
        return []
    last = answer.regions[answer.regions["year"] == answer.regions["year"].max()]
    gains = (last["level"] - last["baseline"]).groupby(last["indicator"]).sum()
    gains = gains[gains.abs() > 1e-9]
    if gains.empty:
        return []
    units = answer.indicator_info.set_index("indicator")["unit"] if not answer.indicator_info.empty else {}
    parts = []
    for indicator, gain in gains.items():
        unit = _text(units.get(indicator)) if hasattr(units, "get") else ""
        parts.append(f"{'+' if gain > 0 else ''}{number(gain, lang)} {indicator}" + (f" ({unit})" if unit else ""))
    return [word("brief.gains", lang, year=int(answer.regions["year"].max()), items=", ".join(parts))]


# --- what is missing ------------------------------------------------------------------------------

def _what_is_missing(answer: Answer, findings: Findings, lang: str) -> list[str]:
    sentences = []
    goals = answer.goals
    missed = goals[~goals["met"].astype(bool)] if not goals.empty else goals
    diagnosed = {g.goal: g for g in findings.goals}
    if missed.empty:
        sentences.append(word("brief.nothing_missing", lang))
    for g in missed.itertuples(index=False):
        d = diagnosed.get(g.goal)
        unit = f" {d.unit}" if d is not None and d.unit else ""
        sentences.append(word("brief.goal_missed", lang, goal=g.goal, what=_what(answer, g, lang),
                              shortfall=number(g.shortfall, lang), unit=unit, achieved=number(g.achieved, lang),
                              target=number(g.target, lang), progress=percent(g.progress, lang)))
        if d is None:
            continue
        if d.status in ("not_diagnosed", "unknown"):
            sentences.append(word("brief.not_diagnosed", lang, goal=g.goal))
            continue
        if d.status != "missed":
            continue
        held = [_held(h, lang) for h in d.held_back_by]
        if held:
            sentences.append(word("brief.held", lang, items=_join(held, lang)))
        if d.reach is not None:
            sentences.append(word("brief.reach", lang, level=number(d.reach.get("level"), lang),
                                  progress=percent(d.reach.get("progress"), lang)))
        ways = [w for w in (_way(r, answer, lang) for r in d.repairs) if w]
        if ways:
            sentences.append(word("brief.take", lang, items=word("take.or", lang).join(ways)))
    sentences += idle_sentences(answer, lang)
    sentences.append(_marginal(answer, findings, lang))
    return sentences


def _held(record: dict[str, Any], lang: str) -> str:
    kind = record.get("kind")
    if kind == "budgets":
        return word("held.budgets", lang, funds=", ".join(sorted(map(str, record.get("funds") or []))))
    if kind == "goal":
        goal = str(record.get("rule", "")).removeprefix("goal ")
        match = re.search(r"priority (\d+)", str(record.get("text", "")))
        return word("held.goal", lang, goal=goal, priority=match.group(1)) if match else \
            word("held.goal_plain", lang, goal=goal)
    if kind == "candidates":
        return word("held.candidates", lang)
    where = f"{record['sheet']}!{record['row']}" if record.get("row") is not None else str(record.get("sheet") or "")
    return word("held.rule", lang, rule=record.get("rule", ""), where=where)


def _way(repair: dict[str, Any], answer: Answer, lang: str) -> str:
    kind = repair.get("kind")
    if kind in ("money", "fund"):
        parts = repair.get("parts") or []
        by_fund: dict[str, float] = {}
        for p in parts:
            by_fund[str(p.get("fund"))] = by_fund.get(str(p.get("fund")), 0.0) + float(p.get("amount") or 0.0)
        if not by_fund:
            return ""
        fund, amount = max(by_fund.items(), key=lambda kv: kv[1])
        return word("take.money", lang, amount=number(repair.get("amount"), lang),
                    unit=repair.get("unit") or answer.money_unit, fund=fund, fund_amount=number(amount, lang))
    if kind in ("goals", "goal"):
        goals = [str(p.get("goal")) for p in repair.get("parts") or [] if p.get("goal")]
        return word("take.goals", lang, goals=", ".join(goals)) if goals else ""
    if kind == "target":
        return word("take.target", lang, value=number(repair.get("new_value"), lang))
    if kind == "rules":
        rules = [str(p.get("rule")) for p in repair.get("parts") or [] if p.get("rule")]
        return word("take.rules", lang, rules=", ".join(rules)) if rules else ""
    return ""


def idle_sentences(answer: Answer, lang: str) -> list[str]:
    """The money that cannot help any goal, in one sentence (none when every budget year can help)."""
    idle = answer.idle_money
    if idle.empty or answer.budgets.empty:
        return []
    total = float(answer.budgets["amount"].sum())
    amount = float(idle["amount"].sum())
    late = idle["reason"].str.startswith("a project paid then")
    years = [word("brief.idle_late", lang, year=int(y)) for y in sorted(idle.loc[late, "year"].unique())
             if idle.loc[late & (idle["year"] == y), "amount"].sum() >= 0.05 * amount]
    if (~late).any() or not years:
        years.append(word("brief.idle_other", lang))
    return [word("brief.idle", lang, amount=f"{number(amount, lang)} {answer.money_unit}".strip(),
                 share=percent(amount / total, lang) if total > 0 else "?", years="; ".join(years))]


def _marginal(answer: Answer, findings: Findings, lang: str) -> str:
    table = findings.marginal
    if table is None:
        return word("brief.marginal_ask", lang)
    binding = table[table["binding"].astype(bool) & (table["gain_per_money"] > 0)] if not table.empty else table
    if binding.empty:
        return word("brief.marginal_none", lang)
    best = binding.sort_values("gain_per_money", ascending=False, kind="stable").iloc[0]
    step = float(best["step"]) if best["step"] == best["step"] and best["step"] else 1.0
    effects = _effects(str(best.get("effects") or ""), step, lang)
    if not effects:
        stage = best["stage"] if isinstance(best["stage"], str) else ""
        effects = word("brief.marginal_stage", lang, stage=stage, change=number(best["gain_per_money"], lang))
    region = best["region"] if isinstance(best["region"], str) and best["region"] not in ("(pooled)", POOLED) else ""
    where = f" ({_region_name(answer, region)})" if region else ""
    return word("brief.marginal", lang, fund=best["fund"], where=where, year=int(best["year"]),
                unit=answer.money_unit or word("axis.money", lang), effects=effects)


def _effects(text: str, step: float, lang: str) -> str:
    """"+0.25 on g_grp_country" from the marginal table's "4.9 more: g_grp_country grp 2035 +1.23 ..."."""
    changes = [(goal, float(change.replace(",", "")) / step) for goal, change in
               re.findall(r"(?:^|; |: )(\S+) \S+ \d{4} ([+-][\d,.]+(?:e[+-]?\d+)?)", text)]
    changes.sort(key=lambda gc: -abs(gc[1]))
    parts = [word("brief.marginal_effect", lang, goal=goal, change=("+" if value > 0 else "") + number(value, lang))
             for goal, value in changes[:SHOWN]]
    return _join(parts, lang)


# --- words ------------------------------------------------------------------------------------------

def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _region_name(answer: Answer, region: object) -> str:
    if not isinstance(region, str) or not region:
        return ""
    info = answer.region_info
    if not info.empty and "name" in info:
        names = info.set_index("region")["name"]
        name = names.get(region)
        if isinstance(name, str) and name.strip():
            return name.strip()
    return region


def _join(items: list[str], lang: str) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    last = {"en": " and ", "ru": " и ", "uz": " va "}.get(lang, " and ")
    return ", ".join(items[:-1]) + last + items[-1]


__all__ = ["Item", "brief", "brief_text", "idle_sentences", "spread_sentence"]
