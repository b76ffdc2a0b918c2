"""What the bundled scenarios' build scripts share: writing sheets of rows as a workbook.

Each ``build_*.py`` states its scenario as ``{sheet name: [header row, data rows...]}``
and calls :func:`write_sheets` (header frozen, values as typed) or :func:`main` to
write it from the command line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

Sheets = dict[str, list[list]]


def write_sheets(target: Path, sheets: Sheets) -> Path:
    """Write ``sheets`` to ``target``: one sheet per entry, its first row the header (frozen)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A2"
    wb.save(target)
    return Path(target)


def main(build: Callable[[Path], Path], default: Path) -> None:
    """``python scenarios/build_X.py [TARGET]``: build to TARGET (default: the bundled file)."""
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
