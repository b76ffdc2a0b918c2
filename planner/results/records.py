"""Plain Python values for JSON: the one conversion of frames, numpy scalars and NaN.

``--json`` output, the advisors' ``to_json`` and the comparison all go through
:func:`plain`, so NaN is ``null`` and numpy scalars are Python numbers everywhere.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars unwrapped, NaN and NaT as None, frames as records."""
    if isinstance(value, pd.DataFrame):
        return records(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not isinstance(value, str):
        return [plain(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) else value
    if value is pd.NaT or (value is not None and not isinstance(value, (str, bytes)) and _is_na(value)):
        return None
    return value


def _is_na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dicts (missing values as None)."""
    if frame is None or frame.empty:
        return []
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: plain(v) for k, v in row.items()} for row in clean.to_dict("records")]


__all__ = ["plain", "records"]
