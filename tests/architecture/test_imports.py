"""Imports go one way through the pipeline stages, with no cycle, counting imports inside functions.

scenario -> model -> solver -> results -> advice / compare -> output -> pipeline -> api -> cli:
a module may import its own package and the stages before it, never a later one. Every
``import`` statement of every module is read with ``ast`` (so an import hidden inside a
function counts too), and the module graph must have no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.builders import ROOT

PACKAGE = ROOT / "planner"

#: Stage of each top-level module or package of planner/ (lower = earlier in the pipeline).
STAGES = {
    "version": 0, "errors": 0, "status": 0, "parallel": 0,
    "scenario": 1, "model": 2, "solver": 3, "results": 4, "advice": 5, "comparison": 5,
    "output": 6, "pipeline": 7, "api": 8, "cli": 9, "": 10,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def resolve(name: str, known: dict[str, Path]) -> str | None:
    """The planner module an import refers to (a submodule when it is one), or None."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Every planner module ``path`` imports, anywhere in its code."""
    found: set[str] = set()
    own = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import submodule`` is an import of the submodule; any other name
            # comes from the module itself.
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                     for a in node.names]
        else:
            continue
        for name in names:
            if name == "planner" or name.startswith("planner."):
                target = resolve(name, known)
                if target and target != own:
                    found.add(target)
    return found


def stage(module: str) -> int:
    parts = module.split(".")
    return STAGES[parts[1] if len(parts) > 1 else ""]


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) for name, path in known.items()}


def test_every_top_level_module_has_a_stage():
    tops = {m.split(".")[1] if "." in m else "" for m in modules()}
    assert tops <= set(STAGES), f"add a stage for {sorted(tops - set(STAGES))}"


def test_imports_never_go_to_a_later_stage_or_across_peers():
    edges = graph()
    wrong = []
    for source, targets in edges.items():
        for target in targets:
            same_package = source.split(".")[:2] == target.split(".")[:2]
            if same_package or target == "planner":
                continue
            if stage(target) > stage(source) or (stage(target) == stage(source) and stage(source) > 0):
                wrong.append(f"{source} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_module_graph_has_no_cycle():
    edges = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_highs_statuses_are_read_in_one_module():
    readers = [module_name(p) for p in PACKAGE.rglob("*.py")
               if any(word in p.read_text(encoding="utf-8")
                      for word in ("getModelStatus", "primal_solution_status", "HighsModelStatus."))]
    assert readers == ["planner.status"]
