"""Reading workbooks as planners and other programs write them (through `planner validate`)."""

from __future__ import annotations

import re
import time
import zipfile

from openpyxl import load_workbook
from openpyxl.styles import Font

from tests.builders import minimal_tables, run_cli, write_workbook


def rewrite_member(path, member, change):
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def sheet_member(path, title):
    book = load_workbook(path, read_only=True)
    index = book.sheetnames.index(title) + 1
    book.close()
    return f"xl/worksheets/sheet{index}.xml"


def test_merged_cells_inside_a_table_are_named(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    book = load_workbook(path)
    book["Projects"].merge_cells("A3:B3")
    book.save(path)
    result = run_cli("validate", path)
    assert result.exit_code == 1
    assert "Projects!3: merged cells A3:B3 inside a table" in result.output


def test_formula_without_saved_value_names_the_cell(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    book = load_workbook(path)
    book["Projects"]["D2"] = "=4*2"  # cost of P1, written by a program, never computed
    book.save(path)
    result = run_cli("validate", path)
    assert result.exit_code == 1
    assert "Projects!2: cell D2 holds a formula with no saved value" in result.output


def test_formula_with_saved_value_uses_it(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    member = sheet_member(path, "Projects")
    rewrite_member(path, member, lambda xml: re.sub(rb'<c r="D2"( t="n")?><v>8</v></c>',
                                                   b'<c r="D2"><f>4*2</f><v>8</v></c>', xml))
    assert b"<f>4*2</f>" in zipfile.ZipFile(path).read(member)
    assert run_cli("validate", path).exit_code == 0


def test_hidden_sheet_is_read_with_a_warning(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    book = load_workbook(path)
    book["Baseline"].sheet_state = "hidden"
    book.save(path)
    result = run_cli("validate", path)
    assert result.exit_code == 0
    assert "warning: Baseline: sheet is hidden in Excel; it is read all the same" in result.output


def test_a_lying_dimension_tag_does_not_hide_rows(tmp_path):
    tables = minimal_tables()
    tables["Projects"][2]["region"] = "Atlantis"  # row 4 must still be read
    path = write_workbook(tmp_path / "s.xlsx", tables)
    member = sheet_member(path, "Projects")
    rewrite_member(path, member, lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A1"/>', xml))
    assert b'<dimension ref="A1:A1"/>' in zipfile.ZipFile(path).read(member)
    result = run_cli("validate", path)
    assert "Projects!4: region: unknown region (Atlantis)" in result.output


def test_formatting_to_the_last_row_is_fast(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    book = load_workbook(path)
    book["Projects"]["A1048576"].font = Font(bold=True)
    book["Projects"]["M1048576"].font = Font(bold=True)
    book.save(path)
    started = time.perf_counter()
    result = run_cli("validate", path)
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 5


def test_lock_file_is_never_read_as_a_scenario(tmp_path):
    lock = tmp_path / "~$s.xlsx"
    lock.write_bytes(b"\x00" * 165)
    result = run_cli("validate", lock)
    assert result.exit_code == 1
    assert "lock file" in result.output
    assert "Traceback" not in result.output


def test_csv_named_xlsx_is_one_sentence(tmp_path):
    fake = tmp_path / "s.xlsx"
    fake.write_text("project,cost\nP1,5\n")
    result = run_cli("validate", fake)
    assert result.exit_code == 1
    assert "CSV" in result.output and "s.xlsx" in result.output
