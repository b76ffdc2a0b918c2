"""Constraint families of the allocation model, one function each.

Every function is named ``add_<id>`` where ``<id>`` is the constraint's id in
``models/allocation.md`` and the name of the Pyomo component it adds. Each
records what its rows mean in ``build.rows[<id>]`` (one frame row per model
row, in order) so that results and diagnoses can speak in workbook terms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.model.build import AllocationModel
from planner.model.rows import NONE, Terms, bound_relax, declare


def _numbered(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Unique rows of ``frame[keys]`` in order, and each frame row's row number."""
    numbers = frame.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    unique = frame[keys].drop_duplicates().sort_values(keys, kind="stable").reset_index(drop=True)
    return unique, numbers


def add_one_start(b: AllocationModel) -> None:
    """one_start: sum_s x[p,s] <= 1 for every project, and = 1 when mandatory."""
    starts = b.index.starts
    meaning, rows = _numbered(starts, ["project"])
    terms = Terms()
    terms.add(rows, b.columns.col("x", starts["x"]), 1.0)
    mandatory = b.index.projects["mandatory"].reindex(meaning["project"]).to_numpy()
    lower = np.where(mandatory, 1.0, NONE)
    b.add_rows("one_start", terms, lower, np.ones(len(meaning)),
                   doc="A project starts at most once (exactly once when mandatory).")
    projects = meaning["project"]
    b.rows["one_start"] = declare(
        meaning.assign(mandatory=mandatory), "Projects", projects.map(b.index.projects["row"]),
        rule_key=[("mandatory", p) if m else None for p, m in zip(projects, mandatory)],
        relax=np.where(mandatory, 1.0, 0.0), rule_side=["lower" if m else None for m in mandatory])


def add_payment(b: AllocationModel) -> None:
    """payment: sum_f y[p,r,f,t,j] = share_{p,r} * sum_s c[p,s,t,j] x[p,s] for construction and running."""
    due = b.index.schedule
    due = due[due["own"] > 0].merge(b.index.payers, on="project")
    meaning, rows = _numbered(due, ["project", "payer", "year", "part"])
    key = pd.MultiIndex.from_frame(meaning)
    terms = Terms()
    terms.add(rows, b.columns.col("x", due["x"]), (-due["share"] * due["own"]).to_numpy())
    flows = b.index.payments
    flow_rows = key.get_indexer(pd.MultiIndex.from_frame(flows[["project", "payer", "year", "part"]]))
    terms.add(flow_rows, b.columns.col("y", flows["y"]), 1.0)
    zeros = np.zeros(len(meaning))
    b.add_rows("payment", terms, zeros, zeros,
                   doc="Each year's own cost (construction, running) is paid in full from eligible funds.")
    payers = b.index.payers.set_index(["project", "payer"])
    where = payers.reindex(pd.MultiIndex.from_frame(meaning[["project", "payer"]]))
    shared = meaning["project"].map(b.index.payers.groupby("project").size()).to_numpy() > 1
    b.rows["payment"] = declare(meaning, np.where(shared, "CostShares", "Projects"),
                                np.where(shared, where["row"].to_numpy(),
                                         meaning["project"].map(b.index.projects["row"]).to_numpy()))


def add_budget(b: AllocationModel) -> None:
    """budget: sum of charges (payments, loan repayments) on [f,scope,t] <= budget[f,scope,t] without carry-over."""
    charges = b.index.charges
    budgets = b.index.budgets
    carry = budgets.groupby("fund")["carry_over"].first()
    charges = charges[~charges["fund"].map(carry).astype(bool)]
    meaning, rows = _numbered(charges, ["fund", "scope", "year"])
    terms = Terms()
    terms.add(rows, b.columns.col("y", charges["y"]), charges["coef"].to_numpy(dtype=float))
    amount = budgets.set_index(["fund", "scope", "year"])["amount"]
    upper = amount.reindex(pd.MultiIndex.from_frame(meaning)).fillna(0.0).to_numpy()
    b.add_rows("budget", terms, np.full(len(meaning), NONE), upper,
                   doc="Spending of a fund in its scope and year stays within that year's budget.")
    b.rows["budget"] = _budget_meaning(b, meaning.assign(amount=upper))


def add_carry_over(b: AllocationModel) -> None:
    """carry_over: bal[f,r,t] = bal[f,r,t-1] + budget[f,r,t] - charges[f,r,t], bal >= 0."""
    balances = b.index_balances
    if balances.empty:
        b.add_rows("carry_over", Terms(), np.zeros(0), np.zeros(0),
                       doc="Unspent money of a carry-over fund stays available.")
        b.rows["carry_over"] = _budget_meaning(b, balances)
        return
    key = pd.MultiIndex.from_frame(balances[["fund", "scope", "year"]])
    terms = Terms()
    rows = np.arange(len(balances))
    terms.add(rows, b.columns.col("bal", balances["bal"]), 1.0)
    previous = key.get_indexer(pd.MultiIndex.from_arrays(
        [balances["fund"], balances["scope"], balances["year"] - 1]))
    has_previous = previous >= 0
    terms.add(rows[has_previous], b.columns.col("bal", balances["bal"].to_numpy()[previous[has_previous]]), -1.0)
    charges = b.index.charges
    charge_rows = key.get_indexer(pd.MultiIndex.from_frame(charges[["fund", "scope", "year"]]))
    keep = charge_rows >= 0
    terms.add(charge_rows[keep], b.columns.col("y", charges["y"].to_numpy()[keep]),
              charges["coef"].to_numpy(dtype=float)[keep])
    amount = balances["amount"].to_numpy(dtype=float)
    b.add_rows("carry_over", terms, amount, amount,
                   doc="Unspent money of a carry-over fund stays available.")
    b.rows["carry_over"] = _budget_meaning(b, balances[["fund", "scope", "year", "amount"]])


def _budget_meaning(b: AllocationModel, meaning: pd.DataFrame) -> pd.DataFrame:
    """Budget and carry-over rows are the rule ("budget", fund, scope, year): a slack adds money."""
    rows = b.index.budgets.set_index(["fund", "scope", "year"])["row"]
    key = pd.MultiIndex.from_frame(meaning[["fund", "scope", "year"]]) if len(meaning) else None
    excel = rows.reindex(key).to_numpy() if key is not None else np.zeros(0)
    keys = [("budget", f, s, int(y)) for f, s, y in meaning[["fund", "scope", "year"]].itertuples(index=False)]
    return declare(meaning, "Budgets", excel, rule_key=keys, relax=-1.0)


def add_requires(b: AllocationModel) -> None:
    """requires: sum_{s<=t} x[p,s] <= sum_{s<=t} x[q,s] for q in requires(p), t in S_p."""
    projects = b.index.projects
    starts = b.index.starts
    pairs = projects["requires"].rename("required").explode().dropna().rename_axis("project").reset_index()
    checks = pairs.merge(starts[["project", "start"]].rename(columns={"start": "year"}), on="project")
    meaning, rows = _numbered(checks, ["project", "required", "year"])
    meaning_key = pd.MultiIndex.from_frame(meaning)
    terms = Terms()
    own = meaning.merge(starts[["project", "start", "x"]], on="project")
    own = own[own["start"] <= own["year"]]
    own_rows = meaning_key.get_indexer(pd.MultiIndex.from_frame(own[["project", "required", "year"]]))
    terms.add(own_rows, b.columns.col("x", own["x"]), 1.0)
    other = meaning.merge(starts[["project", "start", "x"]].rename(columns={"project": "required"}),
                          on="required")
    other = other[other["start"] <= other["year"]]
    other_rows = meaning_key.get_indexer(pd.MultiIndex.from_frame(other[["project", "required", "year"]]))
    terms.add(other_rows, b.columns.col("x", other["x"]), -1.0)
    del rows
    b.add_rows("requires", terms, np.full(len(meaning), NONE),
                   np.zeros(len(meaning)),
                   doc="A required project starts no later than the project that requires it.")
    b.rows["requires"] = declare(meaning, "Projects", meaning["project"].map(projects["row"]),
                                 rule_key=[("requires", p, q) for p, q in zip(meaning["project"], meaning["required"])],
                                 relax=-1.0)


def add_excludes(b: AllocationModel) -> None:
    """excludes: sum_s x[p,s] + sum_s x[q,s] <= 1 for every excluded pair."""
    projects = b.index.projects
    pairs = projects["excludes"].rename("other").explode().dropna().rename_axis("project").reset_index()
    pairs = pd.DataFrame(np.sort(pairs[["project", "other"]].to_numpy(dtype=object), axis=1),
                         columns=["first", "second"]).drop_duplicates().reset_index(drop=True)
    for extra in b.extra_exclusions:
        pairs = pd.concat([pairs, extra], ignore_index=True).drop_duplicates().reset_index(drop=True)
    starts = b.index.starts
    terms = Terms()
    for column in ("first", "second"):
        side = pairs.reset_index().merge(starts[["project", "x"]], left_on=column, right_on="project")
        terms.add(side["index"].to_numpy(), b.columns.col("x", side["x"]), 1.0)
    b.add_rows("excludes", terms, np.full(len(pairs), NONE),
                   np.ones(len(pairs)), doc="Mutually exclusive projects are not both chosen.")
    listed = [second in (projects.loc[first, "excludes"] or ()) for first, second in
              zip(pairs["first"], pairs["second"])]
    lister = np.where(listed, pairs["first"], pairs["second"])
    b.rows["excludes"] = declare(pairs, "Projects", pd.Series(lister).map(projects["row"]).to_numpy(),
                                 rule_key=[("excludes", p, q) for p, q in zip(pairs["first"], pairs["second"])],
                                 relax=-1.0)


def add_level_variables(b: AllocationModel) -> None:
    """L[k,r,t]: the gain of indicator k in region r by year t, for the goals that cover several regions.

    A country or group goal would otherwise be one row holding every start of every project that
    moves its indicator anywhere (hundreds of thousands of entries at national scale), which slows
    the simplex method to a crawl; with L each goal row holds one entry per region and each L row
    only that region's projects. Only (k, r, t) that some project, cluster or pair moves get an L.
    """
    goals = b.index.goals
    wide = goals[goals["scope"].map(len) > 1]
    items = wide[["indicator", "scope", "year"]].explode("scope").rename(columns={"scope": "region"})
    items = items.drop_duplicates().reset_index(drop=True)
    low = high = np.zeros(0)
    if len(items):
        terms = b.level_terms(pd.DataFrame({"indicator": items["indicator"], "scope": [(r,) for r in items["region"]],
                                            "year": items["year"]}))
        kept = np.unique(terms["item"].to_numpy())
        low, high = _gain_bounds(b, terms, len(items))
        items, low, high = items.iloc[kept].reset_index(drop=True), low[kept], high[kept]
    items["L"] = np.arange(len(items))
    b.levels = items
    b.model.L = pyo.Var(range(len(items)), doc="L[k,r,t]: gain of indicator k in region r by year t")
    for i, (lo, hi) in enumerate(zip(low, high)):
        b.model.L[i].setlb(float(lo))
        b.model.L[i].setub(float(hi))
    b.columns.add("L", b.model.L)


def _gain_bounds(b: AllocationModel, terms: pd.DataFrame, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The least and the most gain each level can have: a project counts once whatever its start
    (its best or worst start), every other variable at 0 or 1. Tighter than what a row's own
    terms imply (they count every start), so a presolve cannot fold the level back into the goal
    rows (which would make them dense again)."""
    first_x = b.columns.offsets["x"]
    starts = b.index.starts
    is_x = (terms["col"] >= first_x) & (terms["col"] < first_x + len(starts))
    group = np.where(is_x, starts["project"].to_numpy()[np.clip(terms["col"] - first_x, 0, len(starts) - 1)],
                     terms["col"].astype(str))
    per = pd.DataFrame({"item": terms["item"].to_numpy(), "group": group, "coef": terms["coef"].to_numpy()})
    extremes = per.groupby(["item", "group"])["coef"].agg(["min", "max"])
    low = np.minimum(extremes["min"], 0.0).groupby(level="item").sum()
    high = np.maximum(extremes["max"], 0.0).groupby(level="item").sum()
    return (low.reindex(range(count)).fillna(0.0).to_numpy(), high.reindex(range(count)).fillna(0.0).to_numpy())


def add_level(b: AllocationModel) -> None:
    """level: L[k,r,t] - sum of the complete impacts of k in r by t (and cluster synergy, pairs) = 0."""
    items = b.levels
    terms = Terms()
    if len(items):
        gain = b.level_terms(pd.DataFrame({"indicator": items["indicator"], "scope": [(r,) for r in items["region"]],
                                           "year": items["year"]}))
        terms.add(gain["item"].to_numpy(), gain["col"].to_numpy(), -gain["coef"].to_numpy())
        terms.add(np.arange(len(items)), b.columns.col("L", items["L"]), 1.0)
    zeros = np.zeros(len(items))
    b.add_rows("level", terms, zeros, zeros, doc="The gain of an indicator in a region by a year, for wide goals.")
    b.rows["level"] = declare(items[["indicator", "region", "year"]], "Impacts", None)


def _goal_terms(b: AllocationModel, goals: pd.DataFrame) -> pd.DataFrame:
    """(item, col, coef) of each goal's level: its regions' L for a goal covering several regions,
    the projects' completions directly for a one-region goal."""
    wide = goals["scope"].map(len).to_numpy() > 1
    narrow = goals[~wide]
    parts = []
    if len(narrow):
        direct = b.level_terms(narrow[["indicator", "scope", "year"]])
        parts.append(direct.assign(item=narrow.index.to_numpy()[direct["item"].to_numpy()]))
    if wide.any() and len(b.levels):
        spread = goals[wide][["indicator", "scope", "year"]].rename_axis("item").reset_index()
        spread = spread.explode("scope").rename(columns={"scope": "region"})
        hits = spread.merge(b.levels, on=["indicator", "region", "year"])
        parts.append(pd.DataFrame({"item": hits["item"].to_numpy(), "col": b.columns.col("L", hits["L"]),
                                   "coef": 1.0}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["item", "col", "coef"])


def add_portfolio(b: AllocationModel) -> None:
    """portfolio: sum_{p matched} sum_s x[p,s] >= at_least and <= at_most (one row per bound)."""
    rules = b.index.portfolio
    members = b.index.portfolio_members
    bounds = []
    for side, column in (("lower", "at_least"), ("upper", "at_most")):
        given = rules[rules[column].notna()]
        bounds.append(pd.DataFrame({"rule": given["rule"], "bound": given[column], "side": side,
                                    "row": given["row"]}))
    meaning = pd.concat(bounds, ignore_index=True).sort_values(["rule", "side"], kind="stable")
    meaning = meaning.reset_index(drop=True)
    terms = Terms()
    cells = meaning.reset_index().merge(members, on="rule").merge(b.index.starts[["project", "x"]], on="project")
    terms.add(cells["index"].to_numpy(), b.columns.col("x", cells["x"]), 1.0)
    lower = np.where(meaning["side"] == "lower", meaning["bound"], NONE).astype(float)
    upper = np.where(meaning["side"] == "upper", meaning["bound"], NONE).astype(float)
    b.add_rows("portfolio", terms, lower, upper,
               doc="The number of matched projects in the plan stays within the Portfolio rule's bounds.")
    b.rows["portfolio"] = declare(meaning[["rule", "side", "bound"]], "Portfolio", meaning["row"],
                                  rule_key=[("portfolio", r) for r in meaning["rule"]],
                                  relax=bound_relax(lower, upper))


def add_tranche(b: AllocationModel) -> None:
    """tranche: x[p,s] <= tu[p,s]; x[p,s] >= min_tranche_p * tu[p,s]; sum_s tu[p,s] <= max_tranches_p."""
    tranches = b.index.tranches
    x_cols = b.columns.col("x", tranches["x"])
    tu_cols = b.columns.col("tu", tranches["tu"])
    n = len(tranches)
    terms = Terms()
    # Rows 0..n-1: x - tu <= 0 (a share only in a used start year).
    terms.add(np.arange(n), x_cols, 1.0)
    terms.add(np.arange(n), tu_cols, -1.0)
    parts = [tranches.assign(limit="used")]
    lower, upper = [np.full(n, NONE)], [np.zeros(n)]
    # Then x - min_tranche * tu >= 0 for the starts of projects with a min_tranche.
    low = tranches[tranches["min_tranche"].notna()]
    rows = n + np.arange(len(low))
    terms.add(rows, b.columns.col("x", low["x"]), 1.0)
    terms.add(rows, b.columns.col("tu", low["tu"]), -low["min_tranche"].to_numpy(dtype=float))
    parts.append(low.assign(limit="min_tranche"))
    lower.append(np.zeros(len(low)))
    upper.append(np.full(len(low), NONE))
    # Then one row per project with max_tranches: sum_s tu <= max_tranches.
    counted = tranches[tranches["max_tranches"].notna()]
    projects = counted.drop_duplicates("project")[["project", "max_tranches"]].reset_index(drop=True)
    first = n + len(low)
    position = pd.Series(first + np.arange(len(projects)), index=projects["project"])
    terms.add(position.reindex(counted["project"]).to_numpy(), b.columns.col("tu", counted["tu"]), 1.0)
    parts.append(projects.assign(limit="max_tranches", start=np.nan))
    lower.append(np.full(len(projects), NONE))
    upper.append(projects["max_tranches"].to_numpy(dtype=float))
    low_all, up_all = np.concatenate(lower), np.concatenate(upper)
    b.add_rows("tranche", terms, low_all, up_all,
               doc="A divisible programme is funded in few, real tranches: a share only in a used start year, "
                   "at least min_tranche each, at most max_tranches of them.")
    columns = ["project", "start", "limit", "min_tranche", "max_tranches"]
    meaning = pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)
    limit = meaning["limit"].to_numpy()
    b.rows["tranche"] = declare(
        meaning, "Projects", meaning["project"].map(b.index.projects["row"]),
        rule_key=[None if kind == "used" else (kind, p) for kind, p in zip(limit, meaning["project"])],
        relax=np.where(limit == "used", 0.0, bound_relax(low_all, up_all)))


def add_goal(b: AllocationModel) -> None:
    """goal: level(k,R,t_g) + u_g >= target (>=), level - u_g <= target (<=); no u when hard."""
    goals = b.index.goals
    terms = Terms()
    coefs = _goal_terms(b, goals)
    terms.add(coefs["item"].to_numpy(dtype=np.int64), coefs["col"].to_numpy(dtype=np.int64),
              coefs["coef"].to_numpy(dtype=float))
    soft = goals.index[~goals["hard"]].to_numpy()
    sign = np.where(goals["sense"] == ">=", 1.0, -1.0)
    terms.add(soft, b.columns.col("u", np.arange(len(soft))), sign[soft])
    base = b.baseline_levels(goals[["indicator", "scope"]])
    rhs = goals["target"].to_numpy() - base
    lower = np.where(sign > 0, rhs, NONE)
    upper = np.where(sign < 0, rhs, NONE)
    b.add_rows("goal", terms, lower, upper,
               doc="Goal targets on indicator levels; soft goals measure their shortfall u.")
    hard = goals["hard"].to_numpy(dtype=bool)
    b.rows["goal"] = declare(goals[["goal", "hard", "row"]].assign(base=base), "Goals", goals["row"],
                             rule_key=[("goal", g) for g in goals["goal"]], relax=np.where(hard, sign, 0.0))
