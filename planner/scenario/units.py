"""Money per person in a unit people read: "495 USD per person", not "0.000495 per capita".

``Settings.money_unit`` names the unit of every money amount ("million USD"); a leading
scale word (thousand, million, billion and their abbreviations) is turned into a factor.
Without a currency the figures are given per 1,000 or per 1,000,000 persons when money per
person would be a small fraction.
"""

from __future__ import annotations

import math

SCALES = {"thousand": 1e3, "thousands": 1e3, "k": 1e3, "th": 1e3, "million": 1e6, "millions": 1e6,
          "mln": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9}


def per_person_unit(money_unit: str, largest: float = 1.0) -> tuple[float, str, str]:
    """(factor, persons, currency): money per person x factor is the figure in currency per persons.

    "million USD" -> (1e6, "person", "USD"); "USD" -> (1, "person", "USD"); blank -> money per
    1,000 or per 1,000,000 persons when ``largest`` (the largest money per person) is small, so
    that the figures read as numbers of at least 1.
    """
    words = str(money_unit or "").strip().split()
    scale = 1.0
    if words and words[0].lower().rstrip(".") in SCALES:
        scale = SCALES[words.pop(0).lower().rstrip(".")]
    currency = " ".join(words)
    if currency:
        return scale, "person", currency
    persons = 1.0
    largest = abs(float(largest)) * scale if largest and math.isfinite(largest) else 0.0
    for persons in (1.0, 1e3, 1e6):
        if largest * persons >= 1.0:
            break
    return scale * persons, "person" if persons == 1 else f"{int(persons):,} persons", \
        "money" if scale == 1.0 else "money units"


__all__ = ["SCALES", "per_person_unit"]
