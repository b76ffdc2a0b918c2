"""Progress towards a goal: the share of the required change that the plan reaches.

Level ÷ target flatters a goal whose baseline is already close to its target (a GRP
goal of +1,100 on a baseline of 57,468 reads 99.8 % when only 88 % of the increase is
there). Progress measures the change instead:

* ``>=`` goals: (level − baseline) ÷ (target − baseline);
* ``<=`` goals: the mirror, (baseline − level) ÷ (baseline − target);
* with a baseline of 0 both are level ÷ target;
* a met goal has progress at least 1 (1 = met, above 1 = exceeded); a goal whose baseline
  already meets its target has progress 1 when it is met and 0 when the plan moves it
  away from the target.

``baseline`` is the sum of the Baseline values of the goal's indicator over its scope,
the level the goal would have without any project.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Required changes smaller than this (relative to the target) count as none.
TOLERANCE = 1e-9


def goal_progress(achieved: ArrayLike, baseline: ArrayLike, target: ArrayLike, sense: ArrayLike,
                  met: ArrayLike) -> np.ndarray:
    """Progress of each goal (a fraction, 1 = met), vectorised."""
    achieved = np.asarray(achieved, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    target = np.asarray(target, dtype=float)
    met = np.asarray(met, dtype=bool)
    up = np.asarray(sense) != "<="
    need = np.where(up, target - baseline, baseline - target)
    moved = np.where(up, achieved - baseline, baseline - achieved)
    some = need > TOLERANCE * np.maximum(1.0, np.abs(target))
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = np.where(some, moved / np.where(some, need, 1.0), np.where(met, 1.0, 0.0))
    return np.where(met, np.maximum(progress, 1.0), np.minimum(progress, 1.0 - 1e-12))


__all__ = ["goal_progress"]
