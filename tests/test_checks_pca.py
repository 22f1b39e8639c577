"""Checkers of notebook 07.02's exercises: its own solutions pass, typical mistakes are named."""

import numpy as np
import pytest
from notebook_utils import NOTEBOOKS, exercises, read, solution_namespace

from surveykit import checks

NOTEBOOK = "07.02-Curse-of-Dimensionality.ipynb"


@pytest.fixture(scope="module")
def ns():
    """Run the notebook's solution cells (only those) and return what they define."""
    return solution_namespace(NOTEBOOK, np=np)


def test_check_cells_call_these_checkers():
    pairs = exercises(read(NOTEBOOKS / NOTEBOOK))
    assert [check.source.strip() for _, check in pairs] == [
        "sk.checks.check_pca_projection(pca_project)",
        "sk.checks.check_relative_contrast(relative_contrast)"]


def test_notebook_solutions_pass(ns, capsys):
    checks.check_pca_projection(ns["pca_project"])
    checks.check_relative_contrast(ns["relative_contrast"])
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ pca_projection: all 8 checks passed.",
                   "✓ relative_contrast: all 3 checks passed."]


def _message(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as err:
        check(answer)
    return str(err.value)


# --- PCA projection: typical mistakes -------------------------------------------------------

def _eig_desc(C):
    values, vectors = np.linalg.eigh(C)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order], vectors


def _cov(X):
    Xc = X - X.mean(axis=0)
    return Xc, Xc.T @ Xc / (len(X) - 1)


def not_centred(X, k):
    _, C = _cov(X)
    return X @ _eig_desc(C)[1][:, :k]


def uncentred_covariance(X, k):
    return X @ _eig_desc(X.T @ X / (len(X) - 1))[1][:, :k]


def ascending(X, k):
    Xc, C = _cov(X)
    return Xc @ np.linalg.eigh(C)[1][:, :k]


def right_components_reversed(X, k):
    Xc, C = _cov(X)
    return Xc @ np.linalg.eigh(C)[1][:, -k:]


def rows_not_columns(X, k):
    Xc, C = _cov(X)
    return Xc @ _eig_desc(C)[1][:k].T


def gram_matrix(X, k):
    Xc, _ = _cov(X)
    return _eig_desc(Xc @ Xc.T)[1][:, :k]


def np_cov_rows(X, k):
    return _eig_desc(np.cov(X))[1][:, :k]


def standardised(X, k):
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    return Xs @ _eig_desc(Xs.T @ Xs / (len(X) - 1))[1][:, :k]


def whitened(X, k):
    Xc, C = _cov(X)
    values, vectors, _ = _eig_desc(C)
    return Xc @ vectors[:, :k] / np.sqrt(values[:k])


@pytest.mark.parametrize("wrong,hint", [
    (not_centred, "you did not centre X"),
    (uncentred_covariance, "you did not centre X: the covariance is"),
    (ascending, "np.linalg.eigh returns the eigenvalues in ascending order"),
    (right_components_reversed, "you have the right components but in ascending order"),
    (rows_not_columns, "the eigenvectors are the *columns*"),
    (gram_matrix, "you used the n × n matrix Xc Xcᵀ"),
    (np_cov_rows, "np.cov(X, rowvar=False)"),
    (standardised, "you standardised the features"),
    (whitened, "(whitening)"),
])
def test_pca_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_pca_projection, wrong)
    assert msg.startswith("✗ pca_projection: wrong values for the projection")
    assert "compared up to the sign of each column" in msg and hint in msg


def test_pca_sign_flips_are_accepted(ns, capsys):
    def flipped(X, k):
        Z = ns["pca_project"](X, k)
        return Z * np.where(np.arange(k) % 2, -1.0, 1.0)

    checks.check_pca_projection(flipped)
    assert capsys.readouterr().out.startswith("✓ pca_projection")


def test_pca_wrong_shapes_are_named(ns):
    def components(X, k):
        Xc, C = _cov(X)
        return _eig_desc(C)[1][:, :k].T

    def reconstruction(X, k):
        Xc, C = _cov(X)
        V = _eig_desc(C)[1][:, :k]
        return Xc @ V @ V.T

    def all_components(X, k):
        Xc, C = _cov(X)
        return Xc @ _eig_desc(C)[1]

    for wrong, hint in [(components, "you returned the components (eigenvectors)"),
                        (reconstruction, "you returned the reconstruction"),
                        (all_components, "project onto the top k components only")]:
        msg = _message(checks.check_pca_projection, wrong)
        assert "wrong shape for the projection" in msg and hint in msg

    msg = _message(checks.check_pca_projection, lambda X, k: ns["pca_project"](X, k)[:, 0])
    assert "wrong shape" in msg and "return a 2-D array of shape (n, k), even when k = 1" in msg


def test_pca_other_failures():
    msg = _message(checks.check_pca_projection,
                   lambda X, k: np.random.default_rng(0).standard_normal((len(X), k)))
    assert "wrong values for the projection" in msg and "Hint: centre X, compute" in msg
    msg = _message(checks.check_pca_projection, lambda X, k: "projection")
    assert "return the projected data as an array" in msg
    msg = _message(checks.check_pca_projection, lambda X, k: np.full((len(X), k), np.nan))
    assert "NaN or inf" in msg
    msg = _message(checks.check_pca_projection, lambda X, k: np.cov(X) @ X[:, :k].T)
    assert "your function raised ValueError" in msg


# --- relative contrast: typical mistakes -----------------------------------------------------

def _dist(points, query):
    return np.sqrt(np.sum((points - query) ** 2, axis=1))


@pytest.mark.parametrize("wrong,hint", [
    (lambda p, q: _dist(p, q).max() / _dist(p, q).min(), "that is D_max / D_min"),
    (lambda p, q: np.ptp(_dist(p, q)) / _dist(p, q).max(), "not the largest"),
    (lambda p, q: np.ptp(_dist(p, q)) / _dist(p, q).mean(), "not the mean distance"),
    (lambda p, q: np.ptp(_dist(p, q) ** 2) / (_dist(p, q) ** 2).min(), "squared distances"),
    (lambda p, q: (lambda d: np.ptp(d) / d.min())(np.sqrt(np.sum((p - q) ** 2, axis=0))),
     "(axis=1)"),
    (lambda p, q: (lambda d: np.ptp(d) / d.min())(np.abs(p - q).sum(axis=1)), "Manhattan"),
    (lambda p, q: 0.5, "compute the Euclidean distance from the query to every point"),
])
def test_contrast_mistakes_are_named(wrong, hint):
    msg = _message(checks.check_relative_contrast, wrong)
    assert msg.startswith("✗ relative_contrast: wrong values for the relative contrast")
    assert "Expected:" in msg and hint in msg


def test_contrast_must_return_a_number():
    msg = _message(checks.check_relative_contrast, lambda p, q: [1.0, 2.0])
    assert "return one number" in msg
    msg = _message(checks.check_relative_contrast, lambda p, q: _dist(p, q))
    assert "return one number" in msg


def test_unanswered_exercises_say_so():
    def todo(*args):
        raise NotImplementedError()

    for check in (checks.check_pca_projection, checks.check_relative_contrast):
        with pytest.raises(NotImplementedError, match="not answered yet"):
            check(todo)
