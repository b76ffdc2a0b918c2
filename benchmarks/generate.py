"""Seeded generator of contract-v1 scenario workbooks for the benchmark.

Three sizes:

=======  =======  ========  =====
size     regions  projects  years
=======  =======  ========  =====
small         14       200     10
middle       100     2,000     10
large        500    10,000     15
=======  =======  ========  =====

Every project has two impacts (``grp`` and ``jobs``; a share of the cross-border
and transport projects create their jobs in another region) and one or two
eligible funds out of three:

* ``regional``: one budget per region and year (no carry-over);
* ``national``: one pooled budget per year, unspent money carries over;
* ``eu``: one pooled budget per year, no carry-over.

All budgets together are about 40 % of the total project cost, so that roughly
a third of the projects can be carried out. About 1 % of the projects are
mandatory (cheap ones, always payable from the carry-over ``national`` fund), a
few have start windows, a few require or exclude another project, and about 2 %
are divisible. Goals: country-level ``grp``/``jobs`` goals on priority 1 and
group- and region-level goals on priority 2, all soft ``>=`` goals, so that the
default ``goals`` objective runs three stages (priority 1, priority 2, min_cost).

The workbook is written with openpyxl's write-only mode (one streaming pass),
which takes a few seconds even for the large size.

Usage::

    python benchmarks/generate.py --size middle --out benchmarks/out/middle.xlsx --seed 1
    python benchmarks/generate.py --regions 5 --projects 20 --years 3 --out /tmp/tiny.xlsx
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook

#: size name -> (regions, projects, years)
SIZES: dict[str, tuple[int, int, int]] = {
    "small": (14, 200, 10),
    "middle": (100, 2_000, 10),
    "large": (500, 10_000, 15),
}

START_YEAR = 2026
KINDS = ("cluster", "transport", "crossborder", "other")
#: Budgets as a share of the total cost of all candidate projects.
BUDGET_SHARE = 0.40
#: How that money is split between the funds.
FUND_SPLIT = {"regional": 0.50, "national": 0.35, "eu": 0.15}
#: Eligible fund lists and their probabilities (one or two funds per project).
FUND_CHOICES = (
    ("regional",),
    ("regional", "national"),
    ("national",),
    ("regional", "eu"),
    ("eu", "national"),
    ("eu",),
)
FUND_WEIGHTS = (0.25, 0.30, 0.15, 0.15, 0.10, 0.05)
#: Goal targets: baseline + this share of the gain of every project that could be
#: complete by the goal year in the goal's scope.
GOAL_SHARES = {"country_grp": 0.30, "country_jobs": 0.25, "country_grp_mid": 0.15,
               "group_jobs": 0.25, "region_grp": 0.25}

Table = tuple[list[str], list[list[Any]]]  # header, rows


def generate(n_regions: int, n_projects: int, years: int, seed: int = 1,
             name: str | None = None, goal_shares: dict[str, float] | None = None,
             settings: dict[str, Any] | None = None) -> dict[str, Table]:
    """The tables of one scenario: sheet name -> (header, rows)."""
    share = GOAL_SHARES | (goal_shares or {})
    if n_regions < 2 or n_projects < 2 or years < 1:
        raise ValueError("need at least 2 regions, 2 projects and 1 year")
    rng = np.random.default_rng(seed)
    y0, last = START_YEAR, START_YEAR + years - 1
    name = name or f"benchmark {n_regions}x{n_projects}x{years} seed {seed}"

    # Regions, grouped into zones of about five regions.
    region_ids = [f"R{i + 1:03d}" for i in range(n_regions)]
    n_groups = max(1, n_regions // 5)
    group_of = rng.integers(0, n_groups, n_regions)
    group_of[:n_groups] = np.arange(n_groups)  # every group has a member
    group_ids = [f"Z{g + 1:02d}" for g in range(n_groups)]
    population = np.round(rng.lognormal(np.log(300_000), 0.7, n_regions)).astype(int)

    # Projects.
    project_ids = [f"P{i + 1:05d}" for i in range(n_projects)]
    host = rng.integers(0, n_regions, n_projects)
    kind = rng.choice(len(KINDS), n_projects, p=(0.35, 0.30, 0.10, 0.25))
    cost = np.round(rng.lognormal(np.log(20.0), 0.8, n_projects), 1) + 0.5
    duration = rng.choice([1, 2, 3], n_projects, p=(0.4, 0.4, 0.2))
    duration = np.minimum(duration, years)
    latest_fit = last - duration + 1  # last start year that fits the horizon
    earliest = np.full(n_projects, -1)
    latest = np.full(n_projects, -1)
    has_earliest = rng.random(n_projects) < 0.15
    span = latest_fit - y0
    earliest[has_earliest] = y0 + (rng.random(has_earliest.sum()) * (span[has_earliest] + 1)).astype(int)
    has_latest = rng.random(n_projects) < 0.10
    low = np.where(earliest >= 0, earliest, y0)
    latest[has_latest] = low[has_latest] + (
        rng.random(has_latest.sum()) * (latest_fit[has_latest] - low[has_latest] + 1)).astype(int)
    funds_of = rng.choice(len(FUND_CHOICES), n_projects, p=FUND_WEIGHTS)
    divisible = rng.random(n_projects) < 0.02

    # Mandatory: about 1 %, among the cheapest 30 %, with no window and the
    # carry-over national fund among their funds, so they are always affordable.
    n_mandatory = max(1, round(0.01 * n_projects))
    cheap = np.flatnonzero(cost <= np.quantile(cost, 0.3))
    mandatory_idx = rng.choice(cheap, min(n_mandatory, len(cheap)), replace=False)
    mandatory = np.zeros(n_projects, dtype=bool)
    mandatory[mandatory_idx] = True
    earliest[mandatory] = -1
    latest[mandatory] = -1
    divisible[mandatory] = False
    funds_of[mandatory] = FUND_CHOICES.index(("regional", "national"))

    # requires: ~2 % of projects require one earlier project (acyclic by
    # construction); excludes: ~1 % pairs, disjoint from everything in requires
    # and from the mandatory projects.
    free = np.flatnonzero(~mandatory)
    rng.shuffle(free)
    n_req = max(1, round(0.02 * n_projects)) if n_projects >= 10 else 0
    n_exc = max(1, round(0.01 * n_projects)) if n_projects >= 10 else 0
    requires: dict[int, int] = {}
    used: set[int] = set()
    pool = iter(free)
    for p in pool:
        if len(requires) >= n_req:
            break
        q = next(pool, None)
        if q is None:
            break
        p, q = max(p, q), min(p, q)  # the later id requires the earlier one
        requires[int(p)] = int(q)
        used.update((int(p), int(q)))
    excludes: dict[int, int] = {}
    for p in pool:
        if len(excludes) >= n_exc:
            break
        q = next(pool, None)
        if q is None:
            break
        excludes[int(p)] = int(q)
    # Keep a required project's window from blocking the one that requires it.
    for p, q in requires.items():
        earliest[q] = -1
        latest[p] = -1

    # Impacts: grp and jobs per year once complete.
    grp = np.round(cost * rng.uniform(0.04, 0.25, n_projects), 3)
    jobs = np.round(cost * rng.uniform(2.0, 12.0, n_projects), 1)
    jobs_region = host.copy()
    spill = ((kind == KINDS.index("crossborder")) | (kind == KINDS.index("transport"))) \
        & (rng.random(n_projects) < 0.3)
    jobs_region[spill] = (host[spill] + rng.integers(1, n_regions, spill.sum())) % n_regions

    # Budgets: BUDGET_SHARE of the total cost, spread over the years with a
    # +-20 % wobble; the regional fund follows each region's project cost with
    # lognormal noise (some regions tight, some loose).
    total = BUDGET_SHARE * cost.sum()
    year_weight = rng.uniform(0.8, 1.2, years)
    year_weight /= year_weight.sum()
    region_cost = np.bincount(host, weights=cost, minlength=n_regions) + cost.mean()
    region_weight = region_cost * rng.lognormal(0.0, 0.3, n_regions)
    region_weight /= region_weight.sum()

    # Goals: targets a share of the potential gain of all projects that can be
    # complete by the goal year (s + d <= t), above the baseline.
    base_grp = np.round(population * rng.uniform(0.02, 0.05, n_regions) / 1000.0, 1)
    base_jobs = np.round(population * rng.uniform(0.35, 0.5, n_regions) / 1000.0, 1)
    first_start = np.where(earliest >= 0, earliest, y0)

    def potential(values: np.ndarray, regions: np.ndarray, year: int) -> np.ndarray:
        can = first_start + duration <= year
        return np.bincount(regions[can], weights=values[can], minlength=n_regions)

    goals: list[list[Any]] = []
    pot_grp = potential(grp, host, last)
    pot_jobs = potential(jobs, jobs_region, last)
    grp_target = _r(base_grp.sum() + share["country_grp"] * pot_grp.sum())
    jobs_target = _r(base_jobs.sum() + share["country_jobs"] * pot_jobs.sum())
    goals.append(["G_grp", "grp", None, None, ">=", grp_target, 1, 1.0, "no"])
    goals.append(["G_jobs", "jobs", None, None, ">=", jobs_target, 1, 1.0, "no"])
    if years >= 4:
        mid = y0 + years // 2
        goals.append(["G_grp_mid", "grp", None, mid, ">=",
                      _r(base_grp.sum() + share["country_grp_mid"] * potential(grp, host, mid).sum()), 1, 0.5, "no"])
    groups = rng.choice(n_groups, min(3, max(1, n_groups // 2)), replace=False)
    for g in groups:
        members = group_of == g
        goals.append([f"G_{group_ids[g]}_jobs", "jobs", group_ids[g], None, ">=",
                      _r(base_jobs[members].sum() + share["group_jobs"] * pot_jobs[members].sum()), 2, 1.0, "no"])
    for r in rng.choice(n_regions, min(10, max(2, n_regions // 5)), replace=False):
        goals.append([f"G_{region_ids[r]}_grp", "grp", region_ids[r], None, ">=",
                      _r(base_grp[r] + share["region_grp"] * pot_grp[r]), 2, 1.0, "no"])

    def ids(row: int | None) -> str | None:
        return None if row is None else project_ids[row]

    year_list = list(range(y0, last + 1))
    tables: dict[str, Table] = {
        "Settings": (["key", "value"], [
            [key, value] for key, value in ({
                "name": name, "start_year": y0, "horizon": years, "objective": "goals",
                "tie_break": "min_cost", "discount_rate": 0.03} | (settings or {})).items()
        ]),
        "Regions": (["region", "name", "population", "group"], [
            [region_ids[i], f"Region {i + 1}", int(population[i]), group_ids[group_of[i]]]
            for i in range(n_regions)
        ]),
        "Indicators": (["indicator", "unit", "value"], [
            ["grp", "million per year", 1.0],
            ["jobs", "jobs", 0.03],
        ]),
        "Baseline": (["region", "indicator", "value"], [
            row for i in range(n_regions)
            for row in ([region_ids[i], "grp", float(base_grp[i])],
                        [region_ids[i], "jobs", float(base_jobs[i])])
        ]),
        "Funds": (["fund", "carry_over"], [
            ["regional", "no"], ["national", "yes"], ["eu", "no"],
        ]),
        "Budgets": (["fund", "year", "region", "amount"], [
            ["regional", t, region_ids[i],
             _r(total * FUND_SPLIT["regional"] * region_weight[i] * year_weight[k])]
            for i in range(n_regions) for k, t in enumerate(year_list)
        ] + [
            [fund, t, None, _r(total * FUND_SPLIT[fund] * year_weight[k])]
            for fund in ("national", "eu") for k, t in enumerate(year_list)
        ]),
        "Projects": (["project", "name", "kind", "region", "cost", "duration", "earliest_start",
                      "latest_start", "mandatory", "divisible", "requires", "excludes", "funds"], [
            [project_ids[p], f"Project {p + 1}", KINDS[kind[p]], region_ids[host[p]],
             float(cost[p]), int(duration[p]),
             int(earliest[p]) if earliest[p] >= 0 else None,
             int(latest[p]) if latest[p] >= 0 else None,
             "yes" if mandatory[p] else "no", "yes" if divisible[p] else "no",
             ids(requires.get(p)), ids(excludes.get(p)), ", ".join(FUND_CHOICES[funds_of[p]])]
            for p in range(n_projects)
        ]),
        "Impacts": (["project", "indicator", "region", "value"], [
            row for p in range(n_projects)
            for row in ([project_ids[p], "grp", None, float(grp[p])],
                        [project_ids[p], "jobs",
                         region_ids[jobs_region[p]] if spill[p] else None, float(jobs[p])])
        ]),
        "Goals": (["goal", "indicator", "region", "year", "sense", "target", "priority",
                   "weight", "hard"], goals),
    }
    return tables


def _r(value: float) -> float:
    return round(float(value), 2)


def write_workbook(tables: dict[str, Table], path: Path | str) -> Path:
    """Write the tables with openpyxl's write-only (streaming) mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    for sheet, (header, rows) in tables.items():
        ws = wb.create_sheet(sheet)
        ws.append(header)
        for row in rows:
            ws.append(row)
    temporary = path.with_name(f".~{path.name}")
    wb.save(temporary)
    temporary.replace(path)
    return path


def generate_workbook(path: Path | str, n_regions: int, n_projects: int, years: int,
                      seed: int = 1, name: str | None = None) -> Path:
    """Generate one scenario and write it to ``path``."""
    return write_workbook(generate(n_regions, n_projects, years, seed, name), path)


def generate_size(size: str, path: Path | str, seed: int = 1) -> Path:
    """Generate one of the named SIZES."""
    n_regions, n_projects, years = SIZES[size]
    return generate_workbook(path, n_regions, n_projects, years, seed, name=f"benchmark {size}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), help="one of the benchmark sizes")
    parser.add_argument("--regions", type=int, help="custom size: number of regions")
    parser.add_argument("--projects", type=int, help="custom size: number of projects")
    parser.add_argument("--years", type=int, help="custom size: horizon in years")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="workbook to write (.xlsx)")
    args = parser.parse_args(argv)
    if args.size:
        dims = SIZES[args.size]
    elif args.regions and args.projects and args.years:
        dims = (args.regions, args.projects, args.years)
    else:
        parser.error("give --size or all of --regions, --projects, --years")
    started = time.perf_counter()
    generate_workbook(args.out, *dims, seed=args.seed,
                      name=f"benchmark {args.size}" if args.size else None)
    print(f"wrote {args.out} ({dims[0]} regions x {dims[1]} projects x {dims[2]} years, "
          f"seed {args.seed}) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
