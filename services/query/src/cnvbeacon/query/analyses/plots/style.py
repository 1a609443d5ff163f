"""Colours, sizes and the figure-to-SVG step shared by every plot.

Figures are sized for 1200 px wide at 100 px per inch, text stays text in the SVG (small
files, selectable labels). matplotlib is not thread-safe, so figures are drawn one at a time.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any, Final

import matplotlib
from matplotlib.figure import Figure

from cnvbeacon.shared.colours import GAIN, LOSS

CLASS_COLOURS: Final = {
    "deletion": LOSS,
    "duplication": GAIN,
    "deletion+duplication": "#3BAA5C",
    "multi-allelic": "#00897B",
    "complex": "#7B52AB",
    "undetermined": "#9E9E9E",
}
CHROMOSOME_SHADE: Final = "#F2F2F2"
TEXT: Final = "#222222"
WIDTH_IN: Final = 12.0
DPI: Final = 100

# Typed loosely: matplotlib's stubs want a literal key type.
_RC: Final[dict[Any, Any]] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "cnvbeacon",
}
_DRAWING: Final = threading.Lock()


def new_figure(height_in: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")


def render(draw: Callable[[], Figure]) -> bytes:
    """Draw a figure under the plotting lock and the house style; its SVG."""
    with _DRAWING, matplotlib.rc_context(_RC):
        figure = draw()
        buffer = io.BytesIO()
        # dpi sets the resolution of rasterized layers only; the rest stays vector.
        figure.savefig(buffer, format="svg", metadata={"Date": None}, dpi=2 * DPI)
    return buffer.getvalue()


def megabases(value: float) -> str:
    return f"{value / 1e6:g}"
