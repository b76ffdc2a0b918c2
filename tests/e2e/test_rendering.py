"""Every workbook the planner writes for the bundled scenarios, rendered by LibreOffice as a person
prints it (issue 17): it converts to PDF, no chart or picture covers a used cell, every numeric cell
has a number format (never General), line charts are unsmoothed, and the page counts stay small
(the Uzbekistan results under 25 pages in each language).

LibreOffice (``soffice``) is installed by .ci/run; on a developer machine without it the test is
skipped, in CI (CI=true) it fails instead. All workbooks are converted by one soffice process.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.advice.alternatives import find_alternatives
from planner.advice.frontier import budget_frontier
from planner.comparison import Outcome
from planner.output.advice_workbooks import write_alternatives, write_frontier
from planner.output.comparison_workbook import write_comparison
from planner.output.template import write_template
from planner.pipeline import run_scenario
from planner.scenario import load_scenario
from planner.solver import SolveOptions
from tests.builders import ROOT

SCENARIOS = ROOT / "scenarios"
SOFFICE = shutil.which("soffice")
EMU_PER_PX = 9525

#: Most pages each workbook may print on (landscape A4, one page wide; the template has two pages
#: more since the CostProfiles and Portfolio sheets).
PAGES = {"uzbekistan-en": 24, "uzbekistan-ru": 24, "uzbekistan-uz": 24, "small": 12, "infeasible": 9,
         "comparison": 12, "frontier": 4, "alternatives": 8, "template": 24}

pytestmark = pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                                reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def workbooks(uzbekistan_result, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("render")
    result, _ = uzbekistan_result
    books = {f"uzbekistan-{lang}": result.to_excel(folder / f"uzbekistan-{lang}.xlsx", lang=lang)
             for lang in ("en", "ru", "uz")}
    small = run_scenario(SCENARIOS / "small.xlsx", out=folder / "small.xlsx", marginal=True, fairness=True)
    books["small"] = folder / "small.xlsx"
    books["infeasible"] = folder / "infeasible.xlsx"
    run_scenario(SCENARIOS / "infeasible.xlsx", out=books["infeasible"])
    outcomes = [Outcome(r.answer.scenario, str(r.status), r.answer) for r in (result, small)]
    books["comparison"] = write_comparison(outcomes, folder / "comparison.xlsx")
    scenario = load_scenario(SCENARIOS / "small.xlsx")
    options = SolveOptions.from_settings(scenario.settings)
    books["frontier"] = write_frontier(budget_frontier(scenario, None, 0.6, 1.4, 5, options), folder / "frontier.xlsx")
    books["alternatives"] = write_alternatives(find_alternatives(scenario, 0.1, 2, options),
                                               folder / "alternatives.xlsx")
    books["template"] = write_template(folder / "template.xlsx")
    return books


@pytest.fixture(scope="module")
def pdfs(workbooks, tmp_path_factory) -> dict[str, Path]:
    if SOFFICE is None:
        pytest.fail("CI must render the workbooks: .ci/run installs LibreOffice (libreoffice-calc-nogui)")
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    started = time.perf_counter()
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(out), *map(str, workbooks.values())],
                          capture_output=True, text=True, timeout=600)
    print(f"LibreOffice converted {len(workbooks)} workbooks in {time.perf_counter() - started:.1f} s")
    assert done.returncode == 0, done.stderr
    return {name: out / f"{path.stem}.pdf" for name, path in workbooks.items()}


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    if info.returncode == 0:
        return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_every_workbook_converts_and_prints_on_few_pages(pdfs):
    counts = {}
    for name, pdf in pdfs.items():
        assert pdf.is_file() and pdf.stat().st_size > 1000, name
        counts[name] = pages(pdf)
    print("pages:", counts)
    for name, count in counts.items():
        assert count <= PAGES[name], (name, count)


def test_no_chart_or_picture_covers_a_used_cell(workbooks):
    for name, path in workbooks.items():
        book = load_workbook(path)
        for ws in book.worksheets:
            used = {(c.row, c.column) for row in ws.iter_rows() for c in row if c.value is not None}
            for drawing in list(ws._charts) + list(ws._images):
                covered = cells_under(ws, drawing.anchor)
                assert not covered & used, (name, ws.title, sorted(covered & used)[:5])


def cells_under(ws, anchor) -> set[tuple[int, int]]:
    """The cells a drawing's anchor spans (one-cell anchors: from its size in pixels)."""
    first_row, first_col = anchor._from.row + 1, anchor._from.col + 1
    if getattr(anchor, "to", None) is not None:
        last_row, last_col = anchor.to.row + 1, anchor.to.col + 1
    else:
        width, height = anchor.ext.width / EMU_PER_PX, anchor.ext.height / EMU_PER_PX
        last_col, left = first_col, width
        while left > 0:
            letter = ws.cell(row=1, column=last_col).column_letter
            left -= (ws.column_dimensions[letter].width or 8.43) * 7 + 5
            last_col += 1
        last_row, left = first_row, height
        while left > 0:
            left -= (ws.row_dimensions[last_row].height or 15) * 4 / 3
            last_row += 1
        last_row, last_col = last_row - 1, last_col - 1
    return {(r, c) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1)}


def test_every_numeric_cell_has_a_number_format(workbooks):
    for name, path in workbooks.items():
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                        assert cell.number_format != "General", (name, ws.title, cell.coordinate, cell.value)


def test_line_charts_are_unsmoothed(workbooks):
    lines = 0
    for name, path in workbooks.items():
        with zipfile.ZipFile(path) as package:
            for chart in (n for n in package.namelist() if n.startswith("xl/charts/chart")):
                xml = package.read(chart).decode()
                if re.search(r"<(c:)?lineChart>", xml):
                    lines += 1
                    assert not re.search(r"<(c:)?smooth val=\"(1|true)\"", xml), (name, chart)
    assert lines >= 2  # the frontier's curves


def test_the_uzbekistan_brief_is_one_page_with_its_map(workbooks):
    for lang, title in (("en", "Brief"), ("ru", "Справка"), ("uz", "Qisqacha")):
        book = load_workbook(workbooks[f"uzbekistan-{lang}"])
        assert book.sheetnames[0] == title
        assert book[title].page_setup.fitToHeight == 1
        assert len(book[title]._images) == 1  # the map (matplotlib is in the test extra)
