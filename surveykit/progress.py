"""Progress bars for long work, that leave a clean record in a stored notebook.

In a Jupyter kernel the bar is tqdm's widget while the work runs, and is replaced at the
end (same output, via a display id) by one plain line "desc: N done in T s", so a
notebook committed with its outputs shows that line instead of a frozen bar. Outside a
kernel (terminal, pytest) it is tqdm's text bar on stderr.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

__all__ = ["progress"]


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


@contextmanager
def progress(iterable: Iterable, desc: str, *, total: int | None = None) -> Iterator:
    """``with progress(items, "training") as bar: for x in bar: ...``

    Yields a tqdm iterator over ``iterable``; on exit the kernel display is replaced by
    a summary line (the elapsed time is in it, so do not pin that cell's output).
    """
    start = time.perf_counter()
    if _in_kernel():
        from IPython.display import display
        from tqdm.notebook import tqdm as notebook_tqdm

        bar = notebook_tqdm(iterable, desc=desc, total=total, display=False, leave=True)
        handle = display(bar.container, display_id=True)
        try:
            yield bar
        finally:
            bar.close()
            summary = f"{desc}: {bar.n} done in {time.perf_counter() - start:.1f} s"
            handle.update({"text/plain": summary}, raw=True)
    else:
        from tqdm import tqdm

        with tqdm(iterable, desc=desc, total=total, leave=False) as bar:
            yield bar
