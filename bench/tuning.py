"""Bayesian optimization vs its peers on functions with known minima (a maintainer tool).

surveykit's :class:`~surveykit.tuning.bayes.BayesianOptimization` (defaults, seeded), Optuna's
``GPSampler`` and ``TPESampler`` (defaults, seeded), scikit-optimize's ``gp_minimize``
(defaults, seeded; if it is installed) and random search (surveykit's ``RandomSearch``) each
minimise, for every seed:

- Branin on [−5, 10] × [0, 15] (50 evaluations),
- Hartmann-6 on [0, 1]⁶ (100 evaluations),
- the ML-style surrogate of :mod:`surveykit.tuning.benchmarks` over log10 learning rate,
  log10 weight decay, dropout and log2 batch size (50 evaluations).

Every peer sees the same search space in the same scales (log-uniform dimensions as
``log=True`` / ``prior="log-uniform"``). Reported, per problem and optimiser: the median
and interquartile range over seeds of the **simple regret** (best value so far − known
minimum) after 10/25/50/100 evaluations; the median number of evaluations needed to reach
regret 0.01 on Branin and 0.1 on Hartmann-6 (a seed that never gets there counts as
infinitely many, so the median is "> budget" when half of them miss); and the optimiser's
own time per suggestion (wall time of the search minus the objective's, divided by the
number of evaluations: the median over seeds). Every optimiser runs single-threaded (BLAS,
OpenMP and PyTorch limited to one thread): on 2 shared cores, multi-threaded BLAS on the
small matrices of a GP was measured 10–30 times slower than one thread. Results are
cached per (optimiser, problem, seed) in ``--cache`` so a rerun only computes what is
missing (``--fresh`` recomputes).

Usage::

    python bench/tuning.py --out bench/TUNING.md [--seeds 20] [--quick] [--only bayes random]
"""

# ruff: noqa: E402  (the thread limits must be set before numpy is imported)
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported: see the docstring

# isort: split
import argparse
import datetime
import json
import math
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from surveykit.tuning.base import Trial
from surveykit.tuning.bayes import BayesianOptimization
from surveykit.tuning.benchmarks import BENCHMARKS
from surveykit.tuning.space import Categorical, Integer, LogUniform, Uniform

BUDGETS = {"branin": 50, "hartmann6": 100, "ml_surrogate": 50}
THRESHOLDS = {"branin": 0.01, "hartmann6": 0.1}
CHECKPOINTS = (10, 25, 50, 100)
OPTIMIZERS = ("surveykit", "optuna_gp", "optuna_tpe", "skopt", "random")
LABELS = {"surveykit": "surveykit BayesianOptimization", "optuna_gp": "Optuna GPSampler",
          "optuna_tpe": "Optuna TPESampler", "skopt": "scikit-optimize gp_minimize",
          "random": "random search"}
#: the issue's measurements of the best peers (optuna 5.0.0, scikit-optimize 0.10.2)
ISSUE_FIGURES = {
    ("branin", "regret@50"): ("3.9e-05", "Optuna GP"),
    ("branin", "evals to 0.01"): ("24.5", "scikit-optimize"),
    ("hartmann6", "regret@100"): ("1.5e-04", "Optuna GP"),
    ("ml_surrogate", "regret@50"): ("led by TPE", "Optuna TPE"),
    **{(p, "ms"): ("46–95", "Optuna GP") for p in ("branin", "hartmann6", "ml_surrogate")},
}


def _timed(objective):
    """Wrap an objective to count its own time (subtracted from the optimiser's)."""
    spent = [0.0]

    def f(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return objective(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    return f, spent


def run_surveykit(bench, budget, seed):
    strategy = BayesianOptimization(bench.space, seed=seed)
    return _run_strategy(strategy, bench, budget)


def run_random(bench, budget, seed):
    from surveykit.tuning.strategies import RandomSearch

    return _run_strategy(RandomSearch(bench.space, seed=seed), bench, budget)


def _run_strategy(strategy, bench, budget):
    trials, values, t_opt = [], [], 0.0
    for i in range(budget):
        t0 = time.perf_counter()
        suggestion = strategy.ask(trials, 1)[0]
        t_opt += time.perf_counter() - t0
        value = bench(suggestion.params)
        trials.append(Trial(i, suggestion.params, budget=suggestion.budget, state="complete",
                            value=value, info=suggestion.info))
        values.append(value)
    return values, t_opt / budget


def _optuna_suggest(trial, space):
    params = {}
    for d in space:
        if isinstance(d, Categorical):
            params[d.name] = trial.suggest_categorical(d.name, list(d.choices))
        elif isinstance(d, Integer):
            params[d.name] = trial.suggest_int(d.name, d.low, d.high, log=d.log)
        elif isinstance(d, (Uniform, LogUniform)):
            params[d.name] = trial.suggest_float(d.name, d.low, d.high,
                                                 log=isinstance(d, LogUniform))
    return params


def _run_optuna(sampler, bench, budget):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=sampler, direction="minimize")
    objective, spent = _timed(bench)
    values = []
    t0 = time.perf_counter()
    for _ in range(budget):
        trial = study.ask()
        params = _optuna_suggest(trial, bench.space)  # Optuna's sampling happens here
        value = objective(params)
        study.tell(trial, value)
        values.append(value)
    total = time.perf_counter() - t0
    return values, (total - spent[0]) / budget


def run_optuna_gp(bench, budget, seed):
    import optuna
    import torch

    torch.set_num_threads(1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ExperimentalWarning
        sampler = optuna.samplers.GPSampler(seed=seed)
    return _run_optuna(sampler, bench, budget)


def run_optuna_tpe(bench, budget, seed):
    import optuna

    return _run_optuna(optuna.samplers.TPESampler(seed=seed), bench, budget)


def run_skopt(bench, budget, seed):
    from skopt import gp_minimize
    from skopt.space import Categorical as SCat
    from skopt.space import Integer as SInt
    from skopt.space import Real

    dims = []
    for d in bench.space:
        if isinstance(d, Categorical):
            dims.append(SCat(list(d.choices), name=d.name))
        elif isinstance(d, Integer):
            dims.append(SInt(d.low, d.high, prior="log-uniform" if d.log else "uniform",
                             name=d.name))
        else:
            dims.append(Real(d.low, d.high, prior="log-uniform" if isinstance(d, LogUniform)
                             else "uniform", name=d.name))
    names = bench.space.names
    values = []

    def raw(x):
        params = {n: (int(v) if isinstance(bench.space[n], Integer) else float(v))
                  for n, v in zip(names, x, strict=True)}
        value = bench(params)
        values.append(value)
        return value

    objective, spent = _timed(raw)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp_minimize(objective, dims, n_calls=budget, random_state=seed)
    total = time.perf_counter() - t0
    return values, (total - spent[0]) / budget


RUNNERS = {"surveykit": run_surveykit, "optuna_gp": run_optuna_gp,
           "optuna_tpe": run_optuna_tpe, "skopt": run_skopt, "random": run_random}


def available(name: str) -> bool:
    try:
        if name == "skopt":
            import skopt  # noqa: F401
        elif name == "optuna_gp":
            import optuna  # noqa: F401
            import torch  # noqa: F401
        elif name == "optuna_tpe":
            import optuna  # noqa: F401
    except ImportError:
        return False
    return True


def run_one(name, problem, seed, budget, cache: Path | None, fresh: bool,
            cached_only: bool = False):
    path = cache / f"{name}-{problem}-{budget}-{seed}.json" if cache else None
    if path is not None and path.exists() and not fresh:
        return json.loads(path.read_text())
    if cached_only:
        return None
    values, t = RUNNERS[name](BENCHMARKS[problem], budget, seed)
    result = {"values": [float(v) for v in values], "time_per_suggestion": t}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result))
    return result


def regret_curves(results, problem):
    """Best-so-far simple regret, one row per seed."""
    minimum = BENCHMARKS[problem].minimum
    return np.array([np.minimum.accumulate(r["values"]) - minimum for r in results])


def evals_to_reach(curves, threshold):
    """Per seed: the first evaluation (1-based) with regret ≤ threshold (inf if never)."""
    out = []
    for c in curves:
        hit = np.nonzero(c <= threshold)[0]
        out.append(float(hit[0] + 1) if len(hit) else math.inf)
    return np.array(out)


def _fmt(x):
    if not np.isfinite(x):
        return "—"
    if x == 0:
        return "0"
    if 10 <= abs(x) < 1e4:
        return f"{x:.3g}"
    return f"{x:.2g}" if 1e-3 <= abs(x) < 10 else f"{x:.1e}"


def summarise(all_results, seeds):
    """Rows of the tables and the figures compared with the issue's."""
    tables, figures = {}, {}
    for problem, per_opt in all_results.items():
        budget = BUDGETS[problem]
        rows = []
        for name, results in per_opt.items():
            curves = regret_curves(results, problem)
            row = {"optimizer": name, "n": len(results)}
            for k in CHECKPOINTS:
                if k <= budget:
                    q = np.percentile(curves[:, k - 1], [25, 50, 75])
                    row[f"regret@{k}"] = q
                    figures[(problem, name, f"regret@{k}")] = q[1]
            if problem in THRESHOLDS:
                hits = evals_to_reach(curves, THRESHOLDS[problem])
                med = float(np.median(hits))
                row["evals"] = (med, int(np.isfinite(hits).sum()))
                figures[(problem, name, f"evals to {THRESHOLDS[problem]:g}")] = med
            ts = [r["time_per_suggestion"] for r in results]
            row["time_ms"] = 1000 * float(np.median(ts))
            figures[(problem, name, "ms per suggestion")] = row["time_ms"]
            rows.append(row)
        tables[problem] = rows
    return tables, figures


def write_markdown(out: Path, tables, figures, seeds, elapsed, load_before, versions):
    lines = ["# Tuning benchmark: surveykit's Bayesian optimization vs its peers", "",
             "Written by `python bench/tuning.py` (`make bench`); see `bench/README.md` and "
             "the module docstring for the protocol.", "",
             f"Seeds per optimiser and problem: {seeds}. Simple regret = best value so far "
             "− known minimum; cells give the median and, in brackets, the interquartile "
             "range over seeds. \"Evaluations to reach\": the median over seeds of the first "
             "evaluation whose regret is below the threshold (a seed that never reaches it "
             "counts as infinitely many; `>N` when the median is such a seed), with how many "
             "seeds reached it. Time: the optimiser's own time per suggestion (the "
             "objective's time excluded), median over seeds, single-threaded; it is "
             "measured when a run is computed (cached runs keep their timings), so on a "
             "shared machine it carries the load of that moment.", ""]
    for problem, rows in tables.items():
        if not rows:
            continue
        budget = BUDGETS[problem]
        ks = [k for k in CHECKPOINTS if k <= budget]
        lines += [f"## {problem} ({budget} evaluations)", ""]
        head = ["optimizer", "seeds"] + [f"regret after {k}" for k in ks]
        if problem in THRESHOLDS:
            head.append(f"evaluations to regret {THRESHOLDS[problem]:g}")
        head.append("ms per suggestion")
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|---|" + "---:|" * (len(head) - 1))
        for row in rows:
            cells = [LABELS[row["optimizer"]], str(row["n"])]
            for k in ks:
                q = row[f"regret@{k}"]
                cells.append(f"{_fmt(q[1])} [{_fmt(q[0])}, {_fmt(q[2])}]")
            if problem in THRESHOLDS:
                med, reached = row["evals"]
                cells.append(f"{med:g} ({reached}/{row['n']})" if np.isfinite(med)
                             else f">{budget} ({reached}/{row['n']})")
            cells.append(f"{row['time_ms']:.1f}")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    # surveykit against the best peer on each figure
    lines += ["## surveykit against the best peer, figure by figure", "",
              "| problem | figure | surveykit | best peer here (time: GP-based peers) | "
              "issue's best peer |",
              "|---|---|---:|---|---|"]
    keys = sorted({(p, f) for (p, _, f) in figures}, key=lambda x: (x[0], x[1]))
    for problem, fig in keys:
        if (problem, "surveykit", fig) not in figures:
            continue
        mine = figures[(problem, "surveykit", fig)]
        # time is compared with the other GP-based optimisers (TPE and random search do
        # not fit a surrogate, so they are in another league of cost)
        excluded = ("surveykit", "random") + (("optuna_tpe",) if "ms" in fig else ())
        peers = {n: v for (p, n, f), v in figures.items()
                 if p == problem and f == fig and n not in excluded}
        if not peers:
            continue
        best_name = min(peers, key=lambda n: peers[n])
        issue = ISSUE_FIGURES.get((problem, fig.replace(" per suggestion", "")))
        issue_txt = f"{issue[0]} ({issue[1]})" if issue else ""
        lines.append(f"| {problem} | {fig} | {_fmt(mine)} | {_fmt(peers[best_name])} "
                     f"({LABELS[best_name]}) | {issue_txt} |")
    lines += ["", "## Machine", "",
              f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
              f"- cpus: {os.cpu_count()} (usable by this process: "
              f"{len(os.sched_getaffinity(0))})",
              f"- platform: {platform.system()} {platform.release()} {platform.machine()}",
              f"- python: {platform.python_version()}"]
    lines += [f"- {k}: {v}" for k, v in versions.items()]
    lines += [f"- load average (1 min) when this report was written, before / after: "
              f"{load_before:.2f} / {os.getloadavg()[0]:.2f}",
              f"- run time of this invocation: {elapsed:.0f} s (cached runs are reused, "
              "not re-run)", ""]
    out.write_text("\n".join(lines))


def versions():
    import numpy
    import scipy

    v = {"numpy": numpy.__version__, "scipy": scipy.__version__}
    for mod in ("optuna", "skopt", "torch", "sklearn"):
        try:
            v[mod] = __import__(mod).__version__
        except ImportError:
            v[mod] = "not installed"
    return v


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/TUNING.md"))
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--quick", action="store_true",
                        help="3 seeds and half the budgets: a smoke test of the script")
    parser.add_argument("--only", nargs="*", choices=OPTIMIZERS, default=list(OPTIMIZERS))
    parser.add_argument("--problems", nargs="*", choices=list(BUDGETS), default=list(BUDGETS))
    parser.add_argument("--cache", type=Path, default=Path("build/bench-tuning"),
                        help="folder of per-run results (reused unless --fresh)")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--cached-only", action="store_true",
                        help="write the report from the cached runs only (the table gives "
                             "how many seeds each row has)")
    args = parser.parse_args(argv)
    seeds = 3 if args.quick else args.seeds
    if args.quick:
        for k in BUDGETS:
            BUDGETS[k] //= 2
    names = [n for n in args.only if available(n)]
    skipped = [n for n in args.only if n not in names]
    if skipped:
        print(f"not installed, skipped: {skipped}", file=sys.stderr)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    results = {}
    for problem in args.problems:
        results[problem] = {}
        for name in names:
            runs = []
            for seed in range(seeds):
                run = run_one(name, problem, seed, BUDGETS[problem], args.cache, args.fresh,
                              args.cached_only)
                if run is not None:
                    runs.append(run)
            if not runs:
                continue
            results[problem][name] = runs
            curves = regret_curves(runs, problem)
            print(f"{problem:>12} {name:>10}: median final regret "
                  f"{np.median(curves[:, -1]):.3g}, "
                  f"{1000 * np.median([r['time_per_suggestion'] for r in runs]):.1f} ms "
                  "per suggestion", flush=True)
    tables, figures = summarise(results, seeds)
    write_markdown(args.out, tables, figures, seeds, time.perf_counter() - t0, load_before,
                   versions())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
