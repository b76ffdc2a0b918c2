"""Keep models/allocation.md, the builder functions, the Pyomo components and the tests in step."""

from __future__ import annotations

import re

import pyomo.environ as pyo

from planner.model import BUILDER_MODULES, CONSTRAINT_FAMILIES, build_model
from planner.scenario import load_scenario
from tests.builders import ROOT, minimal_tables, write_workbook


def spec_ids() -> list[str]:
    ids = []
    for page in ("allocation.md", "families.md", "equity.md"):
        text = (ROOT / "models" / page).read_text(encoding="utf-8")
        ids += re.findall(r"^### `([a-z_]+)`", text, flags=re.MULTILINE)
    return ids


def test_spec_lists_exactly_the_constraint_families_in_build_order():
    assert spec_ids() == list(CONSTRAINT_FAMILIES)


def test_every_family_has_a_builder_named_after_it():
    builders = sorted(n[len("add_"):] for module in BUILDER_MODULES for n in dir(module)
                      if n.startswith("add_")
                      and n not in ("add_constraint", "add_equity_variables", "add_level_variables"))
    assert builders == sorted(CONSTRAINT_FAMILIES)


def test_model_components_are_named_after_the_spec_ids(tmp_path):
    scenario = load_scenario(write_workbook(tmp_path / "s.xlsx", minimal_tables()))
    model = build_model(scenario).model
    names = sorted(c.local_name for c in model.component_objects(pyo.Constraint))
    assert names == sorted(CONSTRAINT_FAMILIES)


def test_every_family_has_a_hand_solved_test():
    text = "\n".join((ROOT / "tests" / "model" / name).read_text(encoding="utf-8")
                     for name in ("test_families.py", "test_investment_families.py", "test_equity.py"))
    tested = set(re.findall(r"^def test_([a-z_]+?)_", text, flags=re.MULTILINE))
    for family in CONSTRAINT_FAMILIES:
        assert re.search(rf"^def test_{family}_", text, flags=re.MULTILINE), f"no test for {family}"
    assert tested


def test_workbook_reference_page_is_generated_from_the_schema():
    from planner.scenario.reference import reference_markdown

    page = (ROOT / "models" / "workbook.md").read_text(encoding="utf-8")
    assert page == reference_markdown(), "run: python -m planner.scenario.reference > models/workbook.md"
