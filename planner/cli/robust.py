"""``planner robust``: which projects are safe bets, how likely each goal is met, and a robust plan."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from planner.advice.robust import RobustError, Robustness, robust_analysis
from planner.cli.common import (
    DebugOpt,
    FileArg,
    ForceOpt,
    GapOpt,
    JsonOpt,
    TimeOpt,
    check_out,
    err,
    fail,
    load,
    out,
    print_json,
    setup_logging,
    usage,
)
from planner.errors import PlannerError
from planner.output.robust_workbook import default_robust_path, write_robust
from planner.pipeline import run_record
from planner.scenario import load_scenario
from planner.scenario.variants import variant_names


def robust(
    file: FileArg,
    samples: Annotated[int, typer.Option("--samples", help="Number of samples (futures drawn).", min=1)] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the samples (same seed, same samples).")] = 1,
    measure: Annotated[str, typer.Option(
        "--measure", help="What the robust plan optimises over the samples: cvar (mean of the worst alpha "
        "share), expected or worst.")] = "cvar",
    alpha: Annotated[float, typer.Option("--alpha", help="Share of worst samples that cvar averages.",
                                         min=0, max=1)] = 0.1,
    variants: Annotated[bool, typer.Option(
        "--variants", help="Also find the least-regret plan across the base and every variant.")] = False,
    relative: Annotated[bool, typer.Option("--relative", help="Regret relative to each future's optimum.")] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Parallel processes for the sample optima (default: number of cores).", min=1)] = None,
    dask: Annotated[str | None, typer.Option(
        "--dask", help="Send the sample optima to a dask.distributed scheduler, e.g. tcp://host:8786.")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Robust workbook (default FILE-robust.xlsx).")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    time_limit: TimeOpt = None,
    mip_gap: GapOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Plans that survive uncertainty: the core index of every project over sampled futures, the risk
    profile of the deterministic and of the robust plan, the robust plan and what robustness costs.

    Impacts with low/high are drawn from triangular(low, value, high), each partner pays with its
    Partners reliability. With --variants, the least-regret plan across the base and its variants.

    Example: planner robust scenarios/uzbekistan.xlsx --samples 200 --measure cvar --alpha 0.1
    """
    setup_logging()
    if measure not in ("cvar", "expected", "worst"):
        usage(f"--measure must be cvar, expected or worst (not {measure})", as_json)
    if alpha <= 0:
        usage("--alpha must be above 0", as_json)
    if workers is not None and dask:
        usage("use either --workers or --dask, not both", as_json)
    scenario, options = load(file, None, time_limit, as_json, debug, mip_gap)
    futures = None
    if variants:
        try:
            futures = [load_scenario(file, name) for name in variant_names(scenario.tables["Variants"])]
        except PlannerError as exc:
            fail(exc, as_json, debug)
        if not futures:
            usage("--variants: the workbook declares no variants", as_json)
    target = out_file or default_robust_path(file)
    check_out(target, [file], force, as_json, debug)  # before the samples are solved, not after
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("solving the point estimates", total=samples)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        try:
            result = robust_analysis(scenario, options, samples=samples, seed=seed, measure=measure, alpha=alpha,
                                     workers=1 if dask else (workers or os.cpu_count() or 1), dask_address=dask,
                                     variants=futures, relative=relative, progress=progress)
        except RobustError as exc:
            if as_json:
                print_json({"scenario": scenario.name, "status": str(exc.status), "message": str(exc)})
            else:
                err.print(f"{scenario.name}: {exc}; see planner diagnose {file}", markup=False)
            raise typer.Exit(exc.status.exit_code) from None
    result.run = run_record(file, options) | {"command": f"robust --samples {samples} --seed {seed} "
                                                         f"--measure {measure} --alpha {alpha}"
                                                         + (" --variants" if variants else "")
                                                         + (" --relative" if relative else "")}
    try:
        write_robust(result, target, force=force, protect=[file])
    except PlannerError as exc:
        fail(exc, as_json, debug)
    if as_json:
        print_json(result.to_json())
    else:
        show_robust(result)
        err.print(f"Robust workbook written to {target}", markup=False)
    raise typer.Exit(result.exit_code)


def show_robust(result: Robustness) -> None:
    """Safe bets, goals' chances with both plans, the robust plan and its price, for people."""
    core = result.core_index
    out.print(f"{escape(result.scenario)}: {result.samples} samples (seed {result.seed}), measure {result.measure}"
              + (f" alpha {result.alpha:g}" if result.measure == "cvar" else ""), markup=False)
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(result.sample_status.items()))
    out.print(f"sample optima: {statuses}", markup=False)
    safe = core[core["class"] == "core"]["project"].tolist()
    never = core[core["class"] == "never"]["project"].tolist()
    out.print(f"safe bets (in every sample's optimum): {', '.join(safe) or 'none'}", markup=False)
    for row in core[core["class"] == "borderline"].itertuples(index=False):
        out.print(f"  {row.project}: in {row.share:.1%} of the samples' optima (95% {row.low:.1%}-{row.high:.1%})",
                  markup=False)
    out.print(f"never worth it: {', '.join(never) or 'none'}", markup=False)
    det, rob = result.deterministic.risk, result.robust.risk
    if len(det):
        out.print("chance of meeting each goal: deterministic plan -> robust plan", markup=False)
        robust_met = dict(zip(rob["name"], rob["p_met"])) if len(rob) else {}
        for row in det[det["kind"] == "goal"].itertuples(index=False):
            other = robust_met.get(row.name)
            out.print(f"  {row.name}: {row.p_met:.0%} -> {'' if other is None else f'{other:.0%}'}", markup=False)
    for label, profile in (("deterministic", result.deterministic), ("robust", result.robust)):
        measures = "; ".join(f"{name} {value:,.6g}" for name, value in profile.measures)
        out.print(f"{label} plan ({profile.status}): {result.measure} {measures or '-'}", markup=False)
    price = result.price_of_robustness
    if price["stage"] is None:
        out.print("price of robustness: none (the robust plan is as good at the point estimates)", markup=False)
    else:
        relative = f" ({price['relative']:.2%})" if price["relative"] is not None else ""
        out.print(f"price of robustness: {price['value']:,.6g} of {price['stage']} at the point estimates"
                  f"{relative}", markup=False)
    if result.regret is not None:
        regret = result.regret
        projects = ", ".join(regret.projects["project"]) if len(regret.projects) else "none feasible"
        value = "-" if regret.max_regret is None else f"{regret.max_regret:,.6g}"
        out.print(f"least regret across {', '.join(regret.futures)}: largest regret {value} "
                  f"({regret.max_regret_stage or '-'}); plan: {projects}", markup=False)


__all__ = ["robust", "show_robust"]
