"""Help for planners editing a workbook: drop-down lists of ids, "did you mean ...?", every problem
in one pass."""

from __future__ import annotations

from openpyxl import load_workbook

from planner.output.template import TEMPLATE_ROWS, write_template
from planner.scenario import check_scenario
from planner.scenario.schema import SHEETS
from planner.scenario.suggest import did_you_mean, distance
from tests.builders import minimal_tables, run_cli, write_workbook


def test_every_id_column_that_refers_to_another_sheet_has_a_drop_down_fed_from_it(tmp_path):
    book = load_workbook(write_template(tmp_path / "t.xlsx"))
    referring = [(sheet, column) for sheet in SHEETS for column in sheet.columns if column.refers]
    assert len(referring) >= 20
    for sheet, column in referring:
        ws = book[sheet.name]
        letter = chr(ord("A") + [c.name for c in sheet.columns].index(column.name))
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS}"
        found = [dv for dv in ws.data_validations.dataValidation if cells in str(dv.sqref)]
        assert found, f"{sheet.name}.{column.name} has no drop-down"
        source_sheet, source_column = column.refers[0].split(".")
        source = next(s for s in SHEETS if s.name == source_sheet)
        source_letter = chr(ord("A") + [c.name for c in source.columns].index(source_column))
        assert found[0].formula1 == f"'{source_sheet}'!${source_letter}$2:${source_letter}${TEMPLATE_ROWS}"
    projects = {str(dv.sqref): dv for dv in book["Projects"].data_validations.dataValidation}
    assert projects[f"D2:D{TEMPLATE_ROWS}"].formula1 == f"'Regions'!$A$2:$A${TEMPLATE_ROWS}"  # region
    assert projects[f"D2:D{TEMPLATE_ROWS}"].showErrorMessage  # one id from one sheet: refused otherwise
    assert not projects[f"M2:M{TEMPLATE_ROWS}"].showErrorMessage  # funds: a comma list is allowed


def test_did_you_mean_for_another_case_or_a_small_typo():
    known = ["samarkand", "tashkent_city", "tashkent_region", "navoi"]
    assert did_you_mean("Samarkand", known) == "did you mean samarkand?"
    assert did_you_mean("tashknt_city", known) == "did you mean tashkent_city?"
    assert did_you_mean("navio", known) == "did you mean navoi?"  # two letters swapped: one edit
    assert did_you_mean("bukhara", known) == ""
    assert distance("kitten", "sitting") == 3


def test_unknown_ids_get_a_suggestion_in_the_message(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0]["region"] = "a"
    tables["Budgets"][0]["fund"] = "nationl"
    tables["Settings"].append({"key": "tie_brake", "value": "none"})
    output = run_cli("validate", write_workbook(tmp_path / "s.xlsx", tables)).output
    assert "Projects!2: region: unknown region (a); did you mean A?" in output
    assert "Budgets!2: fund: unknown fund (nationl); did you mean national?" in output
    assert "Settings!5: key: unknown setting; it is ignored (tie_brake); did you mean tie_break?" in output


def test_every_problem_in_one_pass_including_the_variants_of_an_invalid_base(tmp_path):
    # The base has an error (an unknown region) and a family error (an unknown partner); a variant
    # matches no row. All three are reported at once, the base's error only once.
    tables = minimal_tables()
    tables["Projects"][0]["region"] = "nowhere"
    tables["Projects"][1]["partner"] = "XX"
    tables["Variants"] = [{"variant": "v", "sheet": "Projects", "where": "project=P9", "column": "cost",
                           "multiply": 2},
                          {"variant": "w", "sheet": "Budgets", "where": "", "column": "amount", "multiply": -1}]
    scenario, problems = check_scenario(write_workbook(tmp_path / "s.xlsx", tables))
    texts = [str(p) for p in problems if p.severity == "error"]
    assert scenario is None
    assert "Projects!2: region: unknown region (nowhere)" in texts
    assert "Projects!3: partner: unknown partner (XX)" in texts
    assert "Variants!2: where: matches no row of Projects (project=P9)" in texts
    assert any(t.startswith("Variants!3: variant: variant w (Variants row 3) gives: Budgets!2: amount: must be "
                            "at least 0") for t in texts), texts
    assert sum("unknown region (nowhere)" in t for t in texts) == 1
