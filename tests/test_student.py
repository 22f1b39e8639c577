"""Student versions: solutions removed, runnable up to the exercises, equal to nbgrader's."""

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from notebook_utils import ROOT, curriculum_notebooks, exercises, nbgrader_meta, read

NB_PATHS = curriculum_notebooks()
IDS = [p.name[:5] for p in NB_PATHS]


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    """Exactly what `make student` runs, into a temporary folder."""
    out = tmp_path_factory.mktemp("student")
    subprocess.run([sys.executable, str(ROOT / "tools" / "nbtools.py"), "student", "--out",
                    str(out)], check=True, capture_output=True)
    return out


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_solutions_and_outputs_are_removed(student_dir, path):
    nb = read(student_dir / path.name)
    source = read(path)
    assert len(nb.cells) == len(source.cells)
    text = nbformat.writes(nb)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    for solution, _ in exercises(nb):
        assert "# YOUR CODE HERE" in solution.source
        assert "raise NotImplementedError()" in solution.source
    # everything outside the solution regions is unchanged
    for a, b in zip(source.cells, nb.cells, strict=True):
        if not nbgrader_meta(a).get("solution"):
            assert a.source == b.source


# Executes one student notebook in its own process (a fresh kernel, errors kept in the
# outputs) and writes the executed copy next to it: several run at once below.
_RUNNER = """
import sys
import nbformat
from nbclient import NotebookClient
src, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(src, as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, out)
"""
#: student notebooks executed at once: on 2 cores the kernels' start-up, imports and
#: small-model Keras overheads overlap — all 25 took 379 s two at a time against ≈ 590 s
#: one after another (measured on this project's 2-core machine).
PARALLEL = 2


@pytest.fixture(scope="module")
def executed_students(student_dir, tmp_path_factory):
    """Every student notebook executed top to bottom (PARALLEL at a time) → {name: path}."""
    out = tmp_path_factory.mktemp("executed")

    def run(path):
        target = out / path.name
        result = subprocess.run([sys.executable, "-c", _RUNNER, str(student_dir / path.name),
                                 str(target), str(student_dir)], capture_output=True, text=True)
        return path.name, target, result

    with ThreadPoolExecutor(PARALLEL) as pool:
        done = list(pool.map(run, NB_PATHS))
    return {name: (target, result) for name, target, result in done}


@pytest.mark.parametrize("path", NB_PATHS, ids=IDS)
def test_student_notebook_runs_up_to_its_unanswered_exercises(executed_students, path):
    target, result = executed_students[path.name]
    assert result.returncode == 0, result.stderr[-3000:]
    nb = read(target)
    # the student folder has no data/ beside it; surveykit finds the repository's data
    errors = {}
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors[i] = (out.ename, out.evalue)
    check_cells = {i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade")}
    exercise_cells = {i for i, c in enumerate(nb.cells) if nbgrader_meta(c)}
    assert set(errors) <= exercise_cells, {i: errors[i] for i in set(errors) - exercise_cells}
    assert check_cells <= set(errors), "every check cell reports the unanswered exercise"
    for i, (ename, evalue) in errors.items():
        assert ename == "NotImplementedError", (i, ename, evalue)
        if i in check_cells:
            assert "not answered yet" in evalue


def test_nbgrader_generate_assignment_gives_the_same_student_cells(student_dir, tmp_path):
    course = tmp_path / "course"
    source = course / "source" / "section"
    source.mkdir(parents=True)
    for path in NB_PATHS:
        shutil.copy(path, source / path.name)
    bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
    nbgrader = bin_dir / "nbgrader"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(nbgrader), "generate_assignment", "section", "--force",
         f"--CourseDirectory.root={course}", "--CourseDirectory.db_url=sqlite:///"
         + str(tmp_path / "gradebook.db")],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for path in NB_PATHS:
        released = read(course / "release" / "section" / path.name)
        ours = read(student_dir / path.name)
        assert [c.source for c in released.cells] == [c.source for c in ours.cells], path.name
        # nbgrader locked the check cells and kept their grade metadata
        for cell in released.cells:
            if nbgrader_meta(cell).get("grade"):
                assert nbgrader_meta(cell)["locked"]
