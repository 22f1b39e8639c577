"""The install contract: pyproject.toml, environment.yml, Makefile and CI agree."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _key(req: Requirement) -> tuple:
    return (req.name.lower(), str(req.specifier), str(req.marker) if req.marker else "")


def pyproject_requirements() -> set[tuple]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_key(Requirement(r)) for r in reqs}


def environment_requirements() -> set[tuple]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_key(Requirement(r)) for r in pip}


def test_environment_yml_matches_pyproject():
    py, env = pyproject_requirements(), environment_requirements()
    assert py - env == set(), f"in pyproject.toml but not environment.yml: {sorted(py - env)}"
    assert env - py == set(), f"in environment.yml but not pyproject.toml: {sorted(env - py)}"


def test_design_card_packages_are_required():
    names = {name for name, _, _ in pyproject_requirements()}
    for package in ("jupyterlab", "numpy", "matplotlib", "ipywidgets", "nbval", "keras",
                    "pytest", "nbgrader", "ruff"):
        assert package in names, package
    assert {"tensorflow", "tensorflow-cpu"} <= names


def test_installed_versions_satisfy_pyproject():
    from importlib.metadata import PackageNotFoundError, version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(text)
        if req.marker and not req.marker.evaluate():
            continue
        try:
            installed = version(req.name)
        except PackageNotFoundError:  # pragma: no cover - a failure message, not a skip
            raise AssertionError(f"{req.name} is required but not installed") from None
        assert req.specifier.contains(installed, prereleases=True), (req.name, installed)


def test_keras_is_version_3_on_tensorflow():
    import keras

    assert keras.__version__.startswith("3."), keras.__version__
    assert keras.backend.backend() == "tensorflow"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call the README's test command"
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab:", "test:", "student:", "setup:", "html:"):
        assert re.search(rf"^{target}", makefile, re.M), target
