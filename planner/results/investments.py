"""Results of the investment families: cluster completion, partner money, network gains.

The transport table compares the model's figure (own effects plus pairwise
corrections) with the true network: all upgrades complete in a year evaluated
together, year by year. The two agree exactly for one or two upgrades.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.model import AllocationModel
from planner.model.index import BUILD
from planner.model.network import true_effects


def cluster_table(model: AllocationModel, values: np.ndarray) -> pd.DataFrame:
    """Each cluster: region and the first year it is complete (None = never in the horizon)."""
    investments = model.index.investments
    if investments is None or investments.cluster_years.empty:
        return pd.DataFrame()
    cluster_years = investments.cluster_years
    years = cluster_years.assign(complete=values[model.columns.col("w", cluster_years["w"])] > 0.5)
    first = years[years["complete"]].groupby("cluster")["year"].min()
    region = model.scenario.tables["Clusters"].drop_duplicates("cluster").set_index("cluster")["region"]
    clusters = years["cluster"].drop_duplicates()
    return pd.DataFrame({"cluster": clusters.to_numpy(), "region": clusters.map(region).to_numpy(),
                         "complete_from": [None if pd.isna(first.get(c)) else int(first[c]) for c in clusters]})


def partner_table(costs: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Money each partner commits per year inside the horizon: its part of the plan's construction payments
    (share x partner_share x cost / duration while active, or as the cost profile says; nominal)."""
    if costs.empty:
        return pd.DataFrame()
    rows = costs[(costs["part"] == BUILD) & costs["project"].map(projects["partner"]).notna()]
    if rows.empty:
        return pd.DataFrame()
    table = pd.DataFrame({"partner": rows["project"].map(projects["partner"]).to_numpy(),
                          "year": rows["year"].to_numpy(), "amount": rows["partner"].to_numpy()})
    return table.groupby(["partner", "year"], as_index=False)["amount"].sum()


def transport_table(model: AllocationModel, shares: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Per region, indicator and year: model figure, true network figure, difference."""
    investments = model.index.investments
    if investments is None or investments.network is None:
        return pd.DataFrame()
    network = investments.network
    upgrades = {u.project: u for u in investments.upgrades}
    chosen = shares[shares["project"].isin(list(upgrades))]
    base = model.index.baseline
    output = base[base["indicator"] == investments.output_indicator].groupby("region")["value"].sum()
    baseline_output = output.reindex(network.regions).fillna(0.0).to_numpy()
    own = investments.transport_impacts
    extra = model.extra_levels()
    pair_cols = set(model.columns.col("v", investments.pair_years["v"])) if len(investments.pair_years) else set()
    pair_extra = extra[extra["col"].isin(pair_cols)] if not extra.empty else extra
    rows = []
    for year in model.index.years:
        complete = chosen[chosen["start"] + chosen["duration"] <= year]
        truth = true_effects(network, [upgrades[p] for p in complete["project"]], baseline_output)
        for indicator, what in ((investments.accessibility_indicator, "accessibility"),
                                (investments.output_indicator, "output")):
            if not indicator:
                continue
            mine = own[(own["indicator"] == indicator) & own["project"].isin(complete["project"])]
            figure = mine.groupby("region")["value"].sum().reindex(network.regions).fillna(0.0).to_numpy()
            if not pair_extra.empty:
                pe = pair_extra[(pair_extra["indicator"] == indicator) & (pair_extra["year"] == year)]
                gain = pe["coef"].to_numpy(dtype=float) * values[pe["col"].to_numpy(dtype=np.int64)]
                figure = figure + pd.Series(gain).groupby(pe["region"].to_numpy()).sum().reindex(
                    network.regions).fillna(0.0).to_numpy()
            rows.append(pd.DataFrame({"region": network.regions, "indicator": indicator, "year": year,
                                      "model": figure, "true": truth[what],
                                      "difference": figure - truth[what]}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
