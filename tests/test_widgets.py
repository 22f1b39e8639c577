"""The slider layer, tested headless: set values, check the figure and result change."""

import numpy as np
import pytest

from surveykit import plots, widgets


def line_plot(slope, offset=0.0):
    """A pure plotting function: the line y = slope·x + offset."""
    fig, (ax,) = plots.new_figure()
    x = np.linspace(0, 1, 5)
    ax.plot(x, slope * x + offset)
    return fig


def ydata(panel):
    return np.asarray(panel.figure.axes[0].lines[0].get_ydata())


def test_default_figure_is_drawn_at_construction():
    p = widgets.panel(line_plot, slope=widgets.float_slider(-2, 2, 1.0, 0.5))
    assert p.calls == 1 and p.error is None
    np.testing.assert_allclose(ydata(p), np.linspace(0, 1, 5))


def test_moving_a_slider_redraws_with_the_new_value():
    p = widgets.panel(line_plot, slope=widgets.float_slider(-2, 2, 1.0, 0.5),
                      offset=widgets.log_slider(1e-3, 10, 1e-2))
    before = ydata(p).copy()
    p.controls["slope"].value = -2.0
    p.controls["offset"].value = 1.0
    assert p.calls == 3
    assert p.values == {"slope": -2.0, "offset": pytest.approx(1.0)}
    np.testing.assert_allclose(ydata(p), -2.0 * np.linspace(0, 1, 5) + 1.0)
    assert not np.allclose(before, ydata(p))


def test_errors_are_kept_and_shown_not_swallowed():
    def fragile(slope):
        if slope < 0:
            raise ValueError(f"slope must be in [0, inf); got {slope}")
        return line_plot(slope)

    p = widgets.panel(fragile, slope=widgets.float_slider(-1, 1, 0.5, 0.5))
    good = p.figure
    p.controls["slope"].value = -1.0
    assert isinstance(p.error, ValueError)
    assert "slope must be in" in p._message.value
    assert p.figure is good  # the last good figure stays
    p.controls["slope"].value = 1.0
    assert p.error is None and p._message.value == ""


def test_run_button_recomputes_only_on_click():
    p = widgets.panel(line_plot, run_button=True, slope=widgets.int_slider(0, 5, 1))
    p.controls["slope"].value = 4
    assert p.calls == 1
    np.testing.assert_allclose(ydata(p), np.linspace(0, 1, 5))
    p.button.click()
    assert p.calls == 2
    np.testing.assert_allclose(ydata(p), 4 * np.linspace(0, 1, 5))


def test_display_output_carries_a_static_png_next_to_the_widget_view():
    p = widgets.panel(line_plot, slope=widgets.choice([0.5, 1.0, 2.0], 1.0))
    bundle = p._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"].startswith(b"\x89PNG")
    before = bundle["image/png"]
    p.controls["slope"].value = 2.0
    assert p._repr_mimebundle_()["image/png"] != before


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: widgets.log_slider(0, 1, 0.1), "low"),
        (lambda: widgets.log_slider(1e-3, 1, 2), "value"),
        (lambda: widgets.float_slider(0, 1, 0.5, 0), "step"),
        (lambda: widgets.int_slider(3, 3, 3), "high"),
        (lambda: widgets.choice([]), "options"),
        (lambda: widgets.choice([1, 2], 3), "value"),
        (lambda: widgets.panel(line_plot), "controls"),
        (lambda: widgets.panel(line_plot, slope=3), "slope"),
    ],
)
def test_bad_specs_are_value_errors(make, name):
    with pytest.raises(ValueError, match=name):
        make()
