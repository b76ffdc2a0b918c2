"""Goal levels and benefit as linear functions of the level parameters (models/robust.md, section 1).

The model's goal rows and benefit stage are sums of parameter x decision: an Impacts row of
project p counts on x[p,s] for every start s complete by the goal's year, a synergy row on
w[q,t], a pair correction on v[p,q,t]. :class:`Outcomes` keeps every such term with the
parameter it multiplies, so that the coefficients of any sample are ``weight x theta``
summed per (row, column): exactly :meth:`AllocationModel.level_terms` and
:func:`planner.model.objectives.benefit_terms` at the point estimates (a test checks it),
and any other values of the parameters without rebuilding the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from planner.advice.robust.sampling import Parameters
from planner.model import AllocationModel


@dataclass
class Entries:
    """Unique (row, column) entries fed by parameters: ``rows``, ``cols`` (global columns) and the
    sparse map ``weights`` (parameters x entries): the entries' coefficients are ``theta @ weights``."""

    rows: np.ndarray
    cols: np.ndarray
    weights: sp.csc_matrix

    def coefficients(self, theta: np.ndarray) -> np.ndarray:
        """Coefficients of every entry for one sample (a vector) or many (samples x entries)."""
        out = np.asarray(self.weights.T @ np.atleast_2d(theta).T).T
        return out if np.ndim(theta) == 2 else out[0]

    def varying(self, varies: np.ndarray) -> np.ndarray:
        """Entries that depend on a parameter that varies."""
        hit = self.weights[np.flatnonzero(varies)]
        return np.asarray(hit.getnnz(axis=0) > 0).ravel() if hit.shape[0] else np.zeros(len(self.rows), bool)


def _entries(rows: np.ndarray, cols: np.ndarray, params: np.ndarray, weights: np.ndarray, count: int) -> Entries:
    frame = pd.DataFrame({"row": rows, "col": cols})
    key = frame.groupby(["row", "col"], sort=True).ngroup().to_numpy()
    unique = frame.drop_duplicates().sort_values(["row", "col"]).reset_index(drop=True)
    matrix = sp.csc_matrix((weights, (params, key)), shape=(count, len(unique)))
    return Entries(unique["row"].to_numpy(dtype=np.int64), unique["col"].to_numpy(dtype=np.int64), matrix)


@dataclass
class Outcomes:
    """The sample-dependent part of the model.

    goals: entries (goal position in ``model.index.goals``, column) of the goal rows.
    benefit: entries (0, column) of discounted benefit (the benefit stage, sign +).
    base: each goal's baseline level (its level without projects).
    levels: entries (level position in ``model.levels``, column) of the regional gains L[k,r,t] that
        the goal rows over several regions count (the model's ``level`` rows hold them, negated).
    """

    goals: Entries
    benefit: Entries
    base: np.ndarray
    levels: Entries

    def goal_levels(self, theta: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Level of every goal for a plan (global column ``values``) in each sample (samples x goals)."""
        coefs = self.goals.coefficients(np.atleast_2d(theta)) * values[self.goals.cols][None, :]
        gained = np.zeros((coefs.shape[0], len(self.base)))
        np.add.at(gained.T, self.goals.rows, coefs.T)
        return self.base[None, :] + gained

    def benefit_values(self, theta: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Discounted benefit of a plan in each sample."""
        return self.benefit.coefficients(np.atleast_2d(theta)) @ values[self.benefit.cols]


def outcomes(model: AllocationModel, params: Parameters) -> Outcomes:
    """The goal and benefit terms of ``model`` over the parameters of ``params``."""
    goals = model.index.goals
    items = goals[["indicator", "scope", "year"]].reset_index(drop=True).rename_axis("item").reset_index()
    scoped = items.explode("scope").rename(columns={"scope": "region"})
    base = model.baseline_levels(goals[["indicator", "scope"]]) if len(goals) else np.zeros(0)
    levels = model.levels.rename(columns={"L": "item"}) if len(model.levels) else _NO_LEVELS
    return Outcomes(goals=_level_entries(model, params, scoped), benefit=_benefit(model, params, _offsets(model)),
                    base=base, levels=_level_entries(model, params, levels[["item", "indicator", "region", "year"]]))


_NO_LEVELS = pd.DataFrame({"item": pd.Series(dtype=np.int64), "indicator": pd.Series(dtype=object),
                           "region": pd.Series(dtype=object), "year": pd.Series(dtype=np.int64)})


def _level_entries(model: AllocationModel, params: Parameters, scoped: pd.DataFrame) -> Entries:
    """Entries (item, column) of the gains of ``scoped`` (item, indicator, region, year; an item over
    several regions has one line per region): impacts of projects complete by the year, cluster
    synergy and pair corrections, each with the parameter it multiplies."""
    offsets = _offsets(model)
    starts = model.index.starts[["project", "start", "duration", "x"]]
    parts = []
    impacts = params.table.iloc[: offsets["synergy"]].reset_index().rename(columns={"index": "param"})
    hits = scoped.merge(impacts[["param", "project", "indicator", "region"]], on=["indicator", "region"])
    hits = hits.merge(starts, on="project")
    hits = hits[hits["start"] + hits["duration"] <= hits["year"]]
    parts.append((hits["item"].to_numpy(), model.columns.col("x", hits["x"]), hits["param"].to_numpy()))
    for _, variable, frame in _family_years(model, params, offsets):
        more = scoped.merge(frame, on=["indicator", "region", "year"])
        parts.append((more["item"].to_numpy(), model.columns.col(variable, more[variable]), more["param"].to_numpy()))
    rows = np.concatenate([p[0] for p in parts]).astype(np.int64)
    cols = np.concatenate([p[1] for p in parts]).astype(np.int64)
    which = np.concatenate([p[2] for p in parts]).astype(np.int64)
    return _entries(rows, cols, which, np.ones(len(rows)), len(params))


def _offsets(model: AllocationModel) -> dict[str, int]:
    investments = model.index.investments
    synergy = len(model.index.impacts)
    return {"impact": 0, "synergy": synergy, "pair": synergy + len(investments.synergy)}


def _family_years(model: AllocationModel, params: Parameters, offsets: dict[str, int]):
    """(kind, variable, frame of indicator, region, year, <variable>, param) for synergy and pairs."""
    investments = model.index.investments
    if not investments.synergy.empty:
        syn = investments.synergy.reset_index(drop=True)
        syn = syn.assign(param=np.arange(len(syn)) + offsets["synergy"]).merge(investments.cluster_years,
                                                                              on="cluster")
        yield "synergy", "w", syn[["indicator", "region", "year", "w", "param"]]
    if not investments.pair_years.empty and not investments.pair_effects.empty:
        pair = investments.pair_effects.reset_index(drop=True)
        pair = pair.assign(param=np.arange(len(pair)) + offsets["pair"]).merge(investments.pair_years,
                                                                              on=["first", "second"])
        yield "pair", "v", pair[["indicator", "region", "year", "v", "param"]]


def _benefit(model: AllocationModel, params: Parameters, offsets: dict[str, int]) -> Entries:
    """Discounted benefit: x[p,s] gets worth_k x theta_k x sum_{t=s+d_p}^{Y} delta_t for each impact
    k of p; w[q,t] and v[p,q,t] get worth_k x delta_t x theta_k (as benefit_terms)."""
    index = model.index
    worth = index.indicators["value"].fillna(0.0).astype(float)
    years = index.years
    totals = np.concatenate([[0.0], np.cumsum(index.discount.to_numpy())])

    def cumulative(t: np.ndarray) -> np.ndarray:
        return totals[np.clip(np.asarray(t) - years[0] + 1, 0, len(years))]

    impacts = params.table.iloc[: offsets["synergy"]].reset_index().rename(columns={"index": "param"})
    terms = impacts[["param", "project", "indicator"]].merge(index.starts[["project", "start", "duration", "x"]],
                                                             on="project")
    complete = (terms["start"] + terms["duration"]).to_numpy()
    weight = (terms["indicator"].map(worth).fillna(0.0).to_numpy(dtype=float)
              * (cumulative(np.full(len(terms), index.last_year)) - cumulative(complete - 1)))
    cols = [model.columns.col("x", terms["x"])]
    which = [terms["param"].to_numpy()]
    weights = [weight]
    for _, variable, frame in _family_years(model, params, offsets):
        cols.append(model.columns.col(variable, frame[variable]))
        which.append(frame["param"].to_numpy())
        weights.append(frame["indicator"].map(worth).fillna(0.0).to_numpy(dtype=float)
                       * frame["year"].map(index.discount).to_numpy(dtype=float))
    col = np.concatenate(cols).astype(np.int64)
    return _entries(np.zeros(len(col), dtype=np.int64), col, np.concatenate(which).astype(np.int64),
                    np.concatenate(weights), len(params))


__all__ = ["Entries", "Outcomes", "outcomes"]
