"""The goal-basis rule, stated once: what level a goal's written target means.

``Goals.basis`` says how ``Goals.target`` is written: ``level`` (default) the level
itself; ``change`` the change from the baseline of the goal's scope; ``percent`` that
change in percent of the baseline. The model, validation, the rule book and the
repairs all use these functions (vectorised: scalars or numpy arrays).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

BASES = ("level", "change", "percent")


def level_target(written: ArrayLike, baseline: ArrayLike, basis: ArrayLike) -> np.ndarray | float:
    """The level the model constrains: written; baseline + written; baseline * (1 + written/100)."""
    written, baseline, basis = np.asarray(written, float), np.asarray(baseline, float), np.asarray(basis)
    level = np.select([basis == "change", basis == "percent"],
                      [baseline + written, baseline * (1 + written / 100)], written)
    return level if level.ndim else float(level)


def written_target(level: ArrayLike, baseline: ArrayLike, basis: ArrayLike) -> np.ndarray | float:
    """The written target that means ``level`` (the inverse; a percent of a zero baseline keeps 0)."""
    level, baseline, basis = np.asarray(level, float), np.asarray(baseline, float), np.asarray(basis)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(baseline != 0, (level / baseline - 1) * 100, 0.0)
    written = np.select([basis == "change", basis == "percent"], [level - baseline, percent], level)
    return written if written.ndim else float(written)


def shortfall_scale(written: ArrayLike, baseline: ArrayLike, basis: ArrayLike) -> np.ndarray | float:
    """What a shortfall is measured against: |written target| for level and change goals, the
    implied change |baseline * target / 100| for percent goals; 1 where that is 0."""
    written, baseline, basis = np.asarray(written, float), np.asarray(baseline, float), np.asarray(basis)
    size = np.abs(np.where(basis == "percent", baseline * written / 100, written))
    scale = np.where(size > 0, size, 1.0)
    return scale if scale.ndim else float(scale)


__all__ = ["BASES", "level_target", "shortfall_scale", "written_target"]
