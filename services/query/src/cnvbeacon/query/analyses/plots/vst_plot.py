"""V_ST along the genome: one point per ranked CNVR, the top outliers labelled with their
genes (or position), a dashed line at the 99th percentile."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.outliers import Outliers
from cnvbeacon.query.analyses.plots.genome_axis import GenomeAxis
from cnvbeacon.query.analyses.plots.style import new_figure

POINT_COLOURS = ("#1F4E79", "#6FA8DC")
# More points than this are drawn as an image inside the SVG (which stays small).
RASTERIZE_POINTS = 3000
# Label boxes in pixels (10 pt text at 100 dpi), for keeping labels apart.
LABEL_CHAR_PX = 7.5
LABEL_HEIGHT_PX = 16
LABEL_GAP_PX = 10


def vst_figure(
    cnvrs: Table,
    meta: dict[str, Any],
    by: str,
    outliers: Outliers,
    labelled: int,
    title: str,
) -> Figure:
    axis = GenomeAxis.of(meta)
    figure = new_figure(5.2)
    axes = figure.subplots()
    rows = outliers.rows
    values = cnvrs[f"vst_{by}"][rows]
    middle = (cnvrs["start"][rows] + cnvrs["end"][rows]) // 2
    x = axis.position(cnvrs["chrom"][rows], middle)
    colours = np.array(POINT_COLOURS)[cnvrs["chrom"][rows].astype(np.intp) % 2]
    axes.scatter(x, values, s=9, c=colours, lw=0, rasterized=len(rows) > RASTERIZE_POINTS)
    axis.decorate(axes, shade=False)
    threshold = outliers.distribution.get("p99")
    if threshold is not None:
        axes.axhline(threshold, color="#B03A2E", lw=1, ls="--")
        axes.text(axis.total * 0.005, threshold, "99th percentile", color="#B03A2E", va="bottom")
    top = max(float(values.max(initial=0)), 0.05)
    axes.set_ylim(min(float(values.min(initial=0)), 0) - 0.02, top * 1.35)
    labels = []
    for row in rows[:labelled].tolist():
        genes = str(cnvrs["genes"][row])
        chrom = axis.chromosomes[int(cnvrs["chrom"][row])]
        position = f"{chrom}:{cnvrs['start'][row] / 1e6:.1f}M"
        labels.append(",".join(genes.split(";")[:2]) if genes else position)
    spots = _label_spots(axes, x[: len(labels)], values[: len(labels)], labels)
    points = zip(x.tolist(), values.tolist(), strict=True)
    for label, point, spot in zip(labels, points, spots, strict=False):
        axes.annotate(
            label,
            point,
            xytext=spot,
            textcoords="data",
            fontsize=10,
            va="bottom",
            arrowprops={"arrowstyle": "-", "color": "#777777", "lw": 0.6},
        )
    if len(rows) == 0:
        axes.set_ylim(0, 1)
        axes.text(
            0.5,
            0.5,
            f"No CNVR to rank: V_ST needs samples of two or more {by}s\n"
            "and CNVRs carried by enough samples (see min_samples).",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=13,
            color="#555555",
        )
    axes.set_ylabel(f"$V_{{ST}}$ between {by}s")
    axes.grid(axis="y", color="#DDDDDD", lw=0.5)
    figure.suptitle(title)
    return figure


def _label_spots(
    axes: Axes, x: npt.NDArray[np.int64], y: npt.NDArray[np.float64], labels: list[str]
) -> list[tuple[float, float]]:
    """Where each label goes (data coordinates): just above its point, or pushed up until
    its box clears the boxes of the labels placed before it."""
    to_pixels = axes.transData
    placed: list[tuple[float, float, float, float]] = []  # x0, x1, y0, y1 in pixels
    spots: list[tuple[float, float]] = []
    for (px, py), label in zip(
        to_pixels.transform(np.column_stack([x, y])).tolist(), labels, strict=True
    ):
        left, right = px + 4, px + 4 + LABEL_CHAR_PX * len(label)
        bottom = py + LABEL_GAP_PX
        while any(
            left < x1 and x0 < right and bottom < y1 and y0 < bottom + LABEL_HEIGHT_PX
            for x0, x1, y0, y1 in placed
        ):
            bottom += LABEL_HEIGHT_PX
        placed.append((left, right, bottom, bottom + LABEL_HEIGHT_PX))
        spot_x, spot_y = to_pixels.inverted().transform((left, bottom)).tolist()
        spots.append((spot_x, spot_y))
    return spots
