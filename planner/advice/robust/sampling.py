"""What varies between futures, and seeded samples of it (models/robust.md, section 1).

Every level the model counts is a sum of *parameters*: an Impacts row of a project, a
transport project's derived effect on a region, a cluster's synergy row, a transport pair's
correction. :func:`parameters` lists them in the model's order with their point estimate
(the most likely value) and what makes them vary:

* an Impacts row with ``low``/``high`` is drawn from triangular(low, value, high);
* a project co-financed by a partner whose ``reliability`` is below 1 delivers none of its
  impacts (own rows, derived transport effects, and any pair correction it is part of) in a
  sample where the partner does not pay.

:func:`draw` makes the samples. Sample ``i`` has its own generator,
``numpy.random.default_rng(SeedSequence(seed, spawn_key=(i,)))``, which draws one uniform
number per Impacts row (in sheet order, ranged or not) and then one per partner (in sheet
order): the same seed gives the same samples whoever draws them, sample ``i`` does not
depend on how many samples there are, and giving one row a range does not move the draws
of the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.model import AllocationModel


@dataclass
class Parameters:
    """The level parameters of a model and what makes them vary.

    table: one row per parameter, in the order impacts (``model.index.impacts``), synergy
        (``investments.synergy``), pairs (``investments.pair_effects``); columns kind, project
        (the cluster for synergy, "p+q" for a pair), indicator, region, value (point estimate),
        low, high, excel_row (the Impacts row, None for derived ones), ranged (low < high).
    draw_rows: Excel rows of the whole Impacts sheet, in sheet order (one uniform each).
    impact_draw: for every parameter, its position in ``draw_rows`` (-1: never drawn).
    partners: Partners ids in sheet order; reliability: theirs.
    fails_with: (parameter, partner position) pairs: the parameter is 0 when that partner
        does not pay.
    """

    table: pd.DataFrame
    draw_rows: np.ndarray
    impact_draw: np.ndarray
    partners: list[str]
    reliability: np.ndarray
    fails_with: np.ndarray

    @property
    def base(self) -> np.ndarray:
        """Point estimates of every parameter."""
        return self.table["value"].to_numpy(dtype=float)

    @property
    def varying(self) -> np.ndarray:
        """Whether a parameter can differ from its point estimate in some sample."""
        varies = self.table["ranged"].to_numpy(dtype=bool).copy()
        risky = self.reliability < 1.0
        if len(self.fails_with):
            hit = self.fails_with[risky[self.fails_with[:, 1]]]
            varies[hit[:, 0]] = True
        return varies

    def extremes(self) -> tuple[np.ndarray, np.ndarray]:
        """The least and the most each parameter can be in any sample: its range, and 0 when a
        partner it depends on may not pay."""
        table = self.table
        low = np.minimum(table["low"].to_numpy(dtype=float), self.base)
        high = np.maximum(table["high"].to_numpy(dtype=float), self.base)
        if len(self.fails_with):
            hit = self.fails_with[self.reliability[self.fails_with[:, 1]] < 1.0][:, 0]
            low[hit] = np.minimum(low[hit], 0.0)
            high[hit] = np.maximum(high[hit], 0.0)
        return low, high

    @property
    def uncertain(self) -> bool:
        """Whether anything varies at all."""
        return bool(self.varying.any())

    def __len__(self) -> int:
        return len(self.table)


def parameters(model: AllocationModel) -> Parameters:
    """The level parameters of ``model`` with their ranges and partner risks."""
    scenario = model.scenario
    index = model.index
    sheet = scenario.tables["Impacts"]
    rows = sheet["row"].to_numpy(dtype=int)
    low_of = _column(sheet, "low")
    high_of = _column(sheet, "high")
    impacts = index.impacts
    own = pd.DataFrame({"kind": "impact", "project": impacts["project"].to_numpy(),
                        "indicator": impacts["indicator"].to_numpy(), "region": impacts["region"].to_numpy(),
                        "value": impacts["value"].to_numpy(dtype=float),
                        "excel_row": [None if pd.isna(r) else int(r) for r in impacts["row"]]})
    investments = index.investments
    synergy = investments.synergy
    clusters = set(scenario.tables["Clusters"]["cluster"])
    synergy_rows = sheet[sheet["project"].isin(clusters)]["row"].to_numpy(dtype=int)
    if len(synergy_rows) != len(synergy):  # pragma: no cover - the model builds synergy from these rows
        raise RuntimeError("synergy rows do not match the Impacts sheet")
    syn = pd.DataFrame({"kind": "synergy", "project": synergy["cluster"].to_numpy(),
                        "indicator": synergy["indicator"].to_numpy(), "region": synergy["region"].to_numpy(),
                        "value": synergy["value"].to_numpy(dtype=float), "excel_row": list(synergy_rows)})
    pairs = investments.pair_effects
    pair = pd.DataFrame({"kind": "pair", "project": (pairs["first"].astype(str) + "+"
                                                     + pairs["second"].astype(str)).to_numpy(),
                         "indicator": pairs["indicator"].to_numpy(), "region": pairs["region"].to_numpy(),
                         "value": pairs["value"].to_numpy(dtype=float), "excel_row": None})
    table = pd.concat([own, syn, pair], ignore_index=True)
    position = {int(r): i for i, r in enumerate(rows)}
    draw = np.array([position.get(int(r), -1) if r is not None and not pd.isna(r) else -1
                     for r in table["excel_row"]], dtype=np.int64)
    value = table["value"].to_numpy(dtype=float)
    low = np.where(draw >= 0, low_of[np.maximum(draw, 0)], np.nan)
    high = np.where(draw >= 0, high_of[np.maximum(draw, 0)], np.nan)
    table["low"] = np.where(np.isnan(low), value, low)
    table["high"] = np.where(np.isnan(high), value, high)
    table["ranged"] = table["high"].to_numpy() > table["low"].to_numpy()
    partners_sheet = scenario.tables["Partners"]
    partners = [str(p) for p in partners_sheet["partner"]]
    reliability = (partners_sheet["reliability"].fillna(1.0).to_numpy(dtype=float)
                   if "reliability" in partners_sheet else np.ones(len(partners)))
    fails = _partner_failures(model, table, partners)
    return Parameters(table=table, draw_rows=rows, impact_draw=draw, partners=partners,
                      reliability=reliability, fails_with=fails)


def _column(sheet: pd.DataFrame, name: str) -> np.ndarray:
    if name not in sheet:
        return np.full(len(sheet), np.nan)
    return pd.to_numeric(sheet[name], errors="coerce").to_numpy(dtype=float)


def _partner_failures(model: AllocationModel, table: pd.DataFrame, partners: list[str]) -> np.ndarray:
    """(parameter, partner position): impacts and derived effects of a co-financed project, and pair
    corrections one of whose projects is co-financed."""
    partner_of = model.index.projects["partner"]
    where = {p: i for i, p in enumerate(partners)}
    found: list[tuple[int, int]] = []
    kinds = table["kind"].to_numpy()
    names = table["project"].to_numpy()
    for i, (kind, name) in enumerate(zip(kinds, names)):
        if kind == "impact":
            members = [name]
        elif kind == "pair":
            members = str(name).split("+")
        else:
            continue
        for project in members:
            partner = partner_of.get(project)
            if isinstance(partner, str) and partner in where:
                found.append((i, where[partner]))
    return np.array(found, dtype=np.int64).reshape(-1, 2)


@dataclass
class Samples:
    """Parameter values of every sample (``theta``, samples x parameters) and whether each
    partner paid (``paid``, samples x partners)."""

    theta: np.ndarray
    paid: np.ndarray
    seed: int

    def __len__(self) -> int:
        return len(self.theta)


def triangular(low: np.ndarray, mode: np.ndarray, high: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The inverse distribution function of triangular(low, mode, high) at ``u`` in [0, 1).

    F(mode) = (mode - low) / (high - low); below it x = low + sqrt(u (high - low)(mode - low)),
    above it x = high - sqrt((1 - u)(high - low)(high - mode)); a range of width 0 is its value.
    """
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        split = np.where(width > 0, (mode - low) / np.where(width > 0, width, 1.0), 1.0)
    below = low + np.sqrt(np.maximum(u * width * (mode - low), 0.0))
    above = high - np.sqrt(np.maximum((1.0 - u) * width * (high - mode), 0.0))
    return np.where(width > 0, np.where(u < split, below, above), mode)


def draw(params: Parameters, count: int, seed: int) -> Samples:
    """``count`` samples from seed ``seed`` (see the module docstring for the exact draws)."""
    rows, partners = len(params.draw_rows), len(params.partners)
    uniforms = np.empty((count, rows + partners))
    for i in range(count):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        uniforms[i] = rng.random(rows + partners)
    table = params.table
    theta = np.tile(params.base, (count, 1))
    drawn = params.impact_draw >= 0
    if drawn.any():
        u = uniforms[:, params.impact_draw[drawn]]
        theta[:, drawn] = triangular(table["low"].to_numpy(float)[drawn], params.base[drawn],
                                     table["high"].to_numpy(float)[drawn], u)
    paid = uniforms[:, rows:] < params.reliability[None, :]
    if len(params.fails_with):
        lost = ~paid[:, params.fails_with[:, 1]]
        for j, (parameter, _) in enumerate(params.fails_with):
            theta[lost[:, j], parameter] = 0.0
    return Samples(theta=theta, paid=paid, seed=seed)


__all__ = ["Parameters", "Samples", "draw", "parameters", "triangular"]
