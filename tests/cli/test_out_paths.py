"""``--out`` is checked before any solve, by every command that writes, and a finished solve is
never lost to the writer: no traceback, no overwritten input or user file, no partial file."""

from __future__ import annotations

import json
import os

import pytest
from openpyxl import Workbook, load_workbook

from planner.cli import advice as advice_cli
from planner.cli import compare as compare_cli
from planner.cli import solve as solve_cli
from planner.output import excel
from tests.builders import minimal_tables, run_cli, write_workbook

#: command -> (arguments before --out, the function that would start the work)
COMMANDS = {
    "solve": ((), (solve_cli, "run_scenario")),
    "compare": ((), (compare_cli, "run_jobs")),
    "frontier": (("--steps", "2"), (advice_cli, "budget_frontier")),
    "alternatives": (("--count", "1"), (advice_cli, "find_alternatives")),
}


@pytest.fixture
def no_work(monkeypatch):
    """Make starting any solve a test failure: the refusals must come first."""
    def started(*args, **kwargs):
        raise AssertionError("the work started before --out was checked")

    for _, (module, name) in COMMANDS.values():
        monkeypatch.setattr(module, name, started)


def user_workbook(path):
    wb = Workbook()
    wb.active.title = "My notes"
    wb.active["A1"] = "do not lose me"
    wb.save(path)
    return path


def out_cases(tmp_path, source):
    (tmp_path / "folder").mkdir(exist_ok=True)
    return {
        "the input": source,
        "the input, spelled otherwise": tmp_path / "folder" / ".." / source.name,
        "a folder": tmp_path / "folder",
        "an empty string": "",
        "a missing folder": tmp_path / "nowhere" / "r.xlsx",
        "a user's file": user_workbook(tmp_path / "mine.xlsx"),
    }


PHRASES = {
    "the input": "it is the input workbook 's.xlsx', which the planner never overwrites",
    "the input, spelled otherwise": "it is the input workbook 's.xlsx'",
    "a folder": "it is a folder",
    "an empty string": "it is a folder (an empty --out names the current folder)",
    "a missing folder": "does not exist",
    "a user's file": "the file exists and was not written by the planner",
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", PHRASES)
def test_a_bad_out_is_refused_before_the_work_starts(tmp_path, no_work, command, case, monkeypatch):
    source = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    target = out_cases(tmp_path, source)[case]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    monkeypatch.chdir(tmp_path)
    arguments, _ = COMMANDS[command]
    result = run_cli(command, source, *arguments, "--out", target, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "invalid"
    assert len(data["errors"]) == 1 and PHRASES[case] in data["errors"][0], data
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_template_refuses_a_folder_in_one_sentence(tmp_path):
    result = run_cli("template", tmp_path)
    assert result.exit_code == 1
    assert "it is a folder" in result.output and "Traceback" not in result.output


def test_force_replaces_a_user_file_and_a_planner_file_is_replaced_without_it(tmp_path):
    source = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    mine = user_workbook(tmp_path / "mine.xlsx")
    assert run_cli("solve", source, "--out", mine).exit_code == 1
    assert load_workbook(mine).sheetnames == ["My notes"]
    assert run_cli("solve", source, "--out", mine, "--force").exit_code == 0
    assert "Summary" in load_workbook(mine).sheetnames
    assert run_cli("solve", source, "--out", mine).exit_code == 0  # now the planner's own
    assert run_cli("solve", source).exit_code == 0  # the default s-results.xlsx, twice
    assert run_cli("solve", source).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.xlsx", "s-results.xlsx", "s.xlsx"]


def test_compare_never_writes_over_one_of_its_inputs(tmp_path):
    a = write_workbook(tmp_path / "a.xlsx", minimal_tables())
    b = write_workbook(tmp_path / "b.xlsx", minimal_tables())
    before = b.read_bytes()
    result = run_cli("compare", a, b, "--out", b, "--workers", "1")
    assert result.exit_code == 1 and "it is the input workbook 'b.xlsx'" in result.output
    assert b.read_bytes() == before


def test_a_symbolic_link_as_out_keeps_pointing_where_it_pointed(tmp_path):
    source = write_workbook(tmp_path / "s.xlsx", minimal_tables())
    (tmp_path / "shared").mkdir()
    real = tmp_path / "shared" / "latest.xlsx"
    link = tmp_path / "latest.xlsx"
    os.symlink(real, link)  # dangling until the first run
    for _ in range(2):
        assert run_cli("solve", source, "--out", link).exit_code == 0
        assert link.is_symlink() and os.readlink(link) == str(real)
        assert "Summary" in load_workbook(real).sheetnames
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["latest.xlsx"]


def test_a_writer_that_fails_after_the_solve_loses_nothing(tmp_path, monkeypatch):
    source = write_workbook(tmp_path / "s.xlsx", minimal_tables())

    def disk_full(self, filename):
        with open(filename, "wb") as handle:
            handle.write(b"PK")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(excel.Workbook, "save", disk_full)
    result = run_cli("solve", source, "--out", tmp_path / "r.xlsx", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "optimal" and data["projects"], "the answer is still reported in full"
    assert data["errors"] == ["Cannot write '" + str(tmp_path / "r.xlsx") + "': No space left on device"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]
    human = run_cli("solve", source, "--out", tmp_path / "r.xlsx")
    assert human.exit_code == 1 and "Traceback" not in human.output
    assert "No space left on device; the answer above is complete" in human.output


def test_control_characters_pasted_from_word_never_reach_the_writer(tmp_path):
    import zipfile

    tables = minimal_tables()
    tables["Projects"][0]["name"] = "Ring road PLACEHOLDER"
    source = write_workbook(tmp_path / "s.xlsx", tables)
    with zipfile.ZipFile(source) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts = {n: d.replace(b"PLACEHOLDER", b"_x000B_stage_x0001_2") for n, d in parts.items()}
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    out = tmp_path / "r.xlsx"
    result = run_cli("solve", source, "--out", out)
    assert result.exit_code == 0, result.output
    plan = [[c.value for c in row] for row in load_workbook(out)["Plan"].iter_rows()]
    assert any("Ring road  stage 2" in str(v) for row in plan for v in row), plan
