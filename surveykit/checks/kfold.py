"""Checkers for the §7.3 exercises on cross-validation and selection bias (notebook 07.03).

The references are :func:`surveykit.crossval.kfold_indices` (unshuffled, identical to
scikit-learn's ``KFold``) and :func:`surveykit.crossval.optimistic_gap`, so each is
defined once. The checks look for the usual mistakes first and name them: overlapping
folds, samples missing when n % k ≠ 0, a training part that contains validation samples,
the wrong number of folds; selecting by the test score, or taking the best test score
independently of the winner.
"""

from __future__ import annotations

import numpy as np

from .. import crossval
from .core import Check

__all__ = ["check_kfold_indices", "check_optimistic_gap"]

_KFOLD_CASES = [(10, 5), (11, 3), (7, 7), (23, 4), (6, 4), (2, 2), (13, 5)]


def _as_indices(c: Check, value, what: str, case: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 1 or not (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
        c.fail(f"{what} on {case} should be a 1-D array of integer indices; got "
               f"{_short(value)}.\n  Hint: np.arange(start, stop) gives the indices "
               "start, …, stop − 1.")
    return arr.astype(np.int64)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:120] + "…"


def _fold_pairs(c: Check, got, n: int, k: int, case: str) -> list:
    try:
        folds = list(got)
    except TypeError:
        c.fail(f"return a list of k (train_idx, val_idx) pairs; got {type(got).__name__} "
               f"on {case}.")
    c.count += 1
    if len(folds) != k:
        hint = ("return one (train_idx, val_idx) pair per fold, not one list of training "
                "folds and one of validation folds." if len(folds) == 2 else
                f"k-fold cross-validation has exactly k = {k} folds, one per block of "
                "about n / k samples.")
        c.fail(f"wrong number of folds on {case}. Expected {k} (train_idx, val_idx) pairs, "
               f"got {len(folds)}.\n  Hint: {hint}")
    pairs = []
    for i, fold in enumerate(folds):
        try:
            train, val = fold
        except (TypeError, ValueError):
            c.fail(f"fold {i} on {case} is not a (train_idx, val_idx) pair: got "
                   f"{_short(fold)}.")
        pairs.append((_as_indices(c, train, f"fold {i}'s train_idx", case),
                      _as_indices(c, val, f"fold {i}'s val_idx", case)))
    for i, (train, val) in enumerate(pairs):
        for name, idx in (("train_idx", train), ("val_idx", val)):
            if idx.size and (idx.min() < 0 or idx.max() >= n):
                c.fail(f"fold {i}'s {name} on {case} holds indices outside 0 … {n - 1}: "
                       f"{_short(idx.tolist())}.")
    return pairs


def check_kfold_indices(fn) -> None:
    """Check ``fn(n, k)`` → k ``(train_idx, val_idx)`` pairs of unshuffled k-fold CV.

    Expected: scikit-learn's ``KFold(k)`` without shuffling — contiguous validation
    blocks, the first n % k of them one sample longer — which is
    :func:`surveykit.crossval.kfold_indices`; the order of indices inside an array does
    not matter.
    """
    c = Check("kfold_indices")
    for n, k in _KFOLD_CASES:
        case = f"n={n}, k={k}"
        pairs = _fold_pairs(c, c.call(fn, n, k, case=case), n, k, case)
        expected = crossval.kfold_indices(n, k)
        vals = [np.sort(val) for _, val in pairs]
        owner: dict[int, int] = {}
        c.count += 1
        for i, val in enumerate(vals):
            if np.unique(val).size != val.size:
                c.fail(f"fold {i}'s validation part on {case} lists a sample twice: "
                       f"{val.tolist()}.")
            for s in val.tolist():
                if s in owner:
                    c.fail(f"overlapping folds on {case}: sample {s} is in the validation part "
                           f"of fold {owner[s]} and of fold {i}.\n  Hint: each block starts "
                           "where the previous one stopped (start = previous stop), so that "
                           "every sample is validated exactly once.")
                owner[s] = i
        missing = sorted(set(range(n)) - set(owner))
        c.count += 1
        if missing:
            hint = ("every sample must be in exactly one validation fold."
                    if not (n % k and missing == list(range(n - len(missing), n))) else
                    f"with blocks of n // k = {n // k} samples, k blocks cover only "
                    f"{k * (n // k)} of the {n} samples; the n % k = {n % k} left over must "
                    "go somewhere — scikit-learn's KFold gives one extra sample to each of "
                    "the first n % k folds.")
            c.fail(f"samples missing from every validation fold on {case}: {missing}.\n"
                   f"  Hint: {hint}")
        for i, (train, val) in enumerate(pairs):
            c.count += 1
            inside = sorted(set(train.tolist()) & set(val.tolist()))
            if inside:
                c.fail(f"fold {i}'s training part contains its own validation samples on "
                       f"{case}: {inside}.\n  Hint: train_idx is every index that is *not* "
                       "in the fold's val_idx; a model must never be scored on samples it "
                       "was trained on.")
            absent = sorted(set(range(n)) - set(train.tolist()) - set(val.tolist()))
            if absent or np.unique(train).size != train.size:
                c.fail(f"fold {i}'s training part on {case} should be every index not in its "
                       f"validation part (exactly once each); missing {absent}, got "
                       f"{_short(train.tolist())}.")
        sizes = [v.size for v in vals]
        want = [val.size for _, val in expected]
        c.count += 1
        if max(sizes) - min(sizes) > 1:
            c.fail(f"fold sizes {sizes} on {case} differ by more than one.\n  Hint: don't put "
                   f"all n % k = {n % k} leftover samples into one fold; scikit-learn's KFold "
                   f"gives one extra to each of the first n % k folds: sizes {want}.")
        if sizes != want:
            c.fail(f"wrong fold sizes on {case}. Expected {want}, got {sizes}.\n  Hint: the "
                   "folds that get an extra sample are the *first* n % k ones, as in "
                   "scikit-learn's KFold.")
        for i, (val, (_, ref)) in enumerate(zip(vals, expected, strict=True)):
            c.count += 1
            if val.size and not np.array_equal(val, np.arange(val[0], val[0] + val.size)):
                c.fail(f"fold {i}'s validation samples on {case} are not one contiguous block: "
                       f"{val.tolist()}.\n  Hint: unshuffled k-fold cuts range(n) into "
                       "consecutive blocks (fold 0 = 0, 1, 2, …); don't shuffle or deal the "
                       "samples round-robin (i::k).")
            if not np.array_equal(val, ref):
                c.fail(f"wrong validation block for fold {i} on {case}.\n  Expected: "
                       f"{ref.tolist()}\n  Got:      {val.tolist()}\n  Hint: fold i validates "
                       "on the i-th block, in order.")
    c.passed()


# --------------------------------------------------------------------------- exercise 2


def _cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Small hand-made searches and a larger random one with ties, on a 1/57 grid."""
    val1 = np.array([[0.90, 0.95, 0.93], [0.97, 0.92, 0.97], [0.88, 0.86, 0.89]])
    test1 = np.array([[0.91, 0.90, 0.96], [0.93, 0.96, 0.89], [0.90, 0.95, 0.86]])
    rng = np.random.default_rng(7)
    p = rng.uniform(0.9, 0.97, (1, 20))
    val2 = rng.binomial(57, np.repeat(p, 50, axis=0)) / 57
    test2 = rng.binomial(171, np.repeat(p, 50, axis=0)) / 171
    return [("3 searches × 3 trials", val1, test1), ("50 searches × 20 trials", val2, test2),
            ("1 search × 1 trial", np.array([[0.9]]), np.array([[0.85]]))]


def _rows_pick(val, test, winner):
    rows = np.arange(val.shape[0])
    return val[rows, winner], test[rows, winner]


def _mistakes(val, test) -> list[tuple[float, str]]:
    """Values that typical wrong answers return, with the hint for each."""
    v_first, t_first = _rows_pick(val, test, np.argmax(val, axis=1))
    v_last, t_last = _rows_pick(val, test, val.shape[1] - 1 - np.argmax(val[:, ::-1], axis=1))
    v_test, t_test = _rows_pick(val, test, np.argmax(test, axis=1))
    cols = np.argmax(val, axis=0)
    return [
        (float(np.mean(t_first - v_first)),
         "the sign is reversed: the gap is validation − test (positive when the validation "
         "score is optimistic)."),
        (float(np.mean(val.max(axis=1) - test.max(axis=1))),
         "you subtracted the best *test* score of the run; subtract the test score of the "
         "configuration selected by validation (the same column j as the winner)."),
        (float(np.mean(v_test - t_test)),
         "you selected the winner by its test score; the selection may only look at the "
         "validation scores (the test set stays untouched)."),
        (float(np.mean(val - test)),
         "you averaged over all configurations; take only each run's winner, "
         "j* = argmax_j val[r, j]."),
        (float(np.mean(v_last - t_last)),
         "on ties keep the *first* best trial (np.argmax does), as a search that only "
         "replaces its best on a strict improvement."),
        (float(np.mean(val[cols, np.arange(val.shape[1])] - test[cols, np.arange(val.shape[1])])),
         "each *row* is one search and each column one trial: take the argmax along axis 1."),
    ]


def check_optimistic_gap(fn) -> None:
    """Check ``fn(val_scores, test_scores)`` → the mean, over runs (rows), of the winner's
    validation minus test score, the winner being each row's first argmax of the
    validation scores (:func:`surveykit.crossval.optimistic_gap`)."""
    c = Check("optimistic_gap")
    for case, val, test in _cases():
        got = c.call(fn, val.copy(), test.copy(), case=case)
        expected = crossval.optimistic_gap(val, test)
        c.count += 1
        if np.ndim(got) != 0:
            c.fail(f"return one number on {case} (the mean over the runs); got an array of "
                   f"shape {np.shape(got)}.\n  Hint: np.mean(...) of the per-run gaps.")
        try:
            value = float(got)
        except (TypeError, ValueError):
            c.fail(f"return one number on {case}; got {_short(got)}.")
        hint = "for each row r: j* = argmax_j val[r, j]; gap_r = val[r, j*] − test[r, j*]; "
        hint += "return the mean of gap_r."
        if not np.isclose(value, expected, rtol=1e-9, atol=1e-12):
            for wrong, text in _mistakes(val, test):
                if np.isclose(value, wrong, rtol=1e-9, atol=1e-12):
                    hint = text
                    break
        c.close("the optimistic gap", value, expected, case=case, hint=hint, rtol=1e-9,
                atol=1e-12)
    c.passed()
