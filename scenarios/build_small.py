"""Build scenarios/small.xlsx: three regions, eight projects, two funds, three years.

Small enough to check by hand (scenarios/README.md walks through the optimum).
Money is in million USD, jobs in thousands, GRP in million USD per year. All
numbers are illustrative. Run: python scenarios/build_small.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the scenarios folder holds the shared writer

from sheets import main, write_sheets  # noqa: E402

SHEETS: dict[str, list[list]] = {
    "Settings": [
        ["key", "value"],
        ["name", "small"],
        ["start_year", 2026],
        ["horizon", 3],
        ["objective", "goals"],
        ["tie_break", "min_cost"],
        ["discount_rate", 0],
        ["money_unit", "million USD"],
    ],
    "Regions": [
        ["region", "name", "population", "group"],
        ["north", "North", 1_200_000, "valley"],
        ["centre", "Centre", 2_000_000, "valley"],
        ["south", "South", 800_000, ""],
    ],
    "Indicators": [
        ["indicator", "unit", "value"],
        ["grp", "million USD per year", 1],
        ["jobs", "thousand jobs", 0],
    ],
    "Baseline": [
        ["region", "indicator", "value"],
        ["north", "grp", 900], ["centre", "grp", 1500], ["south", "grp", 400],
        ["north", "jobs", 450], ["centre", "jobs", 800], ["south", "jobs", 300],
    ],
    "Funds": [
        ["fund", "carry_over"],
        ["national", "no"],
        ["regional", "yes"],
    ],
    "Budgets": [
        ["fund", "year", "region", "amount"],
        ["national", 2026, None, 40], ["national", 2027, None, 30], ["national", 2028, None, 20],
        ["regional", 2026, "north", 5], ["regional", 2027, "north", 5], ["regional", 2028, "north", 5],
        ["regional", 2026, "centre", 8], ["regional", 2027, "centre", 8], ["regional", 2028, "centre", 8],
        ["regional", 2026, "south", 4], ["regional", 2027, "south", 4], ["regional", 2028, "south", 4],
    ],
    "Projects": [
        ["project", "name", "kind", "region", "cost", "duration", "earliest_start", "latest_start",
         "mandatory", "divisible", "requires", "excludes", "funds"],
        ["N1", "Technopark North", "cluster", "north", 30, 1, None, None, "no", "no", None, None, None],
        ["N2", "North-Centre road upgrade", "transport", "north", 40, 2, None, None, "no", "no", None, None,
         "national"],
        ["C1", "Textile cluster anchor plant", "cluster", "centre", 25, 1, None, None, "no", "no", None, None, None],
        ["C2", "Textile training centre", "cluster", "centre", 10, 1, None, None, "no", "no", "C1", None, None],
        ["S1", "Agro-processing park", "cluster", "south", 20, 1, None, None, "no", "no", None, None, None],
        ["S2", "Irrigation canal repair", "other", "south", 4, 1, None, 2026, "yes", "no", None, None, "regional"],
        ["S3", "Border market", "crossborder", "south", 15, 1, None, None, "no", "no", None, "S4", None],
        ["S4", "South logistics hub", "transport", "south", 35, 1, None, None, "no", "no", None, None, None],
    ],
    "Impacts": [
        ["project", "indicator", "region", "value"],
        ["N1", "jobs", None, 2.0], ["N1", "grp", None, 6],
        ["N2", "grp", "north", 4], ["N2", "grp", "centre", 4], ["N2", "jobs", None, 0.5],
        ["C1", "jobs", None, 3.0], ["C1", "grp", None, 5],
        ["C2", "jobs", None, 1.0], ["C2", "grp", None, 1],
        ["S1", "jobs", None, 1.5], ["S1", "grp", None, 3],
        ["S2", "grp", None, 1],
        ["S3", "jobs", None, 0.8], ["S3", "grp", None, 2.5],
        ["S4", "jobs", None, 1.2], ["S4", "grp", None, 4],
    ],
    "Goals": [
        ["goal", "indicator", "region", "year", "sense", "target", "priority", "weight", "hard"],
        ["G1", "jobs", None, 2028, ">=", 1557, 1, 1, "no"],
        ["G2", "grp", "south", 2028, ">=", 408, 2, 1, "no"],
    ],
}


def build(target: Path) -> Path:
    return write_sheets(target, SHEETS)


if __name__ == "__main__":
    main(build, HERE / "small.xlsx")
