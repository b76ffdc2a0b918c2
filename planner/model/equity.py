"""Equity rules between regions and the ``maxmin`` objective (models/equity.md).

Per-capita level of indicator k in region r in year t: pc_r = L_{k,{r},t} / pop_r,
linear in the decisions. Each rule kind is linearised exactly:

* per_capita_floor: pc_r >= value for every covered region;
* max_gap / max_ratio: hi >= pc_r >= lo for every covered region, then
  hi - lo <= value, or hi - value * lo <= 0;
* min_share / max_share: own spending paid by the covered regions, over the
  horizon, >= / <= value x all own spending (rows divided by the total budget);
* gini_cap: d_ij >= |pc_i - pc_j| for covered pairs and
  sum_{i<j} p_i p_j d_ij / (P L0) - value * L / L0 <= 0, the Gini inequality
  G = sum_{i<j} p_i p_j |pc_i - pc_j| / (P L) <= value multiplied through by L / L0.

A soft rule gets a shortfall variable scored weight * u / |value| in its
priority stage, like a soft goal.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.model.build import AllocationModel
from planner.model.index import BUILD
from planner.model.rows import NONE, Terms, bound_relax, declare

PER_CAPITA_KINDS = ("per_capita_floor", "max_gap", "max_ratio", "gini_cap")


def equity_rules(b: AllocationModel, all_hard: bool) -> pd.DataFrame:
    """The Equity sheet with resolved years and covered regions (groups expanded)."""
    scenario = b.scenario
    table = scenario.tables["Equity"].copy().reset_index(drop=True)
    if table.empty:
        return table.assign(covered=[])
    table["year"] = table["year"].fillna(scenario.last_year).astype(int)
    table["value"] = table["value"].astype(float)
    table["hard"] = table["hard"].astype(bool) | all_hard
    table["covered"] = table["regions"].map(lambda ids: _expand(scenario, ids))
    return table


def _expand(scenario, ids) -> tuple[str, ...]:
    if not ids:
        return tuple(scenario.regions)
    regions: list[str] = []
    for item in ids:
        regions += scenario.groups.get(item, [item])
    return tuple(dict.fromkeys(regions))


def population(b: AllocationModel) -> pd.Series:
    table = b.scenario.tables["Regions"].set_index("region")["population"]
    return pd.to_numeric(table, errors="coerce").fillna(0.0).astype(float)


def per_capita(b: AllocationModel, items: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Terms (item, col, coef) and constant of pc for items (indicator, region, year)."""
    pop = population(b)
    frame = pd.DataFrame({"indicator": items["indicator"].to_numpy(),
                          "scope": [(r,) for r in items["region"]], "year": items["year"].to_numpy()})
    terms = b.level_terms(frame)
    scale = 1.0 / items["region"].map(pop).to_numpy(dtype=float)
    terms = terms.assign(coef=terms["coef"].to_numpy() * scale[terms["item"].to_numpy()])
    return terms, b.baseline_levels(frame[["indicator", "scope"]]) * scale


def add_equity_variables(b: AllocationModel) -> None:
    """eq_u (shortfalls of soft rules), eq_hi / eq_lo (spread bounds), eq_d (Gini pairs), z (maxmin)."""
    rules = b.equity
    m = b.model
    units = _shortfall_units(rules)
    b.equity_units = units
    spread = rules[rules["kind"].isin(["max_gap", "max_ratio"])] if not rules.empty else rules
    b.equity_spread = spread.reset_index().rename(columns={"index": "rule_index"})
    gini = rules[rules["kind"] == "gini_cap"] if not rules.empty else rules
    pairs = [(i, a, c) for i, r in gini.iterrows() for a, c in combinations(r["covered"], 2)]
    b.equity_pairs = pd.DataFrame(pairs, columns=["rule_index", "first", "second"])
    m.eq_u = pyo.Var(range(len(units)), within=pyo.NonNegativeReals, doc="shortfall of a soft equity rule")
    m.eq_hi = pyo.Var(range(len(spread)), doc="highest per-capita level covered by a gap or ratio rule")
    m.eq_lo = pyo.Var(range(len(spread)), doc="lowest per-capita level covered by a gap or ratio rule")
    m.eq_d = pyo.Var(range(len(b.equity_pairs)), within=pyo.NonNegativeReals,
                     doc="|pc_i - pc_j| of a region pair under a Gini cap")
    m.z = pyo.Var(range(1 if b.scenario.settings["objective"] == "maxmin" else 0),
                  doc="lowest per-capita gain of the output indicator (maxmin)")
    for name in ("eq_u", "eq_hi", "eq_lo", "eq_d", "z"):
        b.columns.add(name, getattr(m, name))


def _shortfall_units(rules: pd.DataFrame) -> pd.DataFrame:
    """One shortfall per soft rule (per region for a soft per-capita floor)."""
    rows = []
    for i, r in rules.iterrows():
        if r["hard"]:
            continue
        regions = r["covered"] if r["kind"] == "per_capita_floor" else (None,)
        for region in regions:
            rows.append({"rule_index": i, "region": region, "priority": int(r["priority"]),
                         "score": float(r["weight"]) / (abs(r["value"]) or 1.0)})
    frame = pd.DataFrame(rows, columns=["rule_index", "region", "priority", "score"])
    frame["u"] = np.arange(len(frame))
    return frame


def _unit_col(b: AllocationModel, rule_index: int, region=None) -> int | None:
    units = b.equity_units
    hit = units[(units["rule_index"] == rule_index) & ((units["region"] == region) if region is not None
                                                        else units["region"].isna())]
    return None if hit.empty else int(b.columns.col("eq_u", hit["u"].iloc[:1])[0])


def add_equity_floor(b: AllocationModel) -> None:
    """equity_floor: pc_r + u >= value for every region a per_capita_floor rule covers."""
    rules = b.equity
    floors = rules[rules["kind"] == "per_capita_floor"] if not rules.empty else rules
    items = pd.DataFrame([(i, r["indicator"], region, r["year"], r["value"]) for i, r in floors.iterrows()
                          for region in r["covered"]],
                         columns=["rule_index", "indicator", "region", "year", "value"])
    terms = Terms()
    if len(items):
        pc_terms, base = per_capita(b, items)
        terms.add(pc_terms["item"], pc_terms["col"], pc_terms["coef"])
        for n, item in items.iterrows():
            col = _unit_col(b, item["rule_index"], item["region"])
            if col is not None:
                terms.add([n], [col], 1.0)
        lower = items["value"].to_numpy(dtype=float) - base
    else:
        lower = np.zeros(0)
    b.add_rows("equity_floor", terms, lower, np.full(len(items), NONE),
                   doc="Per-capita level of every covered region reaches the floor.")
    items["rule"] = items["rule_index"].map(rules["rule"]) if len(items) else []
    b.rows["equity_floor"] = _rule_meaning(b, items, lower, np.full(len(items), NONE))


def add_equity_spread(b: AllocationModel) -> None:
    """equity_spread: hi >= pc_r and lo <= pc_r for every region a gap or ratio rule covers."""
    spread = b.equity_spread
    items = pd.DataFrame([(k, r["indicator"], region, r["year"]) for k, r in spread.iterrows()
                          for region in r["covered"]], columns=["spread", "indicator", "region", "year"])
    terms = Terms()
    n = len(items)
    lower = np.full(2 * n, NONE)
    upper = np.full(2 * n, NONE)
    if n:
        pc_terms, base = per_capita(b, items)
        rows = pc_terms["item"].to_numpy()
        # Row 2i: hi - pc >= base/pop ... written as hi - terms >= base; row 2i+1: lo - terms <= base.
        terms.add(2 * rows, pc_terms["col"], -pc_terms["coef"].to_numpy())
        terms.add(2 * rows + 1, pc_terms["col"], -pc_terms["coef"].to_numpy())
        terms.add(2 * np.arange(n), b.columns.col("eq_hi", items["spread"]), 1.0)
        terms.add(2 * np.arange(n) + 1, b.columns.col("eq_lo", items["spread"]), 1.0)
        lower[0::2] = base
        upper[1::2] = base
    b.add_rows("equity_spread", terms, lower, upper,
                   doc="hi and lo bound the per-capita levels of the covered regions.")
    meaning = items.loc[items.index.repeat(2)].reset_index(drop=True) if n else items
    meaning["rule"] = meaning["spread"].map(spread["rule"]) if n else []
    b.rows["equity_spread"] = _rule_meaning(b, meaning, lower, upper)


def add_equity_gap(b: AllocationModel) -> None:
    """equity_gap: hi - lo - u <= value (max_gap); hi - value * lo - u <= 0 (max_ratio)."""
    spread = b.equity_spread
    terms = Terms()
    upper = np.zeros(len(spread))
    for k, r in spread.iterrows():
        terms.add([k], b.columns.col("eq_hi", [k]), 1.0)
        factor = 1.0 if r["kind"] == "max_gap" else r["value"]
        terms.add([k], b.columns.col("eq_lo", [k]), -factor)
        upper[k] = r["value"] if r["kind"] == "max_gap" else 0.0
        col = _unit_col(b, r["rule_index"])
        if col is not None:
            terms.add([k], [col], -1.0)
    b.add_rows("equity_gap", terms, np.full(len(spread), NONE), upper,
                   doc="The spread of per-capita levels stays within the rule.")
    b.rows["equity_gap"] = _rule_meaning(b, spread[["rule", "kind"]] if len(spread) else spread.assign(rule=[]),
                                         np.full(len(spread), NONE), upper)


def add_equity_share(b: AllocationModel) -> None:
    """equity_share: (sum_{payer in R} y - value * sum y) / B_total + u >= 0 (min), - u <= 0 (max)."""
    rules = b.equity
    shares = rules[rules["kind"].isin(["min_share", "max_share"])] if not rules.empty else rules
    shares = shares.reset_index().rename(columns={"index": "rule_index"})
    flows = b.index.payments
    flows = flows[flows["part"] == BUILD]  # investment: construction, not running costs
    total = float(b.index.budgets["amount"].sum()) or 1.0
    terms = Terms()
    lower = np.full(len(shares), NONE)
    upper = np.full(len(shares), NONE)
    y_cols = b.columns.col("y", flows["y"])
    for k, r in shares.iterrows():
        inside = flows["payer"].isin(r["covered"]).to_numpy()
        coef = (inside.astype(float) - r["value"]) / total
        terms.add(np.full(len(flows), k), y_cols, coef)
        col = _unit_col(b, r["rule_index"])
        minimum = r["kind"] == "min_share"
        if col is not None:
            terms.add([k], [col], 1.0 if minimum else -1.0)
        if minimum:
            lower[k] = 0.0
        else:
            upper[k] = 0.0
    b.add_rows("equity_share", terms, lower, upper,
                   doc="The covered regions' share of own investment over the horizon.")
    b.rows["equity_share"] = _rule_meaning(b, shares[["rule", "kind"]] if len(shares) else shares.assign(rule=[]),
                                           lower, upper)


def add_equity_gini(b: AllocationModel) -> None:
    """equity_gini: d_ij >= +-(pc_i - pc_j); sum p_i p_j d_ij / (P L0) - value * gain / L0 - u <= value."""
    rules = b.equity
    pairs = b.equity_pairs
    gini = rules[rules["kind"] == "gini_cap"] if not rules.empty else rules
    pop = population(b)
    terms = Terms()
    n = len(pairs)
    lower = list(np.full(2 * n, NONE))
    upper = list(np.full(2 * n, NONE))
    meaning = []
    if n:
        ends = []
        for side in ("first", "second"):
            items = pd.DataFrame({"indicator": pairs["rule_index"].map(rules["indicator"]).to_numpy(),
                                  "region": pairs[side].to_numpy(),
                                  "year": pairs["rule_index"].map(rules["year"]).to_numpy()})
            ends.append(per_capita(b, items))
        (t1, b1), (t2, b2) = ends
        d_cols = b.columns.col("eq_d", np.arange(n))
        for offset, sign in ((0, 1.0), (1, -1.0)):
            rows = 2 * np.arange(n) + offset
            terms.add(rows, d_cols, 1.0)
            terms.add(2 * t1["item"].to_numpy() + offset, t1["col"], -sign * t1["coef"].to_numpy())
            terms.add(2 * t2["item"].to_numpy() + offset, t2["col"], sign * t2["coef"].to_numpy())
        difference = b1 - b2
        lower[0::2] = list(difference)
        lower[1::2] = list(-difference)
        meaning += [{"rule": rules.loc[i, "rule"], "first": a, "second": c}
                    for i, a, c in pairs.itertuples(index=False) for _ in range(2)]
    for i, r in gini.iterrows():
        row = len(lower)
        covered = list(r["covered"])
        p = pop.reindex(covered).to_numpy()
        total_pop = p.sum()
        items = pd.DataFrame({"indicator": r["indicator"], "scope": [tuple(covered)], "year": r["year"]})
        level0 = float(b.baseline_levels(items[["indicator", "scope"]])[0])
        scale = level0 if abs(level0) > 1e-12 else 1.0
        mine = pairs[pairs["rule_index"] == i]
        weights = (mine["first"].map(pop).to_numpy() * mine["second"].map(pop).to_numpy()) / (total_pop * scale)
        terms.add(np.full(len(mine), row), b.columns.col("eq_d", mine.index.to_numpy()), weights)
        gain = b.level_terms(items)
        terms.add(np.full(len(gain), row), gain["col"], -r["value"] * gain["coef"].to_numpy() / scale)
        col = _unit_col(b, i)
        if col is not None:
            terms.add([row], [col], -1.0)
        lower.append(NONE)
        upper.append(r["value"] * level0 / scale)
        meaning.append({"rule": r["rule"], "first": None, "second": None})
    b.add_rows("equity_gini", terms, np.array(lower, dtype=float),
                   np.array(upper, dtype=float), doc="The population-weighted Gini stays under its cap.")
    b.rows["equity_gini"] = _rule_meaning(b, pd.DataFrame(meaning, columns=["rule", "first", "second"]),
                                          np.array(lower, dtype=float), np.array(upper, dtype=float))


def add_maxmin_floor(b: AllocationModel) -> None:
    """maxmin_floor: z <= gain_r / pop_r for every populated region (output indicator, last year)."""
    if b.scenario.settings["objective"] != "maxmin":
        b.add_rows("maxmin_floor", Terms(), np.zeros(0), np.zeros(0),
                       doc="z is at most every region's per-capita gain.")
        b.rows["maxmin_floor"] = declare(pd.DataFrame(columns=["region"]), "Regions", [])
        return
    pop = population(b)
    regions = [r for r in b.scenario.regions if pop.get(r, 0.0) > 0]
    items = pd.DataFrame({"indicator": b.scenario.settings["output_indicator"], "region": regions,
                          "year": b.index.last_year})
    pc_terms, _ = per_capita(b, items)
    terms = Terms()
    terms.add(np.arange(len(items)), np.full(len(items), b.columns.col("z", [0])[0]), 1.0)
    terms.add(pc_terms["item"], pc_terms["col"], -pc_terms["coef"].to_numpy())
    b.add_rows("maxmin_floor", terms, np.full(len(items), NONE),
                   np.zeros(len(items)), doc="z is at most every region's per-capita gain.")
    rows = b.scenario.tables["Regions"].set_index("region")["row"]
    b.rows["maxmin_floor"] = declare(items[["region"]], "Regions", items["region"].map(rows))


def _rule_meaning(b: AllocationModel, meaning: pd.DataFrame, lower: np.ndarray, upper: np.ndarray) -> pd.DataFrame:
    """Rows of equity rule ``meaning["rule"]``: a hard rule's rows relax by their bound side."""
    rules = b.equity.set_index("rule") if len(b.equity) else pd.DataFrame(columns=["hard", "row"])
    hard = meaning["rule"].map(rules["hard"]).fillna(False).to_numpy(dtype=bool) if len(meaning) else np.zeros(0, bool)
    relax = np.where(hard, bound_relax(np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)), 0.0)
    return declare(meaning, "Equity", meaning["rule"].map(rules["row"]) if len(meaning) else [],
                   rule_key=[("equity", r) for r in meaning["rule"]], relax=relax)
