"""The model under construction: Pyomo model, variables, and what each row means."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from planner.formulation.index import ModelIndex
from planner.formulation.rows import Columns
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
class Build:
    """State shared by the constraint builders."""

    scenario: Scenario
    index: ModelIndex
    model: pyo.ConcreteModel
    columns: Columns = field(default_factory=Columns)
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    index_balances: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra_exclusions: list[pd.DataFrame] = field(default_factory=list)
    trivially_infeasible: list[str] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)

    def level_terms(self, items: pd.DataFrame) -> pd.DataFrame:
        """Terms of level(k, R, t) for each item (indicator, scope tuple, year).

        Returns (item, x, coef): the coefficient of start variable x in item's level,
        i.e. the impacts of indicator k falling in R of projects complete by year t
        (start s with s + d_p <= t).
        """
        scoped = items.reset_index(drop=True).rename_axis("item").reset_index()
        scoped = scoped.explode("scope").rename(columns={"scope": "region"})
        impacts = self.index.impacts
        hits = scoped.merge(impacts[["project", "indicator", "region", "value"]],
                            on=["indicator", "region"])
        per_project = hits.groupby(["item", "project", "year"], as_index=False)["value"].sum()
        terms = per_project.merge(self.index.starts[["project", "start", "duration", "x"]], on="project")
        terms = terms[terms["start"] + terms["duration"] <= terms["year"]]
        return terms.rename(columns={"value": "coef"})[["item", "x", "coef"]]

    def baseline_levels(self, items: pd.DataFrame) -> np.ndarray:
        """Sum of Baseline values of indicator k over scope R, per item."""
        scoped = items.reset_index(drop=True).rename_axis("item").reset_index()
        scoped = scoped.explode("scope").rename(columns={"scope": "region"})
        base = scoped.merge(self.index.baseline, on=["indicator", "region"])
        total = base.groupby("item")["value"].sum()
        return total.reindex(range(len(items))).fillna(0.0).to_numpy()
