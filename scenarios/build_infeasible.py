"""Build scenarios/infeasible.xlsx: a hard goal that the money available cannot buy.

Three regions, five projects, one fund, three years (2026-2028). The hard goal G1 asks for
6 thousand more jobs in South by 2028. Only the three South projects create jobs there
(S1 +3, S2 +2, S3 +1), so all three are needed, at a cost of 40 + 30 + 20 = 90 million USD.
The national fund holds 25 a year, 75 over the whole horizon, and a project counts by 2028 only
if it is finished by then, i.e. paid in 2026 or 2027 (50). No plan meets G1, so
``planner solve`` stops with status ``infeasible`` and exit code 3.

Money is in million USD, jobs in thousands, GRP in million USD per year. All numbers are
illustrative. Run: python scenarios/build_infeasible.py [TARGET.xlsx]
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
        ["name", "infeasible"],
        ["start_year", 2026],
        ["horizon", 3],
        ["objective", "goals"],
        ["tie_break", "min_cost"],
        ["discount_rate", 0],
    ],
    "Regions": [
        ["region", "name", "population", "group"],
        ["north", "North", 1_200_000, None],
        ["centre", "Centre", 2_000_000, None],
        ["south", "South", 800_000, None],
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
        ["national", "yes"],
    ],
    "Budgets": [
        ["fund", "year", "region", "amount"],
        ["national", 2026, None, 25], ["national", 2027, None, 25], ["national", 2028, None, 25],
    ],
    "Projects": [
        ["project", "name", "kind", "region", "cost", "duration", "earliest_start", "latest_start",
         "mandatory", "divisible", "requires", "excludes", "funds"],
        ["S1", "South textile plant", "cluster", "south", 40, 1, None, None, "no", "no", None, None, None],
        ["S2", "South agro-processing park", "other", "south", 30, 1, None, None, "no", "no", None, None, None],
        ["S3", "South small-business programme", "other", "south", 20, 1, None, None, "no", "yes", None, None,
         None],
        ["N1", "North IT park", "cluster", "north", 25, 1, None, None, "no", "no", None, None, None],
        ["C1", "Centre logistics hub", "transport", "centre", 30, 1, None, None, "no", "no", None, None, None],
    ],
    "Impacts": [
        ["project", "indicator", "region", "value"],
        ["S1", "jobs", None, 3], ["S1", "grp", None, 10],
        ["S2", "jobs", None, 2], ["S2", "grp", None, 8],
        ["S3", "jobs", None, 1], ["S3", "grp", None, 3],
        ["N1", "jobs", None, 1.5], ["N1", "grp", None, 8],
        ["C1", "jobs", None, 1], ["C1", "grp", None, 9],
    ],
    "Goals": [
        ["goal", "indicator", "region", "year", "sense", "target", "priority", "weight", "hard"],
        ["G1", "jobs", "south", 2028, ">=", 306, 1, 1, "yes"],
        ["G2", "grp", None, 2028, ">=", 2830, 2, 1, "no"],
    ],
}


def build(target: Path) -> Path:
    return write_sheets(target, SHEETS)


if __name__ == "__main__":
    main(build, HERE / "infeasible.xlsx")
