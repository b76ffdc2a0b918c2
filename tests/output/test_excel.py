"""The one Excel layer: what may be replaced, links, permissions, unwritable text, a failing writer."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from planner.errors import OutputError
from planner.output import excel
from planner.output.excel import atomic_write, check_target, new_workbook, written_by_planner


def planner_file(path: Path) -> Path:
    wb = new_workbook()
    excel.add_sheet(wb, "Summary", pd.DataFrame({"item": ["status"], "value": ["optimal"]}))
    wb.save(path)
    return path


def user_file(path: Path, sheets=("Budget 2026",), author: str | None = None) -> Path:
    wb = Workbook()
    wb.active.title = sheets[0]
    for name in sheets[1:]:
        wb.create_sheet(name)
    if author:
        wb.properties.lastModifiedBy = author
    wb.save(path)
    return path


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_the_planner_marks_its_workbooks_and_recognises_them(tmp_path):
    assert written_by_planner(planner_file(tmp_path / "r.xlsx"))
    assert not written_by_planner(user_file(tmp_path / "u.xlsx"))
    # Saved since by someone in Excel or LibreOffice: no longer the planner's.
    book = load_workbook(tmp_path / "r.xlsx")
    book.properties.lastModifiedBy = "Dilnoza"
    book.save(tmp_path / "edited.xlsx")
    assert not written_by_planner(tmp_path / "edited.xlsx")
    # Results of planner versions before the mark: author openpyxl and the planner's sheets.
    assert written_by_planner(user_file(tmp_path / "old.xlsx", ("Summary", "Plan", "Spending", "Goals")))
    assert not written_by_planner(user_file(tmp_path / "old-edited.xlsx", ("Summary", "Plan", "Spending", "Goals"),
                                            author="Dilnoza"))
    for junk in (b"", b"PK\x03\x04garbage", b"not a zip at all"):
        (tmp_path / "junk.xlsx").write_bytes(junk)
        assert not written_by_planner(tmp_path / "junk.xlsx")


def test_a_properties_part_with_a_dtd_is_not_trusted(tmp_path):
    path = planner_file(tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    core = parts["docProps/core.xml"]
    parts["docProps/core.xml"] = b'<!DOCTYPE x [<!ENTITY a "planner">]>' + core[core.index(b"<cp:"):]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert not written_by_planner(path)


@pytest.mark.parametrize("make, phrase", [
    (lambda d: d, "it is a folder"),
    (lambda d: d / "missing" / "r.xlsx", "folder '"),
    (lambda d: user_file(d / "mine.xlsx"), "the file exists and was not written by the planner"),
    (lambda d: d / "in.xlsx", "it is the input workbook 'in.xlsx'"),
])
def test_refusals_are_one_sentence(tmp_path, make, phrase):
    source = user_file(tmp_path / "in.xlsx")
    before = source.read_bytes()
    with pytest.raises(OutputError, match=phrase):
        check_target(make(tmp_path), [source])
    assert source.read_bytes() == before


def test_the_input_is_recognised_through_other_spellings_and_links(tmp_path):
    source = user_file(tmp_path / "in.xlsx")
    (tmp_path / "sub").mkdir()
    os.symlink(source, tmp_path / "link.xlsx")
    os.link(source, tmp_path / "hard.xlsx")
    for spelling in (tmp_path / "sub" / ".." / "in.xlsx", tmp_path / "link.xlsx", tmp_path / "hard.xlsx"):
        with pytest.raises(OutputError, match="it is the input workbook"):
            check_target(spelling, [source], force=True)


def test_force_replaces_a_file_the_planner_did_not_write(tmp_path):
    mine = user_file(tmp_path / "mine.xlsx")
    assert check_target(mine, [], force=True) == mine.resolve()
    atomic_write(mine, lambda p: planner_file(p), force=True)
    assert written_by_planner(mine)


def test_an_unwritable_folder_is_found_before_any_work(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(excel.tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match=r"folder '.*' cannot be written \(permission denied\)"):
        check_target(tmp_path / "r.xlsx")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot be written"):
            check_target(folder / "r.xlsx")
    finally:
        folder.chmod(0o755)


def test_a_symbolic_link_keeps_pointing_where_it_pointed(tmp_path):
    (tmp_path / "shared").mkdir()
    real = planner_file(tmp_path / "shared" / "results.xlsx")
    link = tmp_path / "latest.xlsx"
    os.symlink(real, link)
    before = real.stat().st_mtime_ns
    atomic_write(link, lambda p: planner_file(p))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.stat().st_mtime_ns >= before and written_by_planner(real)
    assert leftovers(tmp_path / "shared", {"results.xlsx"}) == []
    assert leftovers(tmp_path, {"shared", "latest.xlsx"}) == []
    dangling = tmp_path / "next.xlsx"
    os.symlink(tmp_path / "shared" / "next-results.xlsx", dangling)
    atomic_write(dangling, lambda p: planner_file(p))
    assert dangling.is_symlink() and (tmp_path / "shared" / "next-results.xlsx").is_file()


def test_written_files_get_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        target = atomic_write(tmp_path / "r.xlsx", lambda p: planner_file(p))
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not mkstemp's owner-only 0o600
    os.chmod(target, 0o640)
    atomic_write(target, lambda p: planner_file(p))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its permissions


def test_a_failing_writer_is_one_error_and_leaves_nothing(tmp_path):
    def broken(path: Path) -> None:
        path.write_bytes(b"half a workbook")
        raise ValueError("something odd in a cell")

    with pytest.raises(OutputError, match=r"Cannot write .*: the workbook could not be written \(ValueError: "):
        atomic_write(tmp_path / "r.xlsx", broken)
    assert leftovers(tmp_path, set()) == []


def test_characters_a_workbook_cannot_hold_become_spaces(tmp_path):
    frame = pd.DataFrame({"name\x0b": ["Road\x0bA\x07", "=cmd|' /C calc'!A0", "ok\ufffe"], "n": [1, 2, 3]})
    wb = new_workbook()
    excel.add_sheet(wb, "Plan", frame)
    wb.save(tmp_path / "r.xlsx")
    values = [[c.value for c in row] for row in load_workbook(tmp_path / "r.xlsx")["Plan"].iter_rows()]
    assert values == [["name ", "n"], ["Road A ", 1], ["=cmd|' /C calc'!A0", 2], ["ok ", 3]]
    assert load_workbook(tmp_path / "r.xlsx")["Plan"]["A3"].data_type == "s"  # text, never a formula
