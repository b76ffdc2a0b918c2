"""What the advisors add to one solve: a diagnosis, marginal values, the price of fairness.

:class:`Findings` travels beside the :class:`~planner.results.Answer` it was computed
for; the ``--json`` object of ``planner solve`` is the answer's fields followed by
these (``price_of_fairness``; ``conflict``, ``repairs``, ``explanation``, ``repair``;
``marginal``; ``missed_goals``: why each missed soft goal is missed and what it would take),
each present only when computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planner.advice.diagnose import Diagnosis, GoalDiagnosis
from planner.advice.marginal import marginal_records
from planner.results import plain


@dataclass
class Findings:
    """Advice computed for one solved scenario (each part None or empty when not asked for)."""

    diagnosis: Diagnosis | None = None
    marginal: pd.DataFrame | None = None
    price_of_fairness: dict[str, Any] = field(default_factory=dict)
    goals: list[GoalDiagnosis] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The advice fields of ``planner solve --json``."""
        data: dict[str, Any] = {}
        if self.price_of_fairness:
            data["price_of_fairness"] = plain(self.price_of_fairness)
        if self.diagnosis is not None:
            data |= {"conflict": self.diagnosis.conflict, "repairs": self.diagnosis.repairs,
                     "explanation": self.diagnosis.explanation(), "repair": self.diagnosis.repair_sentence()}
        if self.marginal is not None:
            data["marginal"] = marginal_records(self.marginal)
        if self.goals:
            data["missed_goals"] = [g.record() for g in self.goals]
        return data


__all__ = ["Findings"]
