"""Constraint families of the three investment families, one function each.

Same conventions as :mod:`planner.model.constraints`: ``add_<id>`` adds the
Pyomo component ``<id>`` documented in models/families.md and records what its
rows mean in ``b.rows[<id>]``. Each adds an empty component when the workbook
has nothing of its family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.model.build import AllocationModel
from planner.model.rows import NONE, Terms, declare


def _completion_terms(b: AllocationModel, targets: pd.DataFrame, key: str) -> pd.DataFrame:
    """For rows (project, year, <key>): the x columns with s + d_p <= year (z_{p,year})."""
    starts = b.index.starts[["project", "start", "duration", "x"]]
    terms = targets.merge(starts, on="project")
    terms = terms[terms["start"] + terms["duration"] <= terms["year"]]
    return terms[[key, "x"]]


def add_partner_cap(b: AllocationModel) -> None:
    """partner_cap: sum_{p with partner c} sum_s pi_p * cost_p * w_{p,t-s} * eta_t * x[p,s] <= max_per_year_c."""
    projects = b.index.projects
    partners = b.index.investments.partners if b.index.investments else pd.DataFrame()
    funded = projects[projects["partner"].notna() & (projects["partner_share"] > 0)]
    funded = funded[funded["partner"].isin(partners.get("partner", pd.Series(dtype=object)))]
    meaning = pd.DataFrame(columns=["partner", "year", "cap", "row"])
    terms = Terms()
    if not funded.empty:
        meaning = partners.merge(pd.DataFrame({"year": b.index.years}), how="cross")
        meaning = meaning.rename(columns={"max_per_year": "cap"}).reset_index(drop=True)
        key = pd.MultiIndex.from_frame(meaning[["partner", "year"]])
        paid = b.index.schedule
        paid = paid[paid["project"].isin(funded.index) & (paid["partner"] > 0)]
        rows = key.get_indexer(pd.MultiIndex.from_arrays([paid["project"].map(funded["partner"]), paid["year"]]))
        terms.add(rows, b.columns.col("x", paid["x"]), paid["partner"].to_numpy(dtype=float))
    b.add_rows("partner_cap", terms, np.full(len(meaning), NONE),
                   meaning["cap"].to_numpy(dtype=float),
                   doc="A partner's yearly payments stay within what it can put in.")
    b.rows["partner_cap"] = declare(
        meaning, "Partners", meaning["row"],
        rule_key=[("partner_cap", c, int(y)) for c, y in zip(meaning["partner"], meaning["year"])], relax=-1.0)


def add_cluster_role(b: AllocationModel) -> None:
    """cluster_role: k s <= n and (N - k + 1) s - n >= 1 - k, n = complete components of the role.

    s[q,r,t] = 1 exactly when the role has enough complete components (n >= k, k = min_count
    - existing, N = candidate projects), for integer n.
    """
    investments = b.index.investments
    roles = investments.cluster_roles if investments else pd.DataFrame()
    terms = Terms()
    n = len(roles)
    if n:
        members = investments.cluster_members
        targets = roles.merge(members, on=["cluster", "role"])
        components = _completion_terms(b, targets, "s")
        # Row 2i: k s - n <= 0; row 2i+1: (N - k + 1) s - n >= 1 - k.
        s_cols = b.columns.col("s", roles["s"])
        k = roles["needed"].to_numpy(dtype=float)
        big = roles["candidates"].to_numpy(dtype=float) - k + 1
        terms.add(2 * roles["s"].to_numpy(), s_cols, k)
        terms.add(2 * roles["s"].to_numpy() + 1, s_cols, big)
        for offset in (0, 1):
            terms.add(2 * components["s"].to_numpy() + offset, b.columns.col("x", components["x"]), -1.0)
    lower = np.full(2 * n, NONE)
    upper = np.full(2 * n, NONE)
    if n:
        upper[0::2] = 0.0
        lower[1::2] = 1.0 - roles["needed"].to_numpy(dtype=float)
    b.add_rows("cluster_role", terms, lower, upper,
                   doc="A role counts as filled exactly when enough of its components are complete.")
    meaning = roles.loc[roles.index.repeat(2)].reset_index(drop=True) if n else roles
    b.rows["cluster_role"] = declare(meaning, "Clusters", meaning["row"] if n else [])


def add_cluster_complete(b: AllocationModel) -> None:
    """cluster_complete: w[q,t] <= s[q,r,t] for each role; w[q,t] >= sum_r s[q,r,t] - (R_q - 1)."""
    investments = b.index.investments
    cluster_years = investments.cluster_years if investments else pd.DataFrame()
    terms = Terms()
    rows_meaning = []
    lower: list[float] = []
    upper: list[float] = []
    if len(cluster_years):
        roles = investments.cluster_roles.merge(cluster_years, on=["cluster", "year"])
        count = roles.groupby(["cluster", "year"]).size()
        # Rows 0..len(roles)-1: w - s <= 0.
        n_roles = len(roles)
        terms.add(np.arange(n_roles), b.columns.col("w", roles["w"]), 1.0)
        terms.add(np.arange(n_roles), b.columns.col("s", roles["s"]), -1.0)
        lower += [NONE] * n_roles
        upper += [0.0] * n_roles
        rows_meaning.append(roles[["cluster", "role", "year", "row_x"]].rename(columns={"row_x": "row"}))
        # Then one row per (cluster, year): w - sum_r s >= 1 - R.
        base = n_roles
        cy = cluster_years.reset_index(drop=True)
        terms.add(base + np.arange(len(cy)), b.columns.col("w", cy["w"]), 1.0)
        position = pd.Series(base + np.arange(len(cy)), index=pd.MultiIndex.from_frame(cy[["cluster", "year"]]))
        role_rows = position.reindex(pd.MultiIndex.from_frame(roles[["cluster", "year"]])).to_numpy()
        terms.add(role_rows, b.columns.col("s", roles["s"]), -1.0)
        r_count = count.reindex(pd.MultiIndex.from_frame(cy[["cluster", "year"]])).fillna(0).to_numpy()
        lower += list(1.0 - r_count)
        upper += [NONE] * len(cy)
        rows_meaning.append(cy[["cluster", "year", "row"]].assign(role=None))
    b.add_rows("cluster_complete", terms, np.array(lower, dtype=float),
                   np.array(upper, dtype=float),
                   doc="A cluster is complete exactly when every role is filled.")
    meaning = (pd.concat(rows_meaning, ignore_index=True) if rows_meaning
               else pd.DataFrame(columns=["cluster", "role", "year", "row"]))
    b.rows["cluster_complete"] = declare(meaning, "Clusters", meaning["row"])


def add_transport_pair(b: AllocationModel) -> None:
    """transport_pair: v <= z_p,t; v <= z_q,t; v >= z_p,t + z_q,t - 1 (v = both complete)."""
    investments = b.index.investments
    pairs = investments.pair_years if investments else pd.DataFrame()
    n = len(pairs)
    terms = Terms()
    if n:
        v_cols = b.columns.col("v", pairs["v"])
        index = np.arange(n)
        for block in range(3):
            terms.add(3 * index + block, v_cols, 1.0)
        for block, side in ((0, "first"), (1, "second")):
            targets = pairs.rename(columns={side: "project"})[["project", "year", "v"]]
            comp = _completion_terms(b, targets, "v")
            terms.add(3 * comp["v"].to_numpy() + block, b.columns.col("x", comp["x"]), -1.0)
            terms.add(3 * comp["v"].to_numpy() + 2, b.columns.col("x", comp["x"]), -1.0)
    lower = np.full(3 * n, NONE)
    upper = np.full(3 * n, NONE)
    upper[0::3] = 0.0
    upper[1::3] = 0.0
    lower[2::3] = -1.0
    b.add_rows("transport_pair", terms, lower, upper,
                   doc="v[p,q,t] is 1 exactly when both transport projects are complete in t.")
    meaning = pairs.loc[pairs.index.repeat(3)].reset_index(drop=True) if n else pairs
    b.rows["transport_pair"] = declare(meaning, "Projects", meaning["first"].map(b.index.projects["row"]) if n else [])
