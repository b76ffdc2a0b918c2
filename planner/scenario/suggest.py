""""Did you mean ...?" for ids that are almost right: another case, or a typo or two.

An unknown id is compared with the known ones: the same text in another case wins; otherwise
the known ids within a small edit distance (insertions, deletions, substitutions and swaps of
neighbours: 1 for ids of up to 4 characters, 2 up to 10, 3 beyond), nearest first, at most
three.
"""

from __future__ import annotations

from collections.abc import Iterable


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus swaps of two neighbouring characters)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _allowed(value: str) -> int:
    return 1 if len(value) <= 4 else 2 if len(value) <= 10 else 3


def suggestions(value: object, known: Iterable[object]) -> list[str]:
    """Known ids that ``value`` was probably meant to be, best first (empty: none is close)."""
    text = str(value)
    ids = sorted({str(k) for k in known if k is not None and str(k) != text})
    same_case = [k for k in ids if k.casefold() == text.casefold()]
    if same_case:
        return same_case[:3]
    limit = _allowed(text)
    near = sorted((d, k) for k in ids if abs(len(k) - len(text)) <= limit
                  for d in [distance(text.casefold(), k.casefold())] if d <= limit)
    return [k for _, k in near[:3]]


def did_you_mean(value: object, known: Iterable[object]) -> str:
    """"did you mean samarkand?" (or "did you mean A or B?"), or "" when no known id is close."""
    found = suggestions(value, known)
    if not found:
        return ""
    return "did you mean " + (found[0] if len(found) == 1 else ", ".join(found[:-1]) + " or " + found[-1]) + "?"


__all__ = ["did_you_mean", "distance", "suggestions"]
