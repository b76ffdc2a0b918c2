"""The model under construction: Pyomo model, variables, and what each row means."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.model.index import ModelIndex
from planner.model.rows import Columns, Terms, add_constraint
from planner.scenario import Scenario


@dataclass
class Stage:
    """One objective of the lexicographic sequence, always minimised internally.

    ``sign`` turns the internal (minimised) value into the reported one:
    -1 for maximised objectives such as benefit.
    """

    name: str
    cols: np.ndarray
    coefs: np.ndarray
    sign: float = 1.0
    reported: bool = True  # a hidden tie-break picks among equal plans without a stage of its own


@dataclass
class AllocationModel:
    """State shared by the constraint builders."""

    scenario: Scenario
    index: ModelIndex
    model: pyo.ConcreteModel
    columns: Columns = field(default_factory=Columns)
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    index_balances: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra_exclusions: list[pd.DataFrame] = field(default_factory=list)
    trivially_infeasible: list[str] = field(default_factory=list)
    #: (indicator, region, year, L) of the regional levels that multi-region goals add up (see add_level).
    levels: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: (family, row, miss) of rows that are constant and can never hold (no decision moves them).
    never_true: list[tuple[str, int, float]] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    _extra_levels: pd.DataFrame | None = None
    equity: pd.DataFrame = field(default_factory=pd.DataFrame)
    equity_units: pd.DataFrame = field(default_factory=pd.DataFrame)
    equity_spread: pd.DataFrame = field(default_factory=pd.DataFrame)
    equity_pairs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def add_rows(self, name: str, terms: Terms, lower: np.ndarray, upper: np.ndarray, doc: str) -> None:
        """Constraint family ``name`` (see :func:`planner.model.rows.add_constraint`); rows that are
        constant and can never hold are recorded in ``never_true``."""
        rows, misses = add_constraint(self.model, name, self.columns, terms, lower, upper, doc)
        self.never_true += [(name, int(i), float(m)) for i, m in zip(rows, misses)]

    def level_terms(self, items: pd.DataFrame) -> pd.DataFrame:
        """Terms of level(k, R, t) for each item (indicator, scope tuple, year).

        Returns (item, col, coef) over global columns: impacts of indicator k falling in R
        of projects complete by year t (start s with s + d_p <= t), plus the family
        contributions of :meth:`extra_levels` (cluster synergy, transport pairs).
        """
        scoped = items.reset_index(drop=True).rename_axis("item").reset_index()
        scoped = scoped.explode("scope").rename(columns={"scope": "region"})
        impacts = self.index.impacts
        hits = scoped.merge(impacts[["project", "indicator", "region", "value"]],
                            on=["indicator", "region"])
        per_project = hits.groupby(["item", "project", "year"], as_index=False)["value"].sum()
        terms = per_project.merge(self.index.starts[["project", "start", "duration", "x"]], on="project")
        terms = terms[terms["start"] + terms["duration"] <= terms["year"]]
        terms = pd.DataFrame({"item": terms["item"].to_numpy(),
                              "col": self.columns.col("x", terms["x"]),
                              "coef": terms["value"].to_numpy(dtype=float)})
        extra = self.extra_levels()
        if extra.empty:
            return terms
        more = scoped.merge(extra, on=["indicator", "region", "year"])
        more = more.groupby(["item", "col"], as_index=False)["coef"].sum()
        return pd.concat([terms, more[["item", "col", "coef"]]], ignore_index=True)

    def extra_levels(self) -> pd.DataFrame:
        """(indicator, region, year, col, coef): level contributions of family variables.

        Cluster synergy counts v * w[q,t] in every year the cluster is complete; an
        interacting transport pair adds its correction times v[p,q,t] (both complete).
        """
        if self._extra_levels is not None:
            return self._extra_levels
        investments = self.index.investments
        parts = []
        if investments is not None and not investments.synergy.empty:
            syn = investments.synergy.merge(investments.cluster_years, on="cluster")
            parts.append(pd.DataFrame({"indicator": syn["indicator"], "region": syn["region"],
                                       "year": syn["year"], "col": self.columns.col("w", syn["w"]),
                                       "coef": syn["value"].astype(float)}))
        if investments is not None and not investments.pair_years.empty:
            pair = investments.pair_effects.merge(investments.pair_years, on=["first", "second"])
            parts.append(pd.DataFrame({"indicator": pair["indicator"], "region": pair["region"],
                                       "year": pair["year"], "col": self.columns.col("v", pair["v"]),
                                       "coef": pair["value"].astype(float)}))
        columns = ["indicator", "region", "year", "col", "coef"]
        self._extra_levels = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
        return self._extra_levels

    def baseline_levels(self, items: pd.DataFrame) -> np.ndarray:
        """Sum of Baseline values of indicator k over scope R, per item."""
        scoped = items.reset_index(drop=True).rename_axis("item").reset_index()
        scoped = scoped.explode("scope").rename(columns={"scope": "region"})
        base = scoped.merge(self.index.baseline, on=["indicator", "region"])
        total = base.groupby("item")["value"].sum()
        return total.reindex(range(len(items))).fillna(0.0).to_numpy()
