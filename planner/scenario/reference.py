"""The workbook reference page (models/workbook.md), generated from the schema.

Run ``python -m planner.scenario.reference > models/workbook.md`` after changing
:mod:`planner.scenario.schema`; a test fails when the page is out of date.
"""

from __future__ import annotations

from planner.scenario.schema import CONTRACT_VERSION, SETTINGS, SHEETS, describe_default, describe_type


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def reference_markdown() -> str:
    """Markdown describing every sheet, column and setting."""
    lines = [
        f"# Scenario workbook reference (contract version {CONTRACT_VERSION})",
        "",
        "Generated from `planner/scenario/schema.py` by `python -m planner.scenario.reference`; do not edit by hand.",
        "",
        "One sheet per table; row 1 holds the column names (a title above them is reported once). Sheet "
        "and column names are matched case-insensitively, surrounding spaces ignored; two sheets whose "
        "names match that way (`Projects` and `Projects `) are an error. Blank rows are skipped; unknown "
        "columns are reported as warnings and ignored. Ids are text (a region called `1` is the string "
        "`1`). Yes/no cells accept yes/no/y/n/true/false/1/0 in any case; numbers may be typed as text "
        "(`1 200`, `5%`), but a comma whose meaning depends on the locale (`1.234,5`) is rejected.",
        "",
        "Text is read as a person reads it: Unicode-normalised (NFC), invisible characters (zero-width "
        "spaces, byte-order marks, soft hyphens) dropped, no-break spaces and control characters made "
        "plain spaces, so `N1` followed by a zero-width space is the id `N1`. Two ids of one sheet that "
        "differ only by upper/lower case (`P1` and `p1`) are an error: to a person they are one id. An id "
        "may not contain a comma or a semicolon, which separate the ids of a list. A cell holding an "
        "Excel error (`#N/A`, `#DIV/0!`, `#VALUE!`, `#REF!`, `#NAME?`, `#NUM!`, `#NULL!`) is an error "
        "wherever it is, never a blank. A number larger than 1e15 in absolute value, in any unit, is "
        "refused as a typing or unit mistake; years have four digits.",
        "",
        "`planner template FILE` writes an empty workbook with these sheets, drop-down lists and a README sheet. "
        "A column whose type reads \"id of Sheet.column\" names ids of that sheet: the template offers them in a "
        "drop-down list fed from that column, and `planner validate` reports an unknown one with \"did you mean "
        "...?\" when a known id differs by case or a small edit.",
        "",
    ]
    for sheet in SHEETS:
        status = "required" if sheet.required else "optional (absent = no rows)"
        lines += [f"## {sheet.name} ({status})", "", sheet.description, ""]
        lines += ["| column | required | type | unit | default | description |", "|---|---|---|---|---|---|"]
        for c in sheet.columns:
            lines.append(f"| `{c.name}` | {'yes' if c.required else 'no'} | {_cell(describe_type(c))} | "
                         f"{_cell(c.unit)} | {_cell(describe_default(c.default))} | {_cell(c.description)} |")
        if sheet.key:
            lines += ["", f"Unique key: {', '.join(sheet.key)}."]
        lines.append("")
        if sheet.name == "Settings":
            lines += ["| key | required | type | default | description |", "|---|---|---|---|---|"]
            for s in SETTINGS:
                lines.append(f"| `{s.key}` | {'yes' if s.required else 'no'} | {_cell(describe_type(s))} | "
                             f"{_cell(describe_default(s.default))} | {_cell(s.description)} |")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(reference_markdown(), end="")
