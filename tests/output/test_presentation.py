"""What a person sees in the workbooks (issue 17): formats from meaning, no noise, charts clear of the
tables and unsmoothed, print setup, the Brief, the map, the language, file modes.

Rendering in LibreOffice (page counts, conversion) is tests/e2e/test_rendering.py.
"""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest
from openpyxl import load_workbook

import planner
from planner.output import excel, labels, maps
from planner.output.brief import brief, brief_text
from planner.output.excel import (
    add_line_chart,
    anchor_cell,
    atomic_write,
    drawing_box,
    format_kind,
    new_workbook,
    number_format,
    write_table,
)
from tests.builders import minimal_tables, run_cli, write_workbook


def with_coordinates(tables: dict) -> dict:
    for k, region in enumerate(tables["Regions"]):
        region["lat"], region["lon"] = 40.0 + k, 65.0 + 2 * k
    return tables


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("presentation")
    path = write_workbook(folder / "s.xlsx", with_coordinates(minimal_tables()))
    return planner.solve(path), folder


# --- number formats, noise, widths --------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind"), [
    ("budget", "money"), ("used", "money"), ("carried_over", "money"), ("paid national 2026", "money"),
    ("invested", "money"), ("partner_money", "money"), ("own_cost", "money"), ("total_cost", "money"),
    ("share", "share"), ("progress", "share"), ("uzbekistan progress", "share"), ("change_pct", "share"),
    ("attainment G1", "share"), ("population_share", "share"), ("invested_share", "share"),
    ("invested per person (USD)", "per_person"), ("benefit per 1,000 persons (money a year)", "per_person"),
    ("MIP gap", "gap"), ("mip_gap", "gap"), ("year", "year"), ("start", "year"), ("complete_from", "year"),
    ("population", "count"), ("chosen_in", "count"), ("priority", "count"), ("solve seconds", "seconds"),
    ("achieved", "number"), ("2030", "number"), ("gain grp", "number"), ("objective", "number"),
])
def test_a_column_s_format_follows_its_meaning(name, kind):
    assert format_kind(name) == kind


def test_money_shows_thousands_and_as_many_decimals_as_its_figures_need():
    assert number_format("money", [3715.09984045638, 1720.0]) == "#,##0"
    assert number_format("money", [12.5, 40.0, 8.25]) == "#,##0.0"
    assert number_format("money", [0.25, 0.4]) == "#,##0.00"
    assert number_format("share", [0.5]) == "0.0%"
    assert number_format("gap", [9.46e-05]) == "0.00E+00"
    assert number_format("year", [2026]) == "0"  # not 2,026


def test_every_number_gets_a_format_noise_is_zero_and_bools_are_words():
    wb = new_workbook()
    ws = wb.create_sheet("T")
    frame = pd.DataFrame({"name": ["a", "b"], "objective": [3715.09984045638, 1e-7], "met": [True, False],
                          "MIP gap": [9.46e-05, 0.0], "year": [2026, 2027]})
    write_table(ws, frame)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, (int, float)):
                assert cell.number_format != "General", cell.coordinate
    assert ws["B3"].value == 0.0  # 1e-7 is solver noise
    assert ws["D2"].value == pytest.approx(9.46e-05)  # a gap is kept as it is, in scientific form
    assert ws["C2"].value == "yes" and ws["C3"].value == "no"
    assert ws.column_dimensions["B"].width < 15  # "3,715" and a header, not 3715.09984045638


def test_text_from_the_input_is_never_a_formula():
    wb = new_workbook()
    ws = wb.create_sheet("T")
    write_table(ws, pd.DataFrame({"name": ['=HYPERLINK("http://x","y")']}))
    assert ws["A2"].data_type == "s"


# --- files -----------------------------------------------------------------------------------------

def test_files_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = atomic_write(tmp_path / "f.xlsx", lambda p: p.write_bytes(b"x"))
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        os.umask(0o077)
        target = atomic_write(tmp_path / "g.xlsx", lambda p: p.write_bytes(b"x"))
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_a_file_open_elsewhere_names_excel_or_libreoffice(tmp_path, monkeypatch):
    def refuse(path):
        raise PermissionError("locked")

    with pytest.raises(planner.errors.OutputError, match="Excel or LibreOffice"):
        atomic_write(tmp_path / "f.xlsx", refuse)


# --- charts and print setup -------------------------------------------------------------------------

def used_cells(ws) -> set[tuple[int, int]]:
    return {(c.row, c.column) for row in ws.iter_rows() for c in row if c.value is not None}


def assert_no_drawing_over_a_used_cell(ws):
    used = used_cells(ws)
    for chart in ws._charts:
        row, column = anchor_cell(chart.anchor)
        box = drawing_box(ws, row, column, chart.width * excel.CM, chart.height * excel.CM)
        covered = {(r, c) for r in range(box.first_row, box.last_row + 1)
                   for c in range(box.first_column, box.last_column + 1)}
        assert not covered & used, (ws.title, sorted(covered & used)[:5])


def test_results_workbook_layout(solved):
    result, folder = solved
    book = load_workbook(result.to_excel(folder / "r.xlsx"))
    assert book.sheetnames[0] == "Brief"
    charts = 0
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert "&A" in ws.oddFooter.center.text and ws.oddFooter.left.text
        if ws.title != "Brief":
            assert ws.print_title_rows in ("1:1", "$1:$1")
        assert_no_drawing_over_a_used_cell(ws)
        charts += len(ws._charts)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
    assert charts >= 3
    for chart in book["Goals"]._charts:
        assert chart.y_axis.scaling.min == 0  # bars from zero, not from 98.5%
    assert book["Brief"].page_setup.fitToHeight == 1  # one page
    assert len(book["Brief"]._images) == (1 if maps.available() else 0)


def test_line_charts_are_unsmoothed_with_axes_titled():
    wb = new_workbook()
    ws = wb.create_sheet("F")
    frame = pd.DataFrame({"money": [1.0, 2.0, 3.0], "objective": [1.0, 1.0, 3.0]})
    write_table(ws, frame)
    add_line_chart(ws, frame, "money", ["objective"], "objective against money", "money", "objective")
    chart = ws._charts[0]
    assert chart.smooth is False and all(s.smooth is False for s in chart.series)
    assert chart.x_axis.delete is False and chart.y_axis.delete is False
    assert_no_drawing_over_a_used_cell(ws)


# --- the Brief, the console, the language -------------------------------------------------------------

def test_brief_says_what_is_funded_got_and_missing(solved):
    result, _ = solved
    text = brief_text(brief(result.answer, result.findings, "en"))
    assert "What we fund" in text and "What we get" in text and "What is missing" in text
    assert "The plan funds 2 projects" in text or "The plan funds" in text
    for number in ("e+0", "e-0"):
        assert number not in text
    ru = brief_text(brief(result.answer, result.findings, "ru"))
    assert "Что финансируем" in ru and "What we fund" not in ru
    uz = brief_text(brief(result.answer, result.findings, "uz"))
    assert "Nimani moliyalashtiramiz" in uz


def test_solve_prints_the_brief_in_the_language_asked(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    result = run_cli("solve", path, "--lang", "ru", "--out", tmp_path / "r.xlsx", "--no-explain")
    assert result.exit_code == 0, result.output
    assert "Что финансируем" in result.stdout and "Выбранные проекты" in result.stdout
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[:3] == ["Справка", "Сводка", "План"]
    assert [c.value for c in book["План"][1]][:2] == ["проект", "название"]
    assert run_cli("solve", path, "--lang", "fr", "--no-out").exit_code == 1


def test_settings_language_chooses_the_language(tmp_path):
    tables = minimal_tables()
    tables["Settings"].append({"key": "language", "value": "uz"})
    result = planner.solve(write_workbook(tmp_path / "s.xlsx", tables), explain_goals=False)
    book = load_workbook(result.to_excel(tmp_path / "r.xlsx"))
    assert book.sheetnames[0] == "Qisqacha"
    assert load_workbook(result.to_excel(tmp_path / "e.xlsx", lang="en")).sheetnames[0] == "Brief"


def test_every_label_has_all_three_languages():
    for table in (labels.SHEETS, labels.HEADERS, labels.TEXT):
        for key, entry in table.items():
            assert len(entry) == 3 and all(isinstance(t, str) and t.strip() for t in entry), key
    for pattern, entry in labels.PATTERNS + labels.SUMMARY:
        assert len(entry) == 3 and all(t.strip() for t in entry), pattern
    for key, entry in labels.TEXT.items():  # the same placeholders in every language
        fields = [sorted(set(_fields(t))) for t in entry]
        assert fields[0] == fields[1] == fields[2], key
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for entry in labels.SHEETS.values() for t in entry)


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_every_header_of_the_results_workbook_is_said_in_russian_and_uzbek(solved, tmp_path):
    result, _ = solved
    for lang in ("ru", "uz"):
        book = load_workbook(result.to_excel(tmp_path / f"r-{lang}.xlsx", lang=lang))
        english = set(labels.HEADERS) - {"model", "true"}
        for ws in book.worksheets[1:]:
            header = [c.value for c in ws[1] if c.value is not None]
            assert not set(header) & english, (lang, ws.title, set(header) & english)


def test_numbers_in_sentences_are_written_as_each_language_writes_them():
    assert labels.number(3715.09984045638) == "3,715"
    assert labels.number(3715.09984045638, "ru") == "3\u202f715"
    assert labels.number(3006203.0) == "3,006,203"  # not 3.00444e+06
    assert labels.number(0.00343913) == "0.0034"
    assert labels.percent(0.878) == "88%" and labels.percent(0.878, "uz") == "88\u00a0%"
    assert labels.count_of(42, "project", "ru") == "42 проекта"
    assert labels.count_of(11, "project", "ru") == "11 проектов"


# --- the map ------------------------------------------------------------------------------------------

@pytest.mark.skipif(not maps.available(), reason="matplotlib (the maps extra) is not installed")
def test_figures_writes_the_map_as_png_and_svg(tmp_path):
    path = write_workbook(tmp_path / "s.xlsx", with_coordinates(minimal_tables()))
    result = run_cli("solve", path, "--no-out", "--no-explain", "--figures", tmp_path / "figures")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert names == ["s-map.png", "s-map.svg"]
    assert (tmp_path / "figures" / "s-map.png").read_bytes()[:4] == b"\x89PNG"


def test_the_workbook_is_valid_without_matplotlib(solved, tmp_path, monkeypatch):
    result, _ = solved
    monkeypatch.setattr(maps, "available", lambda: False)
    book = load_workbook(result.to_excel(tmp_path / "r.xlsx"))
    assert book.sheetnames[0] == "Brief" and not book["Brief"]._images


def test_a_scenario_without_coordinates_has_no_map(tmp_path):
    result = planner.solve(write_workbook(tmp_path / "s.xlsx", minimal_tables()), explain_goals=False)
    assert maps.map_data(result.answer) is None
    assert not load_workbook(result.to_excel(tmp_path / "r.xlsx"))["Brief"]._images
