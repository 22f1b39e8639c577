"""Sliders wired to pure plotting functions.

A notebook cell is one call::

    sk.widgets.panel(plot_fn, learning_rate=sk.widgets.log_slider(1e-4, 1, 1e-2))

``plot_fn(**values)`` is a pure function that returns a matplotlib Figure and is unit
tested on its own; the panel only wires the controls to it. Design choices:

* Exceptions are never swallowed silently (unlike ``ipywidgets.interactive``): the
  panel stores the last exception in ``panel.error``, shows its message under the
  sliders, and ``panel.figure`` keeps the last good figure.
* ``run_button=True`` recomputes only on a click — for callbacks that would retrain.
* Where widgets cannot run (GitHub, HTML exported offline) the panel's display output
  also carries the current figure as ``image/png`` in the same output, so the default
  figure is still seen; ``make html`` exports with that image preferred.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import ipywidgets as W
import numpy as np
from IPython.display import clear_output, display

from .validation import check_int, check_range

__all__ = ["FigurePanel", "panel", "log_slider", "float_slider", "int_slider", "choice",
           "figure_png"]

_STYLE = {"description_width": "initial"}
_LAYOUT = W.Layout(width="420px")


def log_slider(low: float, high: float, value: float, *, description: str | None = None,
               steps_per_decade: int = 4) -> W.FloatLogSlider:
    """A slider over [low, high] on a log10 scale (learning rates, λ: survey §7.4)."""
    low = check_range("low", low, 0.0, low_closed=False)
    high = check_range("high", high, low, low_closed=False)
    value = check_range("value", value, low, high)
    steps_per_decade = check_int("steps_per_decade", steps_per_decade, low=1)
    return W.FloatLogSlider(value=value, base=10, min=np.log10(low), max=np.log10(high),
                            step=1.0 / steps_per_decade, description=description or "",
                            style=_STYLE, layout=_LAYOUT, continuous_update=False)


def float_slider(low: float, high: float, value: float, step: float, *,
                 description: str | None = None) -> W.FloatSlider:
    """A slider over [low, high] on a linear scale (dropout rate, momentum…)."""
    high = check_range("high", high, low, low_closed=False)
    value = check_range("value", value, low, high)
    step = check_range("step", step, 0.0, high - low, low_closed=False)
    return W.FloatSlider(value=value, min=low, max=high, step=step,
                         description=description or "", style=_STYLE, layout=_LAYOUT,
                         continuous_update=False, readout_format=".3g")


def int_slider(low: int, high: int, value: int, step: int = 1, *,
               description: str | None = None) -> W.IntSlider:
    """An integer slider over [low, high] (degree, depth, patience…)."""
    low = check_int("low", low)
    high = check_int("high", high, low=low + 1)
    value = check_int("value", value, low=low, high=high)
    step = check_int("step", step, low=1)
    return W.IntSlider(value=value, min=low, max=high, step=step,
                       description=description or "", style=_STYLE, layout=_LAYOUT,
                       continuous_update=False)


def choice(options: Sequence, value=None, *, description: str | None = None) -> W.SelectionSlider:
    """A slider over a fixed list of options (precomputed runs, categorical values)."""
    options = list(options)
    if not options:
        raise ValueError("options must be a non-empty sequence; got []")
    value = options[0] if value is None else value
    if value not in options:
        raise ValueError(f"value must be one of {options}; got {value!r}")
    return W.SelectionSlider(options=options, value=value, description=description or "",
                             style=_STYLE, layout=_LAYOUT, continuous_update=False)


def figure_png(fig) -> bytes:
    """Render a matplotlib figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


class FigurePanel(W.VBox):
    """Controls plus the figure that ``plot_fn(**values)`` returns.

    Attributes for tests and curious learners: ``figure`` (the last figure drawn),
    ``error`` (the last exception, or None), ``calls`` (how many times ``plot_fn`` ran)
    and ``values`` (the current control values).
    """

    def __init__(self, plot_fn: Callable, controls: dict[str, W.ValueWidget], *,
                 run_button: bool = False):
        if not controls:
            raise ValueError("controls must name at least one control; got none")
        for name, control in controls.items():
            if not isinstance(control, W.ValueWidget):
                raise ValueError(f"control {name!r} must be an ipywidgets value widget; "
                                 f"got {type(control).__name__}")
            if not control.description:
                control.description = name
        self.plot_fn = plot_fn
        self.controls = dict(controls)
        self.figure = None
        self.error: Exception | None = None
        self.calls = 0
        self._output = W.Output()
        self._message = W.HTML()
        children = list(self.controls.values())
        if run_button:
            self.button = W.Button(description="Run", button_style="primary")
            self.button.on_click(lambda _: self.update())
            children.append(self.button)
        else:
            self.button = None
            for control in self.controls.values():
                control.observe(lambda _: self.update(), names="value")
        super().__init__(children=[*children, self._message, self._output])
        self.update()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def update(self) -> None:
        """Call ``plot_fn`` with the current values and show its figure."""
        import matplotlib.pyplot as plt

        self.calls += 1
        try:
            fig = self.plot_fn(**self.values)
        except Exception as exc:  # shown to the learner and kept for tests, never swallowed
            self.error = exc
            self._message.value = (f"<b style='color:#b00'>{type(exc).__name__}:</b> "
                                   f"{_escape(str(exc))}")
            return
        self.error = None
        self._message.value = ""
        self.figure = fig
        with self._output:
            clear_output(wait=True)
            display(fig)
        plt.close(fig)

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        if self.figure is not None:
            data["image/png"] = figure_png(self.figure)
        return data


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def panel(plot_fn: Callable, *, run_button: bool = False, **controls) -> FigurePanel:
    """Wire ``controls`` (name → widget) to ``plot_fn`` and return the panel to display."""
    return FigurePanel(plot_fn, controls, run_button=run_button)
