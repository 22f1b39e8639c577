"""The curriculum's notebooks: conventions, generated cells and committed outputs."""

import re

import nbformat
import nbtools
import pytest
from notebook_utils import NOTEBOOKS, curriculum_notebooks, exercises, nbgrader_meta, read

NB_PATHS = curriculum_notebooks()
IDS = [p.name[:5] for p in NB_PATHS]


def test_every_notebook_is_in_the_curriculum_and_named_after_its_section():
    cur = nbtools.load_curriculum()
    assert nbtools.unlisted_notebooks(cur) == []
    assert [e["file"] for e in cur["notebook"]] == [p.name for p in NB_PATHS], "reading order"
    for entry in cur["notebook"]:
        m = re.fullmatch(r"(\d\d)\.(\d\d)-[A-Z][A-Za-z0-9-]+\.ipynb", entry["file"])
        assert m, f"{entry['file']}: name it CC.SS-Title-In-Words.ipynb"
        # a section without subsections (the survey's §9 Conclusion) is its chapter's .01
        chapter, _, sub = entry["sections"][0].partition(".")
        assert (int(m[1]), int(m[2])) == (int(chapter), int(sub or 1)), entry["file"]


def test_headers_navigation_and_index_are_fresh():
    cur = nbtools.load_curriculum()
    stale = [path.name for path, nb in nbtools.generated_notebooks(cur).items()
             if path.read_text(encoding="utf-8") != nbformat.writes(nb) + "\n"]
    assert stale == [], f"stale generated cells in {stale}: run `make nav`"


def test_readme_lists_every_notebook_and_is_fresh():
    cur = nbtools.load_curriculum()
    readme = nbtools.README.read_text(encoding="utf-8")
    assert nbtools.readme_with_table(cur, readme) == readme, "stale README table: run `make nav`"
    for entry in cur["notebook"]:
        assert f"](notebooks/{entry['file']})" in readme
    for target in re.findall(r"\]\((notebooks/[^)]+\.ipynb)\)", readme):
        assert (nbtools.ROOT / target).exists(), target


def test_navigation_is_idempotent_and_links_resolve():
    cur = nbtools.load_curriculum()
    for i, entry in enumerate(cur["notebook"]):
        nb = read(NOTEBOOKS / entry["file"])
        once = nbformat.writes(nbtools.apply_generated(nb, cur, i))
        twice = nbformat.writes(nbtools.apply_generated(nbformat.reads(once, 4), cur, i))
        assert once == twice
        first, second, last = nb.cells[0], nb.cells[1], nb.cells[-1]
        assert first.source.startswith("<!--HEADER") and second.source.startswith("<!--NAVIGATION")
        assert last.source == second.source
        assert "[Contents](00.00-Index.ipynb)" in second.source
        for target in re.findall(r"\]\(([^)]+\.ipynb)\)", second.source):
            assert (NOTEBOOKS / target).exists(), target
    index = read(NOTEBOOKS / nbtools.INDEX)
    text = "\n".join(c.source for c in index.cells)
    for entry in cur["notebook"]:
        assert f"]({entry['file']})" in text
        for sec in entry["sections"]:
            assert f"§{sec} " in text


def test_stale_detection_catches_an_edited_cell():
    nb = read(NB_PATHS[0])
    assert nbtools.stale_problems(nb) == []
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.source += "\n# edited"
    assert any("code changed" in p for p in nbtools.stale_problems(nb))


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_committed_outputs_are_fresh(path):
    assert nbtools.stale_problems(read(path)) == []


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_outputs_are_clean(path):
    nb = read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", f"cell {i}: committed error {out.get('ename')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"cell {i}: stderr in stored output: {out.text[:200]}"


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_first_code_cell_sets_up_surveykit(path):
    code = [c for c in read(path).cells if c.cell_type == "code"]
    assert re.match(r"import surveykit as sk\n\nsk\.setup\(", code[0].source), code[0].source


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_widget_cells_are_excluded_from_comparison_and_have_a_static_figure(path):
    nb = read(path)
    widget_cells = [c for c in nb.cells if c.cell_type == "code" and "widgets.panel(" in c.source]
    assert widget_cells, "every notebook has at least one slider"
    for cell in widget_cells:
        assert cell.source.startswith("# NBVAL_IGNORE_OUTPUT")
        bundles = [o.data for o in cell.outputs
                   if o.output_type in ("display_data", "execute_result")]
        assert any("image/png" in b and "application/vnd.jupyter.widget-view+json" in b
                   for b in bundles)
    assert any(c.source.startswith("# NBVAL_CHECK_OUTPUT") for c in nb.cells
               if c.cell_type == "code"), "pin at least one verified result"


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_exercises_follow_nbgrader_conventions(path):
    nb = read(path)
    pairs = exercises(nb)
    assert pairs, "every notebook has at least one guided exercise"
    grade_ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(grade_ids) == len(set(grade_ids)), f"duplicate grade ids: {grade_ids}"
    for solution, check in pairs:
        meta = nbgrader_meta(solution)
        assert meta["schema_version"] == 3 and not meta["grade"]
        assert "### BEGIN SOLUTION" in solution.source and "### END SOLUTION" in solution.source
        cmeta = nbgrader_meta(check)
        assert cmeta.get("grade") and cmeta.get("locked") and cmeta.get("points", 0) > 0, \
            "the cell after a solution is a locked, graded check cell"
        assert "sk.checks.check_" in check.source


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_offline_html_shows_every_figure(path):
    nb = read(path)
    n_images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    html = nbtools.html_export(nb)
    assert html.count("<img") >= n_images > 0
