"""Checkers for the §7.2 exercises: a PCA projection and the relative contrast (notebook 07.02).

The references are :func:`surveykit.dimensionality.pca_project` and
:func:`~surveykit.dimensionality.relative_contrast` of
:func:`~surveykit.dimensionality.distances_to`, so each formula is defined once. A
projection is compared column by column *up to its sign*: an eigenvector v and −v are
equally valid principal components.
"""

from __future__ import annotations

import numpy as np

from .. import dimensionality as dim
from .core import Check, _short

__all__ = ["check_pca_projection", "check_relative_contrast"]


def _pca_data(n: int, d: int, seed: int) -> np.ndarray:
    """Anisotropic data with well-separated variances, rotated, far from the origin."""
    rng = np.random.default_rng(seed)
    scales = np.geomspace(6.0, 0.5, d)
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    offset = rng.uniform(5.0, 10.0, d)
    return (rng.standard_normal((n, d)) * scales) @ rotation.T + offset


_PCA_CASES = [(60, 5, 2, 1), (40, 8, 3, 2), (30, 4, 1, 3), (25, 3, 3, 4)]


def _eig(C):
    values, vectors = np.linalg.eigh(C)
    order = np.argsort(values)[::-1]
    return values, vectors, values[order], vectors[:, order]


def _pca_mistakes(X: np.ndarray, k: int) -> list[tuple[np.ndarray, str]]:
    """(what a typical mistake returns, the hint that names it) for data X and k."""
    n = X.shape[0]
    mean = X.mean(axis=0)
    Xc = X - mean
    _, vec_asc, val_desc, vec_desc = _eig(Xc.T @ Xc / (n - 1))
    W = vec_desc[:, :k]
    _, _, _, raw_desc = _eig(X.T @ X / (n - 1))
    std = Xc.std(axis=0)
    Xs = Xc / std
    _, _, _, std_desc = _eig(Xs.T @ Xs / (n - 1))
    _, _, _, gram_desc = _eig(Xc @ Xc.T)
    _, _, _, rowcov_desc = _eig(np.cov(X))
    return [
        (X @ W, "you did not centre X: subtract the column means, Xc = X - X.mean(axis=0), "
                "and project Xc (not X) onto the components."),
        (X @ raw_desc[:, :k], "you did not centre X: the covariance is Xcᵀ Xc / (n − 1) with "
                              "Xc = X - X.mean(axis=0); XᵀX of uncentred data mixes in the mean."),
        (Xc @ raw_desc[:, :k], "centre X before computing the covariance too: "
                               "C = Xcᵀ Xc / (n − 1), not Xᵀ X / (n − 1)."),
        (Xc @ vec_asc[:, :k], "np.linalg.eigh returns the eigenvalues in ascending order, so "
                              "its first columns are the directions of *least* variance: sort "
                              "them in descending order (np.argsort(values)[::-1])."),
        (Xc @ vec_asc[:, -k:], "you have the right components but in ascending order: the "
                               "first column must be the component of largest variance "
                               "(reverse the order, e.g. vectors[:, ::-1][:, :k])."),
        (Xc @ vec_desc[:k].T, "the eigenvectors are the *columns* of the matrix np.linalg.eigh "
                              "returns (vectors[:, i] belongs to values[i]); you took rows."),
        (Xc @ vec_asc[:k].T, "the eigenvectors are the *columns* of the matrix np.linalg.eigh "
                             "returns (vectors[:, i] belongs to values[i]); you took rows."),
        (gram_desc[:, :k], "you used the n × n matrix Xc Xcᵀ (rows as variables): the "
                           "covariance of the features is the d × d matrix Xcᵀ Xc / (n − 1) "
                           "(or np.cov(X, rowvar=False)); then project Xc onto its top-k "
                           "eigenvectors."),
        (rowcov_desc[:, :k], "np.cov(X) treats each *row* as a variable and gives an n × n "
                             "matrix: use np.cov(X, rowvar=False), which is d × d."),
        (Xs @ std_desc[:, :k], "you standardised the features (divided by their std): this "
                               "exercise's PCA only centres them (X - X.mean(axis=0))."),
        (Xc @ W / np.sqrt(val_desc[:k]), "you divided each projected column by √λ "
                                         "(whitening): return Xc @ V_k itself, whose column j "
                                         "has variance λ_j."),
    ]


def check_pca_projection(fn) -> None:
    """Check ``fn(X, k)`` → the centred data projected onto their top-k principal
    components, shape (n, k), equal to :func:`surveykit.dimensionality.pca_project` up to
    the sign of each column."""
    c = Check("pca_projection")
    for n, d, k, seed in _PCA_CASES:
        X = _pca_data(n, d, seed)
        case = f"X of shape {(n, d)}, k={k}"
        got = c.call(fn, X.copy(), k, case=case)
        try:
            Z = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            c.fail(f"return the projected data as an array; got {_short(got)} on {case}.")
        expected = dim.pca_project(X, k)
        pca = dim.pca_fit(X, d)
        c.count += 1
        if Z.shape != (n, k):
            c.fail(f"wrong shape for the projection on {case}. Expected shape {(n, k)}, got "
                   f"{Z.shape}.\n  Hint: {_shape_hint(Z, X, k, pca)}")
        if not np.all(np.isfinite(Z)):
            c.fail(f"the projection contains NaN or inf on {case}.")
        c.count += 1
        if not dim.same_up_to_sign(Z, expected, atol=1e-6):
            hint = next((h for wrong, h in _pca_mistakes(X, k)
                         if not dim.same_up_to_sign(wrong, expected, atol=1e-6)
                         and dim.same_up_to_sign(Z, wrong, atol=1e-6)),
                        "centre X, compute the d × d covariance Xcᵀ Xc / (n − 1), take the "
                        "eigenvectors of its k largest eigenvalues (columns, largest first) "
                        "and return Xc @ V_k.")
            c.fail(f"wrong values for the projection on {case} (compared up to the sign of "
                   f"each column).\n  Expected (first rows): {_short(expected[:3])}\n"
                   f"  Got (first rows):      {_short(Z[:3])}\n  Hint: {hint}")
    c.passed()


def _shape_hint(Z: np.ndarray, X: np.ndarray, k: int, pca: dim.PCA) -> str:
    n, d = X.shape
    if Z.shape in ((k, d), (d, k)):
        return ("you returned the components (eigenvectors), not the data projected on "
                "them: return Xc @ V_k, one row per sample.")
    if Z.shape == (n, d):
        top = dim.PCA(pca.mean, pca.components[:k], pca.explained_variance[:k],
                      pca.explained_variance_ratio[:k])
        recon = top.inverse_transform(top.transform(X))
        if np.allclose(Z, recon, atol=1e-6) or np.allclose(Z, recon - pca.mean, atol=1e-6):
            return ("you returned the reconstruction Xc V_k V_kᵀ (back in the d original "
                    "coordinates): return the k coordinates Xc @ V_k instead.")
        return ("project onto the top k components only: keep the first k eigenvectors "
                "(columns), V_k = V[:, :k], so the result has k columns.")
    if Z.shape == (n,):
        return "return a 2-D array of shape (n, k), even when k = 1 (Xc @ V[:, :k])."
    if Z.ndim == 2 and Z.shape[0] == n and Z.shape[1] != k:
        return "project onto k components: the result has one column per component."
    return "the projection has one row per sample and one column per component: (n, k)."


# --- relative contrast -------------------------------------------------------------------

_CONTRAST_CASES = [(50, 2, 11), (200, 10, 12), (300, 100, 13)]


def _contrast_mistakes(points, query) -> list[tuple[float, str]]:
    diff = points - query
    dist = np.sqrt(np.sum(diff**2, axis=1))
    sq = dist**2
    by_column = np.sqrt(np.sum(diff**2, axis=0))
    manhattan = np.sum(np.abs(diff), axis=1)

    def contrast(v):
        return (v.max() - v.min()) / v.min()

    return [
        (dist.max() / dist.min(), "that is D_max / D_min; the relative contrast is "
                                  "(D_max − D_min) / D_min, one less."),
        ((dist.max() - dist.min()) / dist.max(), "divide by the smallest distance D_min, not "
                                                 "the largest."),
        ((dist.max() - dist.min()) / dist.mean(), "divide by the smallest distance D_min, not "
                                                  "the mean distance."),
        (contrast(sq), "you used squared distances: take the square root of the summed "
                       "squares (Euclidean distance) first."),
        (contrast(by_column), "sum the squared differences over the coordinates of each point "
                              "(axis=1), giving one distance per point."),
        (contrast(manhattan), "that is the contrast of Manhattan (L1) distances: use the "
                              "Euclidean distance √(Σ_j (x_j − q_j)²)."),
    ]


def check_relative_contrast(fn) -> None:
    """Check ``fn(points, query)`` → (D_max − D_min) / D_min of the Euclidean distances
    from ``query`` (d,) to the rows of ``points`` (n, d)."""
    c = Check("relative_contrast")
    for n, d, seed in _CONTRAST_CASES:
        rng = np.random.default_rng(seed)
        points, query = rng.uniform(size=(n, d)), rng.uniform(size=d)
        case = f"{n} points in d={d}"
        got = c.call(fn, points.copy(), query.copy(), case=case)
        try:
            value = float(np.asarray(got))
        except (TypeError, ValueError):
            c.fail(f"return one number (the relative contrast); got {_short(got)} on {case}.")
        expected = dim.relative_contrast(dim.distances_to(points, query))
        hint = next((h for wrong, h in _contrast_mistakes(points, query)
                     if not np.isclose(wrong, expected, rtol=1e-6)
                     and np.isclose(value, wrong, rtol=1e-6)),
                    "compute the Euclidean distance from the query to every point, then "
                    "(max − min) / min.")
        c.close("the relative contrast", value, expected, case=case, hint=hint)
    c.passed()
