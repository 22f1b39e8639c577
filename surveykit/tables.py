"""Tables of results, as text and as HTML: one renderer for every table surveykit prints.

A notebook shows a table object through ``_repr_html_`` and a pinned cell (``#
NBVAL_CHECK_OUTPUT``) prints it as text; the tuning trials (:class:`surveykit.tuning.
study.TrialTable`), the tracked runs (:class:`surveykit.tracking.RunsTable`) and the
robustness summaries (:class:`surveykit.robustness.Table`) all render through
:func:`text_table` and :func:`html_table`, so the layout is defined once.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence

__all__ = ["text_table", "html_table"]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
               left: Collection[int] = (), rule: bool = True, rstrip: bool = False) -> str:
    """Columns padded to their widest cell, separated by two spaces: right-aligned (numbers)
    except the column indices in ``left``; ``rule`` draws dashes under the header;
    ``rstrip`` trims each line's trailing spaces."""
    header = [str(h) for h in header]
    rows = [[str(x) for x in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(items):
        text = "  ".join(s.ljust(w) if i in left else s.rjust(w)
                         for i, (s, w) in enumerate(zip(items, widths, strict=True)))
        return text.rstrip() if rstrip else text

    lines = [line(header)]
    if rule:
        lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines + [line(r) for r in rows])


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
               row_styles: Sequence[str] | None = None) -> str:
    """An HTML table with every cell escaped; ``row_styles`` (one CSS string per row, ""
    for none) styles whole rows, e.g. grey for trials that did not complete."""
    styles = list(row_styles) if row_styles is not None else [""] * len(rows)
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join((f'<tr style="{s}">' if s else "<tr>")
                   + "".join(f"<td>{html.escape(str(x))}</td>" for x in r) + "</tr>"
                   for r, s in zip(rows, styles, strict=True))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
