"""The one table renderer behind trials, tracked runs and robustness summaries."""

import pytest

from surveykit.tables import html_table, text_table


def test_text_table_pads_aligns_and_rules():
    text = text_table(["n", "state", "value"], [["1", "complete", "0.25"], ["10", "failed", ""]],
                      left=[1])
    assert text.splitlines() == [
        " n  state     value",
        "--  --------  -----",
        " 1  complete   0.25",
        "10  failed         ",  # padded to the full width: 2 + 2 + 8 + 2 + 5
    ]
    assert text_table(["a"], [["x"]], rule=False) == "a\nx"
    assert text_table(["n", "note"], [["1", "x"]], left=[1], rstrip=True).splitlines()[2] == \
        "1  x"


def test_html_table_escapes_every_cell_and_styles_rows():
    out = html_table(["<h>"], [["a & b"], ["<script>"]], row_styles=["", "color:#888"])
    assert out == ("<table><thead><tr><th>&lt;h&gt;</th></tr></thead><tbody><tr><td>a &amp; "
                   "b</td></tr><tr style=\"color:#888\"><td>&lt;script&gt;</td></tr></tbody>"
                   "</table>")
    with pytest.raises(ValueError):
        html_table(["a"], [["1"], ["2"]], row_styles=[""])  # one style per row
