"""The CNVR map (after Redon et al. 2006, figure 2): every chromosome as a bar, its CNVRs
marked in the colour of their class. CNVRs are drawn on a 200 kb grid (about a pixel at
1200 px) so that small ones stay visible at genome scale and the SVG stays small; where
classes share a grid cell the rarer class is drawn on top."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.plots.style import CLASS_COLOURS, megabases, new_figure
from cnvbeacon.query.analyses.regions import CLASSES

GRID: Final = 200_000
# Drawing order: common classes first, so rarer ones stay visible on top.
_ORDER: Final = (
    "undetermined",
    "deletion",
    "duplication",
    "deletion+duplication",
    "complex",
    "multi-allelic",
)


def cnvr_map_figure(cnvrs: Table, meta: dict[str, Any], min_samples: int, title: str) -> Figure:
    chromosomes = list(meta["chromosomes"])
    lengths = [int(n) for n in meta["chromosome_lengths"]]
    figure = new_figure(8.5)
    axes = figure.subplots()
    shown = cnvrs["samples"] >= min_samples
    counts: dict[str, int] = {}
    for row, length in enumerate(lengths):
        y = len(chromosomes) - row
        axes.broken_barh([(0, length)], (y - 0.3, 0.6), color="#E6E6E6", lw=0)
        on_chrom = shown & (cnvrs["chrom"] == row)
        for name in _ORDER:
            chosen = on_chrom & (cnvrs["class"] == CLASSES.index(name))
            counts[name] = counts.get(name, 0) + int(chosen.sum())
            spans = _grid_spans(cnvrs["start"][chosen], cnvrs["end"][chosen], length)
            if spans:
                axes.broken_barh(spans, (y - 0.3, 0.6), color=CLASS_COLOURS[name], lw=0)
    axes.set_yticks(range(len(chromosomes), 0, -1), labels=chromosomes)
    axes.set_ylim(0.3, len(chromosomes) + 0.7)
    axes.set_xlim(0, max(lengths) * 1.01)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: megabases(v)))
    axes.set_xlabel("position (Mb)")
    axes.set_ylabel("chromosome")
    axes.spines["left"].set_visible(False)
    axes.tick_params(axis="y", length=0)
    handles = [
        Patch(color=CLASS_COLOURS[name], label=f"{name} ({counts.get(name, 0):,})")
        for name in CLASSES
        if counts.get(name, 0)
    ]
    axes.legend(handles=handles, loc="lower right", frameon=False, title="CNVR class")
    figure.suptitle(title)
    return figure


def _grid_spans(start: np.ndarray, end: np.ndarray, length: int) -> list[tuple[float, float]]:
    """Covered 100 kb cells as (start, width) runs."""
    cells = -(-length // GRID)
    covered = np.zeros(cells + 1, dtype=np.int64)
    np.add.at(covered, start // GRID, 1)
    np.add.at(covered, np.minimum((end - 1) // GRID + 1, cells), -1)
    filled = np.cumsum(covered)[:cells] > 0
    change = np.diff(np.concatenate([[0], filled.astype(np.int8), [0]]))
    firsts, lasts = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
    return [(float(a * GRID), float((b - a) * GRID)) for a, b in zip(firsts, lasts, strict=True)]
