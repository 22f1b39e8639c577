"""Tests for surveykit.data: the offline CSV files, splitting, scaling and generators."""

from __future__ import annotations

import hashlib
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from surveykit import data

REPO = Path(__file__).resolve().parent.parent
FRACTIONS = (0.6, 0.2, 0.2)


# --------------------------------------------------------------------------- the files


@pytest.fixture(scope="module")
def sklearn_datasets():
    datasets = pytest.importorskip("sklearn.datasets")
    return datasets


@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
def test_csv_equals_sklearn_exactly(name, sklearn_datasets):
    X, y, names = getattr(data, f"load_{name}")()
    ref = getattr(sklearn_datasets, f"load_{name}")()
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.shape == ref.data.shape and y.shape == ref.target.shape
    assert np.array_equal(X, ref.data)  # bit-for-bit, not approximately
    assert np.array_equal(y, ref.target)
    assert names == tuple(ref.feature_names)


def test_shapes_and_labels():
    X, y, names = data.load_breast_cancer()
    assert X.shape == (569, 30) and len(names) == 30
    assert np.bincount(y).tolist() == [212, 357]  # 0 = malignant, 1 = benign
    X, y, names = data.load_digits()
    assert X.shape == (1797, 64) and names[0] == "pixel_0_0" and names[-1] == "pixel_7_7"
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.rint(X))
    assert sorted(set(y.tolist())) == list(range(10))


def test_readme_sha256_matches_files():
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    listed = dict(
        (name, digest)
        for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+\.csv)$", readme, re.MULTILINE)
    )
    assert set(listed) == {"breast_cancer.csv", "digits.csv"}
    for name, digest in listed.items():
        actual = hashlib.sha256((REPO / "data" / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name}: README lists {digest}, file has {actual}"


def test_data_dir_env_var_and_missing_file_message(tmp_path, monkeypatch):
    assert data.DATA_DIR == REPO / "data"
    monkeypatch.setenv("SURVEYKIT_DATA", str(tmp_path))
    assert data.data_dir() == tmp_path
    with pytest.raises(FileNotFoundError) as info:
        data.load_digits()
    message = str(info.value)
    assert str(tmp_path / "digits.csv") in message
    assert "tools/export_data.py" in message and "SURVEYKIT_DATA" in message
    shutil.copy(REPO / "data" / "digits.csv", tmp_path / "digits.csv")
    assert data.load_digits()[0].shape == (1797, 64)


def test_import_needs_only_numpy():
    code = (
        "import sys, surveykit.data; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sklearn', 'tensorflow', 'keras')]; "
        "sys.exit(repr(bad) if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO)
    assert result.returncode == 0, result.stderr + result.stdout


# --------------------------------------------------------------------------- splitting


def _check_stratified(y, parts):
    n = y.size
    for cls in np.unique(y):
        n_c = np.sum(y == cls)
        for part in parts:
            expected = n_c * part.size / n
            assert abs(np.sum(y[part] == cls) - expected) <= 1, (cls, part.size, expected)


def test_split_disjoint_covering_and_sized():
    y = data.load_digits()[1]
    parts = data.stratified_split(y, FRACTIONS, seed=3)
    assert [p.size for p in parts] == [1078, 360, 359]  # largest remainder of 1797 · f
    joined = np.concatenate(parts)
    assert joined.size == y.size and np.array_equal(np.sort(joined), np.arange(y.size))
    for p in parts:
        assert p.dtype.kind == "i"


def test_split_deterministic_per_seed():
    y = data.load_breast_cancer()[1]
    a = data.stratified_split(y, seed=1)
    b = data.stratified_split(y, seed=1)
    c = data.stratified_split(y, seed=2)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    d = data.stratified_split(y, rng=np.random.default_rng(1))
    e = data.stratified_split(y, rng=np.random.default_rng(1))
    assert all(np.array_equal(u, v) for u, v in zip(d, e, strict=True))


@pytest.mark.parametrize("which", ["breast_cancer", "digits"])
def test_split_stratified_real_data(which):
    y = getattr(data, f"load_{which}")()[1]
    for seed in range(3):
        _check_stratified(y, data.stratified_split(y, FRACTIONS, seed=seed))


def test_split_stratified_random_labels():
    rng = np.random.default_rng(123)
    for trial in range(200):
        n = int(rng.integers(20, 400))
        k = int(rng.integers(1, 9))
        y = rng.choice(k, size=n, p=rng.dirichlet(np.full(k, 0.7)))
        fractions = tuple(rng.dirichlet(np.full(3, 3.0)) * 0.97 + 0.01)
        fractions = (fractions[0], fractions[1], 1.0 - fractions[0] - fractions[1])
        try:
            parts = data.stratified_split(y, fractions, seed=trial)
        except ValueError as err:  # a part would be empty
            assert "at least one sample" in str(err)
            continue
        assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(n))
        _check_stratified(y, parts)


@pytest.mark.parametrize(
    "fractions, fragments",
    [
        ((0.5, 0.3, 0.3), ["fractions", "sum to 1", "0.5, 0.3, 0.3"]),
        ((0.7, 0.4, -0.1), ["fractions[2]", "(0, 1)", "-0.1"]),
        ((0.0, 0.5, 0.5), ["fractions[0]", "(0, 1)", "0.0"]),
        ((0.5, 0.5), ["fractions", "3 entries", "(0.5, 0.5)"]),
        (0.6, ["fractions", "0.6"]),
    ],
)
def test_split_fraction_validation(fractions, fragments):
    with pytest.raises(ValueError) as info:
        data.stratified_split(np.arange(100) % 2, fractions)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_split_other_bad_inputs():
    with pytest.raises(ValueError, match="seed"):
        data.stratified_split(np.zeros(10), seed=-1)
    with pytest.raises(ValueError, match="rng"):
        data.stratified_split(np.zeros(10), rng=42)
    with pytest.raises(ValueError, match="y must be a 1-D"):
        data.stratified_split(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="at least one sample"):
        data.stratified_split(np.zeros(3), (0.8, 0.1, 0.1))


# --------------------------------------------------------------------------- scaling


def test_standardization_fitted_on_train_only():
    X, y, _ = data.load_breast_cancer()
    s = data.breast_cancer_split(seed=5, dtype="float64")
    train, val, test = data.stratified_split(y, FRACTIONS, seed=5)
    assert s.X_train.dtype == np.float64 and s.y_train.dtype == np.int64
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(s.X_train.std(axis=0), 1.0, atol=1e-12)
    # the stored statistics are the raw training part's, not the whole data set's
    np.testing.assert_allclose(s.mean, X[train].mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(s.scale, X[train].std(axis=0), rtol=1e-14)
    assert not np.allclose(s.mean, X.mean(axis=0), rtol=1e-6)
    assert np.array_equal(s.y_train, y[train]) and np.array_equal(s.y_test, y[test])
    # one validation value by hand, with the training column's mean and std
    j = 3
    column = [float(v) for v in X[train, j]]
    mean = math.fsum(column) / len(column)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in column) / len(column))
    assert s.X_val[0, j] == pytest.approx((X[val[0], j] - mean) / std, rel=1e-12)
    np.testing.assert_allclose(s.X_test, (X[test] - s.mean) / s.scale, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.scaler.inverse_transform(s.X_val), X[val], rtol=1e-12)


def test_digits_zero_variance_columns_do_not_give_nan():
    X, y, _ = data.load_digits()
    s = data.digits_split(seed=0, dtype="float64")
    train = data.stratified_split(y, FRACTIONS, seed=0)[0]
    constant = X[train].max(axis=0) == X[train].min(axis=0)
    assert constant.sum() >= 1  # e.g. pixel_0_0 is always 0
    for part in (s.X_train, s.X_val, s.X_test):
        assert np.isfinite(part).all()
    assert (s.scale[constant] == 1.0).all()
    assert (s.X_train[:, constant] == 0.0).all()
    np.testing.assert_allclose(s.X_train[:, ~constant].std(axis=0), 1.0, atol=1e-12)


def test_standardizer_constant_column_with_rounding_noise():
    X = np.column_stack([np.full(7, 0.1), np.arange(7.0)])  # mean of 0.1s is not exactly 0.1
    scaler = data.Standardizer.fit(X)
    Z = scaler.transform(X)
    assert scaler.scale[0] == 1.0 and np.all(np.abs(Z[:, 0]) < 1e-15)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-15)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        scaler.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="X must be a 2-D"):
        data.Standardizer.fit(np.zeros(3))


def test_split_options_and_summary():
    s = data.digits_split(seed=1, standardize=False)
    assert s.X_train.dtype == np.float32
    assert (s.scale == 16.0).all() and (s.mean == 0.0).all()
    assert s.X_train.min() == 0.0 and s.X_train.max() == 1.0
    b = data.breast_cancer_split(standardize=False, dtype="float64")
    X, y, _ = data.load_breast_cancer()
    assert np.array_equal(b.X_train, X[data.stratified_split(y)[0]])
    summary = b.summary()
    assert "341 × 30" in summary and "114 × 30" in summary and "0: 127" in summary
    assert b.feature_names[0] == "mean radius"
    with pytest.raises(ValueError, match="dtype"):
        data.breast_cancer_split(dtype="int8")
    with pytest.raises(ValueError, match="standardize"):
        data.digits_split(standardize="yes")


# --------------------------------------------------------------------------- generators


def test_true_function():
    x = np.array([0.0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(data.true_function(x), [0.0, 1.0, 0.0, -1.0], atol=1e-15)


def test_regression_shapes_determinism_and_design():
    x, y = data.make_regression_1d(50, seed=4)
    assert x.shape == y.shape == (50,)
    assert (x >= 0).all() and (x < 1).all()
    x2, y2 = data.make_regression_1d(50, seed=4)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(y, data.make_regression_1d(50, seed=5)[1])
    xf, yf = data.make_regression_1d(11, noise_sd=0.0, design="fixed", x_range=(-1.0, 2.0))
    assert np.array_equal(xf, np.linspace(-1.0, 2.0, 11))
    assert np.array_equal(yf, data.true_function(xf))


@pytest.mark.parametrize("noise_sd", [0.05, 0.3, 1.0])
def test_regression_noise_level(noise_sd):
    n = 20_000
    x, y = data.make_regression_1d(n, noise_sd=noise_sd, seed=7)
    residual = y - data.true_function(x)
    # the sample std has standard error ≈ σ / sqrt(2(n − 1)); allow 5 of them
    tolerance = 5 * noise_sd / math.sqrt(2 * (n - 1))
    assert abs(residual.std(ddof=1) - noise_sd) < tolerance
    assert abs(residual.mean()) < 5 * noise_sd / math.sqrt(n)


def test_regression_draws_match_biasvariance_decompose():
    from surveykit import biasvariance

    seen = []

    def learner(x_train, y_train, x_test):
        seen.append((x_train.copy(), y_train.copy()))
        return np.zeros_like(x_test)

    biasvariance.decompose(learner, data.true_function, n_train=20, n_datasets=2, seed=9)
    x, y = data.make_regression_1d(20, noise_sd=0.3, seed=9)
    assert np.array_equal(seen[0][0], x) and np.array_equal(seen[0][1], y)


@pytest.mark.parametrize("n", [2, 7, 100, 101])
def test_moons_equal_sklearn_without_noise(n, sklearn_datasets):
    X, y = data.make_moons(n, noise=0.0, shuffle=False)
    X_ref, y_ref = sklearn_datasets.make_moons(n, noise=0, shuffle=False)
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref)
    assert y.dtype == np.int64
    # shuffling only permutes the rows
    Xs, ys = data.make_moons(n, noise=0.0, shuffle=True, seed=3)
    order = np.lexsort((X[:, 1], X[:, 0]))
    order_s = np.lexsort((Xs[:, 1], Xs[:, 0]))
    assert np.array_equal(Xs[order_s], X[order]) and np.array_equal(ys[order_s], y[order])


def test_moons_noise_and_determinism():
    X, y = data.make_moons(4000, noise=0.1, seed=1, shuffle=False)
    X0, _ = data.make_moons(4000, noise=0.0, shuffle=False)
    assert X.shape == (4000, 2) and np.bincount(y).tolist() == [2000, 2000]
    assert abs((X - X0).std() - 0.1) < 5 * 0.1 / math.sqrt(2 * 8000)
    X2, y2 = data.make_moons(4000, noise=0.1, seed=1, shuffle=False)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, data.make_moons(4000, noise=0.1, seed=2, shuffle=False)[0])


@pytest.mark.parametrize("n", [2, 9, 500])
def test_spirals_balanced_and_on_their_arms(n):
    X, y = data.make_spirals(n, noise=0.0, turns=1.5, seed=2)
    assert X.shape == (n, 2) and y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=2)
    assert abs(int(counts[0]) - int(counts[1])) <= 1 and counts.sum() == n
    # noiseless points satisfy the arm equation: angle = π·r + k·π (mod 2π), r ≤ 2·turns
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r <= 3.0 + 1e-12).all()
    angle_gap = np.arctan2(X[:, 1], X[:, 0]) - (np.pi * r + np.pi * y)
    assert np.allclose(np.cos(angle_gap), 1.0, atol=1e-9)


def test_spirals_determinism_and_noise():
    a = data.make_spirals(300, seed=11)
    b = data.make_spirals(300, seed=11)
    c = data.make_spirals(300, seed=12)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    d = data.make_spirals(300, rng=np.random.default_rng(11))
    e = data.make_spirals(300, rng=np.random.default_rng(11))
    assert np.array_equal(d[0], e[0])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: data.make_regression_1d(0), "n"),
        (lambda: data.make_regression_1d(2.5), "n"),
        (lambda: data.make_regression_1d(10, noise_sd=-0.1), "noise_sd"),
        (lambda: data.make_regression_1d(10, x_range=(1.0, 0.0)), "x_range"),
        (lambda: data.make_regression_1d(10, x_range=(0.0, math.inf)), "x_range[1]"),
        (lambda: data.make_regression_1d(10, design="grid"), "design"),
        (lambda: data.make_regression_1d(10, seed=-3), "seed"),
        (lambda: data.make_moons(1), "n"),
        (lambda: data.make_moons(10, noise=-1.0), "noise"),
        (lambda: data.make_moons(10, shuffle=None), "shuffle"),
        (lambda: data.make_spirals(-5), "n"),
        (lambda: data.make_spirals(10, noise=-0.2), "noise"),
        (lambda: data.make_spirals(10, turns=0.0), "turns"),
        (lambda: data.make_spirals(10, rng="seed"), "rng"),
        (lambda: data.breast_cancer_split(seed=1.5), "seed"),
        (lambda: data.digits_split(fractions=(0.2, 0.2, 0.2)), "fractions"),
    ],
)
def test_bad_inputs_name_the_argument(call, name):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(f"{name} must"), str(info.value)
