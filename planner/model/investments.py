"""Index sets of the three investment families: clusters, the network, partners.

Clusters get one completion variable w[q,t] per cluster and year and one
role variable s[q,r,t] per role that still lacks components. Transport
projects get derived impacts on every region (from :mod:`planner.model.network`),
and interacting pairs one variable v[p,q,t] per year. All frames are empty
when the workbook has no such sheets, so a contract-v1 model is unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.model.network import DerivedEffects, Network, Upgrade, derive_effects
from planner.scenario import Scenario

log = logging.getLogger(__name__)

IMPACT_COLUMNS = ["project", "indicator", "region", "value", "row"]


@dataclass
class InvestmentIndex:
    """What the family constraint builders need.

    cluster_roles: (cluster, role, needed k, candidates N, row, s) per role and year still to
        fill; ``s`` numbers the role variables, ``row`` is the Clusters row.
    cluster_members: (cluster, role, project).
    cluster_years: (cluster, year, w, row); ``w`` numbers the completion variables, ``row`` is
        the cluster's first Clusters row.
    synergy: (cluster, indicator, region, value): extra yearly level while complete.
    transport_impacts: derived own effects, shaped like Impacts rows.
    pair_years: (first, second, year, v); ``v`` numbers the pair variables.
    pair_effects: (first, second, indicator, region, value).
    partners: (partner, max_per_year, row) with a limit.
    """

    cluster_roles: pd.DataFrame
    cluster_members: pd.DataFrame
    cluster_years: pd.DataFrame
    synergy: pd.DataFrame
    transport_impacts: pd.DataFrame
    pair_years: pd.DataFrame
    pair_effects: pd.DataFrame
    partners: pd.DataFrame
    network: Network | None = None
    upgrades: list[Upgrade] = field(default_factory=list)
    output_indicator: str | None = None
    accessibility_indicator: str | None = None


def build_investment_index(scenario: Scenario, projects: pd.DataFrame, starts: pd.DataFrame,
                       baseline: pd.DataFrame) -> InvestmentIndex:
    years = scenario.years
    roles, members, cluster_years, synergy = _clusters(scenario, projects, years)
    network, upgrades, effects, out_ind, acc_ind = _transport(scenario, projects, baseline)
    pair_years = _pair_years(effects.pairs, projects, starts, years)
    partners = scenario.tables["Partners"]
    partners = partners[partners["max_per_year"].notna()][["partner", "max_per_year", "row"]]
    transport = effects.own.assign(row=np.nan)[IMPACT_COLUMNS] if not effects.own.empty else \
        pd.DataFrame(columns=IMPACT_COLUMNS)
    return InvestmentIndex(
        cluster_roles=roles, cluster_members=members, cluster_years=cluster_years, synergy=synergy,
        transport_impacts=transport, pair_years=pair_years, pair_effects=effects.pairs,
        partners=partners.reset_index(drop=True), network=network, upgrades=upgrades,
        output_indicator=out_ind, accessibility_indicator=acc_ind,
    )


def _clusters(scenario: Scenario, projects: pd.DataFrame, years: list[int]):
    table = scenario.tables["Clusters"]
    members = projects[projects["cluster"].notna()].rename_axis("project").reset_index()
    members = members[["cluster", "role", "project"]]
    counts = members.groupby(["cluster", "role"]).size().rename("candidates")
    roles = table[["cluster", "role", "min_count", "existing", "row"]].copy()
    roles["needed"] = roles["min_count"].astype(int) - roles["existing"].astype(int)
    roles["candidates"] = (counts.reindex(pd.MultiIndex.from_frame(roles[["cluster", "role"]]))
                           .fillna(0).astype(int).to_numpy())
    roles = roles[roles["needed"] > 0][["cluster", "role", "needed", "candidates", "row"]]
    roles = roles.merge(pd.DataFrame({"year": years}), how="cross").reset_index(drop=True)
    roles["s"] = np.arange(len(roles))
    clusters = table["cluster"].drop_duplicates()
    cluster_years = pd.DataFrame({"cluster": clusters}).merge(pd.DataFrame({"year": years}), how="cross")
    cluster_years["w"] = np.arange(len(cluster_years))
    cluster_years["row"] = cluster_years["cluster"].map(table.groupby("cluster")["row"].first()).to_numpy()
    region_of = table.drop_duplicates("cluster").set_index("cluster")["region"]
    impacts = scenario.tables["Impacts"]
    synergy = impacts[impacts["project"].isin(set(clusters))].rename(columns={"project": "cluster"}).copy()
    synergy["region"] = synergy["region"].where(synergy["region"].notna(),
                                                synergy["cluster"].map(region_of))
    synergy["value"] = synergy["value"].astype(float)
    return roles, members, cluster_years, synergy[["cluster", "indicator", "region", "value"]]


def _transport(scenario: Scenario, projects: pd.DataFrame, baseline: pd.DataFrame):
    links = scenario.tables["Network"]
    empty = DerivedEffects(pd.DataFrame(columns=["project", "region", "indicator", "value"]),
                           pd.DataFrame(columns=["first", "second", "region", "indicator", "value"]))
    builders = projects[(projects["kind"] == "transport") & projects["link"].notna()]
    if links.empty or builders.empty:
        return None, [], empty, None, None
    settings = scenario.settings
    regions = scenario.regions
    population = scenario.tables["Regions"].set_index("region")["population"].reindex(regions)
    network = Network(nodes=regions + list(scenario.tables["Nodes"]["node"]), regions=regions,
                      population=population.fillna(0.0).astype(float).to_numpy(), links=links,
                      decay_function=settings["decay_function"], decay=float(settings["decay"]),
                      elasticity=float(settings["agglomeration_elasticity"]))
    link_time = links.set_index("link")["time"].astype(float)
    upgrades = [Upgrade(p, r.link, float(r.new_time) if pd.notna(r.new_time) else float(link_time[r.link]))
                for p, r in builders.iterrows()]
    declared = set(scenario.tables["Indicators"]["indicator"])
    out_ind = settings["output_indicator"] if settings["output_indicator"] in declared else None
    acc_ind = settings["accessibility_indicator"] if settings["accessibility_indicator"] in declared else None
    base = baseline[baseline["indicator"] == out_ind].groupby("region")["value"].sum()
    baseline_output = base.reindex(regions).fillna(0.0).to_numpy()
    exclusive = {frozenset([p, q]) for p, row in projects.iterrows() for q in (row["excludes"] or ())}
    effects = derive_effects(network, upgrades, baseline_output, acc_ind, out_ind, exclusive)
    return network, upgrades, effects, out_ind, acc_ind


def _pair_years(pairs: pd.DataFrame, projects: pd.DataFrame, starts: pd.DataFrame,
                years: list[int]) -> pd.DataFrame:
    """(first, second, year, v) for the years in which both could be complete."""
    if pairs.empty:
        return pd.DataFrame(columns=["first", "second", "year", "v"])
    unique = pairs[["first", "second"]].drop_duplicates()
    earliest = (starts["start"] + starts["duration"]).groupby(starts["project"]).min()
    unique = unique.assign(from_year=np.maximum(unique["first"].map(earliest).fillna(np.inf),
                                                unique["second"].map(earliest).fillna(np.inf)))
    frame = unique.merge(pd.DataFrame({"year": years}), how="cross")
    frame = frame[frame["year"] >= frame["from_year"]][["first", "second", "year"]]
    frame = frame.reset_index(drop=True)
    frame["v"] = np.arange(len(frame))
    return frame
