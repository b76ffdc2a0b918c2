"""Cells that used to read as something else without a word: Excel error values, invisible
characters, ids that differ by case, absurd sizes, a sheet present twice, list separators in
ids, a title above the header, a workbook open in Excel. Every workbook is built in the test.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from openpyxl import load_workbook

from planner.scenario import cells, load_scenario
from planner.scenario.safety import inspect_workbook
from tests.builders import minimal_tables, run_cli, write_workbook

EXCEL_ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def validate(tmp_path, tables, name="scenario.xlsx"):
    result = run_cli("validate", write_workbook(tmp_path / name, tables))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def rewrite_sheet(path, title, change):
    """Apply ``change`` to the XML bytes of sheet ``title``."""
    book = load_workbook(path, read_only=True)
    member = f"xl/worksheets/sheet{book.sheetnames.index(title) + 1}.xml"
    book.close()
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


# --- 1. Excel error cells ---------------------------------------------------------------------

def test_na_in_an_optional_column_is_an_error_not_a_country_wide_goal(tmp_path):
    tables = minimal_tables()
    tables["Goals"][0]["region"] = "#N/A"  # openpyxl saves it as an error cell, t="e"
    path = write_workbook(tmp_path / "s.xlsx", tables)
    assert b't="e"' in zipfile.ZipFile(path).read("xl/worksheets/sheet9.xml")
    result = run_cli("validate", path)
    assert result.exit_code == 1
    assert ("Goals!2: region: cell E2 holds the Excel error #N/A (a lookup found no match), not a value: "
            "correct the formula, or type the value, in Excel or LibreOffice") in result.output
    assert run_cli("solve", path, "--no-out").exit_code == 1


@pytest.mark.parametrize("error", EXCEL_ERRORS)
def test_every_excel_error_in_a_required_column_is_named_once(tmp_path, error):
    tables = minimal_tables()
    tables["Projects"][1]["cost"] = error
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert f"Projects!3: cost: cell D3 holds the Excel error {error}" in output
    assert "value is missing" not in output  # the error, not a blank


def test_computed_error_with_its_formula_is_refused(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    rewrite_sheet(path, "Budgets", lambda xml: re.sub(
        rb'<c r="C3" t="n"><v>10</v></c>', b'<c r="C3" t="e"><f>C2/0</f><v>#DIV/0!</v></c>', xml))
    assert inspect_workbook(path).error_cells == {"Budgets": [("C3", "#DIV/0!")]}
    code = run_cli("validate", path)
    assert code.exit_code == 1
    assert "Budgets!3: amount: cell C3 holds the Excel error #DIV/0! (a division by zero)" in code.output


def test_error_in_a_settings_value_a_header_and_an_unknown_column(tmp_path):
    tables = minimal_tables()
    tables["Settings"][2]["value"] = "#REF!"            # horizon
    tables["Regions"][0]["notes"] = "#VALUE!"           # a column the planner does not read
    path = write_workbook(tmp_path / "s.xlsx", tables)
    book = load_workbook(path)
    book["Impacts"]["C1"] = "#NAME?"                    # the header of 'value'
    book.save(path)
    result = run_cli("validate", path, "--json")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [e for e in errors if e.startswith("Settings")] == [
        "Settings!4: value: cell B4 holds the Excel error #REF! (the formula refers to a cell that was deleted), "
        "not a value: correct the formula, or type the value, in Excel or LibreOffice"]  # once, not also 'missing'
    assert any(e.startswith("Regions!2: notes: cell E2 holds the Excel error #VALUE!") for e in errors), errors
    assert any(e.startswith("Impacts!1: header cell C1 holds the Excel error #NAME?") for e in errors), errors


def test_error_cells_on_a_sheet_the_planner_does_not_read_are_left_alone(tmp_path):
    tables = minimal_tables()
    tables["Notes"] = [{"comment": "#N/A"}]
    assert validate(tmp_path, tables)[0] == 0


def test_error_cells_are_found_with_prefixes_and_split_chunks(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    rows = "".join(f'<x:row r="{r}"><x:c r="A{r}" t="e"><x:v>#N/A</x:v></x:c><x:c r="B{r}"><x:v>1</x:v></x:c></x:row>'
                   if r % 20000 == 0 else f'<x:row r="{r}"><x:c r="B{r}"><x:v>{r}</x:v></x:c></x:row>'
                   for r in range(1, 60_001))
    xml = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           f'{rows}<x:row r="60001"><x:c r="C60001" t=\'e\'/></x:row></x:sheetData></x:worksheet>').encode()
    rewrite_sheet(path, "Impacts", lambda _: xml)
    found = inspect_workbook(path).error_cells["Impacts"]
    assert found == [("A20000", "#N/A"), ("A40000", "#N/A"), ("A60000", "#N/A"), ("C60001", "")]


# --- 2. invisible characters and case --------------------------------------------------------

@pytest.mark.parametrize("dirty", ["P1\u200b", "\ufeffP1", "P1\u00a0", "P\u00ad1", "\u2060P1\u200d"])
def test_invisible_characters_in_ids_are_ignored(tmp_path, dirty):
    tables = minimal_tables()
    tables["Impacts"][0]["project"] = dirty            # refers to P1
    tables["Projects"][1]["requires"] = f"{dirty}, P3"
    path = write_workbook(tmp_path / "s.xlsx", tables)
    assert run_cli("validate", path).exit_code == 0
    scenario = load_scenario(path)
    assert list(scenario.tables["Impacts"]["project"]) == ["P1", "P2", "P3"]
    assert scenario.tables["Projects"]["requires"][1] == ("P1", "P3")


def test_ids_are_compared_after_unicode_normalisation(tmp_path):
    tables = minimal_tables()
    decomposed, composed = "Xo\u0301razm", "X\u00f3razm"  # o + combining acute; the one character ó
    tables["Regions"][0]["region"] = decomposed
    tables["Projects"][0]["region"] = composed
    tables["Baseline"][0]["region"] = composed
    tables["Goals"][0]["region"] = decomposed
    code, output = validate(tmp_path, tables)
    assert code == 0, output
    assert cells.parse_id("e\u0301") == "\u00e9"       # NFC: one character


def test_an_id_that_is_only_invisible_characters_is_missing(tmp_path):
    tables = minimal_tables()
    tables["Projects"][0]["project"] = "\u200b\u00a0"
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert "Projects!2: project: value is missing" in output


def test_duplicate_made_by_invisible_characters_shows_them(tmp_path):
    tables = minimal_tables()
    tables["Projects"][2]["project"] = "P1\u200b"
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert ("Projects!4: project: duplicate project (as written, 'P1\\u200b' carries invisible characters or "
            "odd spaces, which are ignored) (P1)") in output, output


@pytest.mark.parametrize("sheet, index, column, value, first", [
    ("Projects", 2, "project", "p1", "P1"),
    ("Regions", 1, "region", "a", "A"),
])
def test_ids_differing_only_by_case_in_one_sheet_are_an_error(tmp_path, sheet, index, column, value, first):
    tables = minimal_tables()
    tables[sheet][index][column] = value
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert (f"{sheet}!{index + 2}: {column}: same {column} as row 2 ({first}) but for upper/lower case: to a "
            f"person they are one id; use one spelling, or rename one ({value})") in output, output


def test_a_reference_differing_only_by_case_names_the_id_it_means(tmp_path):
    tables = minimal_tables()
    tables["Impacts"][0]["project"] = "p1"
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert "Impacts!2: project: unknown project (p1); did you mean P1? (ids are matched exactly" in output


# --- 3. magnitudes ---------------------------------------------------------------------------

@pytest.mark.parametrize("sheet, index, column, value", [
    ("Projects", 0, "cost", 1e308), ("Budgets", 0, "amount", 2e15), ("Regions", 0, "population", 1e16),
    ("Impacts", 0, "value", -1e20), ("Goals", 0, "target", 1e300),
])
def test_amounts_over_1e15_are_refused_at_their_cell(tmp_path, sheet, index, column, value):
    tables = minimal_tables()
    tables[sheet][index][column] = value
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert f"{sheet}!{index + 2}: {column}: implausibly large: more than 1e+15 in any unit" in output


@pytest.mark.parametrize("horizon, expected", [
    (1_000_000, "Settings!4: value: horizon: at most 100 years; a horizon of 1,000,000 years would build a "
                "model too large to solve (1000000)"),
    (2035, "Settings!4: value: horizon: 2035 looks like a year; the horizon is the number of years planned "
           "(for 2026-2035, write 10) (2035)"),
    (101, "Settings!4: value: horizon: at most 100 years"),
])
def test_implausible_horizons_are_refused_before_building_anything(tmp_path, horizon, expected):
    tables = minimal_tables()
    tables["Settings"][2]["value"] = horizon
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert expected in output, output


def test_years_have_four_digits(tmp_path):
    tables = minimal_tables()
    tables["Budgets"][0]["year"] = 1e9
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert "Budgets!2: year: expected a year with four digits" in output


# --- 4. sheets twice, separators in ids, a title above the header ---------------------------

def test_a_sheet_present_twice_under_names_that_match_is_an_error(tmp_path):
    tables = minimal_tables()
    tables["Projects "] = [dict(row, cost=1) for row in tables["Projects"]]
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert ("Projects: the workbook has two sheets with this name, 'Projects' and 'Projects ' (sheet names "
            "are matched ignoring upper/lower case and surrounding spaces); delete or rename one") in output


@pytest.mark.parametrize("sheet, column, value", [
    ("Projects", "project", "P1, P2"), ("Regions", "region", "A;B"), ("Funds", "fund", "national,eu"),
])
def test_an_id_with_a_list_separator_is_refused_where_it_is_defined(tmp_path, sheet, column, value):
    tables = minimal_tables()
    tables[sheet][0][column] = value
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert f"{sheet}!2: {column}: an id cannot contain a comma or a semicolon" in output, output


@pytest.mark.parametrize("blank_rows", [0, 2])
def test_a_title_above_the_header_is_one_message(tmp_path, blank_rows):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    book = load_workbook(path)
    sheet = book["Projects"]
    sheet.insert_rows(1, 1 + blank_rows)
    sheet["A1"] = "Candidate projects, 2026 programme"
    book.save(path)
    result = run_cli("validate", path)
    assert result.exit_code == 1
    projects = [line for line in result.output.splitlines() if line.startswith("Projects")]
    header_row = 2 + blank_rows
    assert projects == [f"Projects!1: the column names must be on row 1, but they are on row {header_row} (a title "
                        f"or blank rows above the table?): delete rows 1-{header_row - 1} in Excel or LibreOffice"]


def test_a_sheet_without_any_column_name_is_one_message(tmp_path):
    tables = minimal_tables()
    tables["Funds"] = [{"фонд": "national", "перенос": "no"}]
    code, output = validate(tmp_path, tables)
    assert code == 1
    assert [line for line in output.splitlines() if line.startswith("Funds")] == [
        "Funds!1: row 1 names none of this sheet's columns (fund, carry_over, kind, interest_rate, grace_years, "
        "repayment_years, repaid_from); put the column names on row 1"]


# --- 7. control characters pasted from Word ---------------------------------------------------

def test_control_characters_in_text_are_read_as_spaces(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    rewrite_sheet(path, "Regions", lambda xml: xml.replace(b"Region A", b"Region_x000B_A_x0007_"))
    scenario = load_scenario(path)
    assert scenario.tables["Regions"]["name"][0] == "Region A"


# --- Also: a workbook open in Excel or LibreOffice --------------------------------------------

@pytest.mark.parametrize("lock", ["~$s.xlsx", ".~lock.s.xlsx#"])
def test_a_lock_file_beside_the_workbook_is_a_warning(tmp_path, lock):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    (tmp_path / lock).write_bytes(b"\x00" * 165)
    result = run_cli("validate", path)
    assert result.exit_code == 0
    assert (f"warning: s.xlsx: the workbook is open in Excel or LibreOffice (its lock file '{lock}' is beside it): "
            "changes not yet saved there are not read; save the workbook first") in result.output


# --- Also: a <= goal with a target of 0 -------------------------------------------------------

def test_a_ceiling_of_zero_warns_that_its_shortfall_dominates(tmp_path):
    tables = minimal_tables()
    tables["Indicators"].append({"indicator": "emissions", "unit": "kt"})
    tables["Baseline"].append({"region": "A", "indicator": "emissions", "value": 900})
    tables["Goals"].append({"goal": "G2", "indicator": "emissions", "sense": "<=", "target": 0, "priority": 1})
    code, output = validate(tmp_path, tables)
    assert code == 0, output
    assert ("warning: Goals!3: target: goal G2 (emissions <= 0, level) has a target of 0, so its shortfall is "
            "scored per unit of emissions rather than relative to the target: its baseline is already 900 over "
            "the limit, which alone weighs as much as 900 other goals of priority 1 missed in full") in output
    tables["Goals"][1]["hard"] = "yes"
    assert "target of 0" not in validate(tmp_path, tables, "hard.xlsx")[1]
