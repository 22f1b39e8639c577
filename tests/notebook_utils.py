"""Helpers for tests that read the curriculum's notebooks."""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def curriculum_notebooks() -> list[Path]:
    """Every notebook but the index, in file-name (reading) order."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9].[0-9][0-9]-*.ipynb")
                  if p.name != "00.00-Index.ipynb")


def read(path):
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cells(nb) -> list:
    return [c for c in nb.cells if nbgrader_meta(c).get("solution")]


def exercises(nb) -> list[tuple]:
    """(solution cell, check cell) pairs, in order."""
    pairs = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if nbgrader_meta(cell).get("solution"):
            nxt = next((c for c in cells[i + 1:] if c.cell_type == "code"), None)
            pairs.append((cell, nxt))
    return pairs


def solution_namespace(notebook: str, **names) -> dict:
    """Run a notebook's solution cells (only those) in a namespace holding ``names``
    (what the notebook imported before them, e.g. ``np=np``); return what they define."""
    namespace = dict(names)
    for solution, _ in exercises(read(NOTEBOOKS / notebook)):
        exec(compile(solution.source, notebook, "exec"), namespace)
    return namespace
