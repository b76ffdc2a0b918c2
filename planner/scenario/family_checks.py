"""Rules of the three investment families: clusters, the network, partners and joint projects."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from planner.errors import Problem
from planner.scenario.checks import Tables, _ids, _records, _unknown
from planner.scenario.tables import ROW


def check_families(tables: Tables, settings: dict[str, Any]) -> list[Problem]:
    """Every family rule; each is silent when its sheets and columns are absent."""
    return (check_clusters(tables) + check_network(tables, settings) + check_partners(tables)
            + check_cost_shares(tables) + check_equity(tables, settings))


def check_clusters(tables: Tables) -> list[Problem]:
    """Known regions, one region per cluster, project roles that exist, roles that can be filled."""
    clusters = tables["Clusters"]
    projects = tables["Projects"]
    regions = _ids(tables, "Regions", "region")
    project_ids = _ids(tables, "Projects", "project")
    problems: list[Problem] = []
    region_of: dict[str, tuple[str, int]] = {}
    roles: dict[str, set[str]] = {}
    for r in _records(clusters):
        if r["cluster"] is None:
            continue
        if r["cluster"] in project_ids:
            problems.append(Problem("error", "Clusters", r[ROW], "cluster",
                                    "cluster id is also a project id; Impacts rows could not tell them apart",
                                    r["cluster"]))
        if r["region"] is not None and r["region"] not in regions:
            problems.append(_unknown("Clusters", r[ROW], "region", "region", r["region"], regions))
        first = region_of.setdefault(r["cluster"], (r["region"], r[ROW]))
        if first[0] != r["region"]:
            problems.append(Problem("error", "Clusters", r[ROW], "region",
                                    f"cluster {r['cluster']} is in {first[0]} on row {first[1]}; "
                                    "a cluster has one region", r["region"]))
        roles.setdefault(r["cluster"], set()).add(r["role"])
    candidates: Counter = Counter()
    for r in _records(projects):
        cluster, role = r.get("cluster"), r.get("role")
        if cluster is None and role is None:
            continue
        if cluster is None:
            problems.append(Problem("error", "Projects", r[ROW], "cluster",
                                    "a project with a role needs a cluster", role))
            continue
        if cluster not in roles:
            problems.append(_unknown("Projects", r[ROW], "cluster", "cluster", cluster, roles))
            continue
        if role is None or role not in roles[cluster]:
            problems.append(Problem("error", "Projects", r[ROW], "role",
                                    f"unknown role for cluster {cluster} (roles: "
                                    f"{', '.join(sorted(roles[cluster]))})", role or "blank"))
            continue
        candidates[(cluster, role)] += 1
        if r["divisible"]:
            problems.append(Problem("error", "Projects", r[ROW], "divisible",
                                    "a cluster component is there or not; it cannot be divisible",
                                    r["project"]))
        if r["region"] is not None and r["region"] != region_of[cluster][0]:
            problems.append(Problem("warning", "Projects", r[ROW], "region",
                                    f"project is in another region than its cluster {cluster} "
                                    f"({region_of[cluster][0]})", r["region"]))
    for r in _records(clusters):
        if r["cluster"] is None or r["min_count"] is None or r["existing"] is None:
            continue
        needed = r["min_count"] - r["existing"]
        available = candidates[(r["cluster"], r["role"])]
        if needed > available:
            problems.append(Problem("error", "Clusters", r[ROW], "role",
                                    f"role nobody can fill: cluster {r['cluster']} needs {needed} more "
                                    f"component(s) of this role but {available} project(s) offer it",
                                    r["role"]))
    return problems


def check_network(tables: Tables, settings: dict[str, Any]) -> list[Problem]:
    """Known endpoints, links on transport projects, new times that are faster, reachable regions."""
    network = tables["Network"]
    regions = _ids(tables, "Regions", "region")
    nodes = _ids(tables, "Nodes", "node")
    problems: list[Problem] = []
    for r in _records(tables["Nodes"]):
        if r["node"] in regions:
            problems.append(Problem("error", "Nodes", r[ROW], "node", "node id is also a region id",
                                    r["node"]))
    for r in _records(network):
        for end in ("from", "to"):
            if r[end] is not None and r[end] not in regions | nodes:
                problems.append(_unknown("Network", r[ROW], end, "region or node", r[end], regions | nodes))
        if r["from"] is not None and r["from"] == r["to"]:
            problems.append(Problem("error", "Network", r[ROW], "to", "link joins a node to itself",
                                    r["to"]))
    links = {r["link"]: r for r in _records(network) if r["link"] is not None}
    has_network = not network.empty
    for r in _records(tables["Projects"]):
        link = r.get("link")
        if link is None:
            if r["kind"] == "transport" and has_network:
                problems.append(Problem("warning", "Projects", r[ROW], "link",
                                        "transport project without a link: no network effect is derived",
                                        r["project"]))
            if r.get("new_time") is not None:
                problems.append(Problem("error", "Projects", r[ROW], "new_time",
                                        "new_time needs a link", r["new_time"]))
            continue
        if link not in links:
            problems.append(_unknown("Projects", r[ROW], "link", "link", link, links))
            continue
        if r["kind"] != "transport":
            problems.append(Problem("error", "Projects", r[ROW], "link",
                                    f"only transport projects build links (kind is {r['kind']})", link))
        if r["divisible"]:
            problems.append(Problem("error", "Projects", r[ROW], "divisible",
                                    "a link upgrade is there or not; it cannot be divisible", r["project"]))
        current = links[link]["time"]
        if r.get("new_time") is None and links[link]["existing"]:
            problems.append(Problem("warning", "Projects", r[ROW], "new_time",
                                    f"upgrade of existing link {link} without a new_time changes "
                                    "nothing", "blank"))
        elif (r.get("new_time") is not None and current is not None and links[link]["existing"]
              and r["new_time"] > current):
            problems.append(Problem("warning", "Projects", r[ROW], "new_time",
                                    f"new_time is slower than the link's current time {current:g}",
                                    r["new_time"]))
    if has_network and not any(p.severity == "error" and p.sheet in ("Network", "Nodes") for p in problems):
        problems += _unreachable(tables)
    return problems


def _unreachable(tables: Tables) -> list[Problem]:
    """Regions that no other region can reach over existing links (they gain no accessibility)."""
    regions = list(tables["Regions"]["region"])
    if len(regions) < 2:
        return []
    nodes = {n: i for i, n in enumerate(regions + list(tables["Nodes"]["node"]))}
    links = tables["Network"]
    existing = links[links["existing"].astype(bool)]
    ends = [(nodes[a], nodes[b]) for a, b in zip(existing["from"], existing["to"]) if a in nodes and b in nodes]
    graph = coo_matrix((np.ones(len(ends)), ([a for a, _ in ends], [b for _, b in ends])),
                       shape=(len(nodes), len(nodes)))
    _, component = connected_components(graph, directed=False)
    per_component = Counter(component[: len(regions)])
    rows = dict(zip(tables["Regions"]["region"], tables["Regions"][ROW]))
    return [Problem("warning", "Regions", int(rows[r]), "region",
                    "no existing link reaches this region; it gains no accessibility until one is built", r)
            for i, r in enumerate(regions) if per_component[component[i]] == 1]


def check_partners(tables: Tables) -> list[Problem]:
    """Known partners, a partner for every partner share, partners that border the host region."""
    partners = _ids(tables, "Partners", "partner")
    borders = {r["region"]: set(r["borders"] or ()) for r in _records(tables["Regions"])}
    problems: list[Problem] = []
    for r in _records(tables["Regions"]):
        for partner in r["borders"] or ():
            if partner not in partners:
                problems.append(Problem("warning", "Regions", r[ROW], "borders",
                                        "partner not listed on the Partners sheet", partner))
    for r in _records(tables["Projects"]):
        partner, share = r.get("partner"), r.get("partner_share")
        if partner is None:
            if share:
                problems.append(Problem("error", "Projects", r[ROW], "partner_share",
                                        "a partner share needs a partner", share))
            continue
        if partner not in partners:
            problems.append(_unknown("Projects", r[ROW], "partner", "partner", partner, partners))
        elif r["region"] in borders and partner not in borders[r["region"]]:
            problems.append(Problem("error", "Projects", r[ROW], "partner",
                                    f"project {r['project']} is hosted in {r['region']}, which does not "
                                    f"border partner {partner} (Regions.borders)", partner))
    return problems


def check_cost_shares(tables: Tables) -> list[Problem]:
    """Known projects and regions, shares that sum to 1 per project."""
    shares = tables["CostShares"]
    projects = _ids(tables, "Projects", "project")
    regions = _ids(tables, "Regions", "region")
    problems: list[Problem] = []
    totals: dict[str, list] = {}
    for r in _records(shares):
        if r["project"] is not None and r["project"] not in projects:
            problems.append(_unknown("CostShares", r[ROW], "project", "project", r["project"], projects))
        if r["region"] is not None and r["region"] not in regions:
            problems.append(_unknown("CostShares", r[ROW], "region", "region", r["region"], regions))
        if r["project"] is not None and r["share"] is not None:
            totals.setdefault(r["project"], [0.0, r[ROW]])[0] += r["share"]
    for project, (total, row) in totals.items():
        if abs(total - 1.0) > 1e-6:
            problems.append(Problem("error", "CostShares", row, "share",
                                    f"shares of project {project} sum to {total:g}, not 1", total))
    return problems


def check_equity(tables: Tables, settings: dict[str, Any]) -> list[Problem]:
    """Known indicators and regions, populations for per-capita rules, sensible bounds."""
    indicators = _ids(tables, "Indicators", "indicator")
    regions = tables["Regions"]
    groups: dict[str, list[str]] = {}
    for region, group in zip(regions["region"], regions["group"]):
        if group is not None:
            groups.setdefault(group, []).append(region)
    population = dict(zip(regions["region"], regions["population"]))
    start, horizon = settings.get("start_year"), settings.get("horizon")
    problems: list[Problem] = []
    for r in _records(tables["Equity"]):
        kind, row = r["kind"], r[ROW]
        per_capita = kind in ("per_capita_floor", "max_gap", "max_ratio", "gini_cap")
        if per_capita and r["indicator"] is None:
            problems.append(Problem("error", "Equity", row, "indicator", f"a {kind} rule needs an indicator"))
        elif r["indicator"] is not None and r["indicator"] not in indicators:
            problems.append(_unknown("Equity", row, "indicator", "indicator", r["indicator"], indicators))
        covered: list[str] = []
        for item in r["regions"] or ():
            if item in population:
                covered.append(item)
            elif item in groups:
                covered += groups[item]
            else:
                problems.append(_unknown("Equity", row, "regions", "region or group", item,
                                         set(population) | set(groups)))
        covered = covered or list(population)
        if per_capita:
            for region in covered:
                if not population.get(region):
                    problems.append(Problem("error", "Equity", row, "regions",
                                            f"per-capita rule covers region {region}, which has no population",
                                            region))
        value = r["value"]
        if value is not None:
            if kind == "max_ratio" and value < 1:
                problems.append(Problem("error", "Equity", row, "value",
                                        "a max_ratio below 1 can never hold (highest >= lowest)", value))
            if kind in ("min_share", "max_share", "gini_cap") and value > 1:
                problems.append(Problem("error", "Equity", row, "value", f"a {kind} is a share: at most 1",
                                        value))
        if kind in ("min_share", "max_share") and not r["regions"]:
            problems.append(Problem("warning", "Equity", row, "regions",
                                    "a share rule over all regions always has share 1"))
        if (r["year"] is not None and isinstance(start, int) and isinstance(horizon, int)
                and not start <= r["year"] < start + horizon):
            problems.append(Problem("error", "Equity", row, "year",
                                    f"year outside the horizon {start}-{start + horizon - 1}", r["year"]))
    return problems
