"""Space compression: accessibility of regions through the transport network.

Accessibility of region i for a set U of complete link projects is
A_i(U) = sum_{j != i} population_j * f(shortest time_ij under U), with
f(t) = t**-alpha (power decay) or exp(-beta * t) (exponential decay); pairs with
no path contribute 0. Each transport project p yields, for every region i,

* an accessibility impact A_i({p}) - A_i(empty),
* an output impact Baseline_i(output) * ((A_i({p}) / A_i(empty)) ** epsilon - 1),

and each pair (p, q) whose joint effect differs from the sum of their own
effects by more than 1% on either indicator gets an exact pairwise correction of
every indicator it affects. Shortest paths are
computed once per distinct upgrade set (scipy's Dijkstra on a dense matrix;
14 regions x 40 links x 30 upgrades takes a few milliseconds) and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import shortest_path

#: Pairs whose interaction is smaller than this share of the larger own effect are ignored.
INTERACTION_THRESHOLD = 0.01


@dataclass(frozen=True)
class Upgrade:
    """A transport project: the link it builds or speeds up and the time once complete."""

    project: str
    link: str
    new_time: float


@dataclass
class Network:
    """Nodes (regions first, then junctions), links and the decay and elasticity settings."""

    nodes: list[str]
    regions: list[str]
    population: np.ndarray               # per region (same order as ``regions``)
    links: pd.DataFrame                  # link, from, to, time, existing
    decay_function: str = "power"
    decay: float = 1.0
    elasticity: float = 0.04
    _cache: dict = field(default_factory=dict, repr=False)

    def times(self, upgrades: frozenset[Upgrade]) -> np.ndarray:
        """Shortest travel times between regions (inf where no path) with ``upgrades`` complete."""
        if upgrades in self._cache:
            return self._cache[upgrades]
        position = {n: i for i, n in enumerate(self.nodes)}
        time = dict(zip(self.links["link"], self.links["time"].astype(float)))
        exists = dict(zip(self.links["link"], self.links["existing"].astype(bool)))
        for u in upgrades:
            time[u.link] = min(time[u.link], u.new_time) if exists[u.link] else u.new_time
            exists[u.link] = True
        n = len(self.nodes)
        graph = np.full((n, n), np.inf)
        for link, a, b in zip(self.links["link"], self.links["from"], self.links["to"]):
            if exists[link]:
                i, j = position[a], position[b]
                graph[i, j] = graph[j, i] = min(graph[i, j], time[link])
        dense = np.where(np.isinf(graph), 0.0, graph)
        result = shortest_path(dense, method="D", directed=False)
        k = len(self.regions)
        self._cache[upgrades] = result[:k, :k]
        return self._cache[upgrades]

    def decay_of(self, t: np.ndarray) -> np.ndarray:
        """f(t); zero where there is no path."""
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if self.decay_function == "exponential":
                f = np.exp(-self.decay * t)
            else:
                f = np.power(t, -self.decay)
        f = np.where(np.isfinite(t) & (t > 0), f, 0.0)
        return f

    def accessibility(self, upgrades: frozenset[Upgrade] = frozenset()) -> np.ndarray:
        """A_i(U) for every region i."""
        f = self.decay_of(self.times(upgrades))
        np.fill_diagonal(f, 0.0)
        return f @ self.population

    def output_change(self, baseline_output: np.ndarray, upgrades: frozenset[Upgrade]) -> np.ndarray:
        """Baseline_i * ((A_i(U) / A_i(empty)) ** epsilon - 1); 0 where A_i(empty) = 0."""
        base = self.accessibility()
        new = self.accessibility(upgrades)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(base > 0, new / np.where(base > 0, base, 1.0), 1.0)
        return baseline_output * (np.power(ratio, self.elasticity) - 1.0)

    def unreachable_regions(self) -> list[str]:
        """Regions that no other region can reach on the existing network."""
        t = self.times(frozenset())
        reach = np.isfinite(t)
        np.fill_diagonal(reach, False)
        return [r for r, row in zip(self.regions, reach) if not row.any()] if len(self.regions) > 1 else []


@dataclass
class DerivedEffects:
    """Per-region effects of transport projects on accessibility and output.

    own: (project, region, indicator, value) — the effect of each project alone.
    pairs: (first, second, region, indicator, value) — joint minus the sum of own effects,
        kept only for pairs above the interaction threshold.
    """

    own: pd.DataFrame
    pairs: pd.DataFrame


def derive_effects(network: Network, upgrades: list[Upgrade], baseline_output: np.ndarray,
                   accessibility_indicator: str | None, output_indicator: str | None,
                   exclusive: set[frozenset[str]] | None = None) -> DerivedEffects:
    """Own and pairwise effects of every transport project on every region."""
    exclusive = exclusive or set()
    indicators = [(accessibility_indicator, "accessibility"), (output_indicator, "output")]
    indicators = [(name, what) for name, what in indicators if name]

    def effect(upgrade_set: frozenset[Upgrade]) -> dict[str, np.ndarray]:
        base = network.accessibility()
        return {
            "accessibility": network.accessibility(upgrade_set) - base,
            "output": network.output_change(baseline_output, upgrade_set),
        }

    own_rows, own = [], {}
    for u in upgrades:
        own[u.project] = effect(frozenset([u]))
        for name, what in indicators:
            own_rows.append(pd.DataFrame({"project": u.project, "region": network.regions,
                                          "indicator": name, "value": own[u.project][what]}))
    pair_rows = []
    for a, b in combinations(upgrades, 2):
        if a.link == b.link or frozenset([a.project, b.project]) in exclusive:
            continue
        joint = effect(frozenset([a, b]))
        corrections = {what: joint[what] - own[a.project][what] - own[b.project][what] for _, what in indicators}
        if not any(_interacts(corrections[what], own[a.project][what], own[b.project][what])
                   for _, what in indicators):
            continue
        # A kept pair corrects every indicator it affects (one variable per pair and year).
        for name, what in indicators:
            pair_rows.append(pd.DataFrame({"first": a.project, "second": b.project, "region": network.regions,
                                           "indicator": name, "value": corrections[what]}))
    own_frame = (pd.concat(own_rows, ignore_index=True) if own_rows else
                 pd.DataFrame(columns=["project", "region", "indicator", "value"]))
    pairs = (pd.concat(pair_rows, ignore_index=True) if pair_rows else
             pd.DataFrame(columns=["first", "second", "region", "indicator", "value"]))
    own_frame = own_frame[own_frame["value"].abs() > 1e-12].reset_index(drop=True)
    pairs = pairs[pairs["value"].abs() > 1e-12].reset_index(drop=True)
    return DerivedEffects(own=own_frame, pairs=pairs)


def _interacts(correction: np.ndarray, own_a: np.ndarray, own_b: np.ndarray) -> bool:
    """Whether a pair's joint effect differs from the sum of its own effects by more than
    INTERACTION_THRESHOLD of the larger own effect (summed over regions) on this indicator."""
    size = np.abs(correction).sum()
    return bool(size > INTERACTION_THRESHOLD * max(np.abs(own_a).sum(), np.abs(own_b).sum()) and size > 1e-12)


def true_effects(network: Network, upgrades: list[Upgrade], baseline_output: np.ndarray) -> dict[str, np.ndarray]:
    """Accessibility and output change per region with all ``upgrades`` complete together."""
    upgrade_set = frozenset(upgrades)
    return {
        "accessibility": network.accessibility(upgrade_set) - network.accessibility(),
        "output": network.output_change(baseline_output, upgrade_set),
    }


__all__ = ["DerivedEffects", "Network", "Upgrade", "derive_effects", "true_effects"]
