"""A posted-results table as plain text lines for the terminal.

Groups become columns, every cell wrapped to its column, when the table fits in the
width; otherwise each row prints as a block (its label, then ``group: value`` lines).
"""

from __future__ import annotations

import textwrap
from itertools import zip_longest

from trialatlas.features.results_tables import ResultTable

LABEL_WIDTH = 40  # widest row-label column of a results table
CELL_WIDTH = 26  # widest group column of a results table


def table_lines(table: ResultTable, width: int) -> list[str]:
    """A results table as plain lines: groups as columns when they fit in ``width``,
    else one block per row (its label, then ``group: value`` lines)."""
    titles = [c.title for c in table.columns]
    rows: list[tuple[str, list[str]] | str] = []  # (indented label, cells), or a heading
    indent = ""
    for row in table.rows:
        if row.kind == "heading":
            rows.append(row.label)
            indent = "  "
        else:
            rows.append((indent + row.label, row.cells))
    data = [r for r in rows if isinstance(r, tuple)]
    label_w = min(LABEL_WIDTH, max((len(label) + 2 for label, _ in data), default=10))
    cell_ws = [
        min(CELL_WIDTH, max([len(title)] + [len(c[i]) for _, c in data if i < len(c)]))
        for i, title in enumerate(titles)
    ]
    if not titles or label_w + sum(w + 2 for w in cell_ws) > width:
        return _row_blocks(table)
    lines = _wrapped_row("", titles, label_w, cell_ws)
    lines.append(" " * label_w + "".join("  " + "-" * w for w in cell_ws))
    for item in rows:
        if isinstance(item, str):
            lines.append(item)
        else:
            lines += _wrapped_row(item[0], item[1], label_w, cell_ws)
    return lines


def _wrapped_row(label: str, cells: list[str], label_w: int, cell_ws: list[int]) -> list[str]:
    """One table row, every cell wrapped to its column; continuation lines line up."""
    pad = len(label) - len(label.lstrip())
    columns = [textwrap.wrap(label, label_w - 2, subsequent_indent=" " * (pad + 2)) or [""]]
    columns += [textwrap.wrap(cell, w) or [""] for cell, w in zip(cells, cell_ws, strict=False)]
    widths = [label_w] + [w + 2 for w in cell_ws]
    lines = []
    for parts in zip_longest(*columns, fillvalue=""):
        text = parts[0].ljust(widths[0])
        text += "".join(("  " + p).ljust(w) for p, w in zip(parts[1:], widths[1:], strict=False))
        lines.append(text.rstrip())
    return lines


def _row_blocks(table: ResultTable) -> list[str]:
    titles = [c.title for c in table.columns]
    lines = []
    indent = ""
    for row in table.rows:
        if row.kind == "heading":
            lines.append(row.label)
            indent = "  "
            continue
        lines.append(indent + row.label)
        for title, cell in zip(titles, row.cells, strict=False):
            lines.append(f"{indent}    {title}: {cell}")
    return lines
