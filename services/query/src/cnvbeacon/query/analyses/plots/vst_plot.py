"""V_ST along the genome: one point per ranked CNVR, the top outliers labelled with their
genes (or position), a dashed line at the 99th percentile."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.outliers import Outliers
from cnvbeacon.query.analyses.plots.genome_axis import GenomeAxis
from cnvbeacon.query.analyses.plots.style import new_figure

POINT_COLOURS = ("#1F4E79", "#6FA8DC")
# More points than this are drawn as an image inside the SVG (which stays small).
RASTERIZE_POINTS = 3000


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
    axes.set_ylim(min(float(values.min(initial=0)), 0) - 0.02, top * 1.25)
    for rank, row in enumerate(rows[:labelled].tolist()):
        genes = str(cnvrs["genes"][row])
        chrom = axis.chromosomes[int(cnvrs["chrom"][row])]
        label = (
            ",".join(genes.split(";")[:2]) if genes else f"{chrom}:{cnvrs['start'][row] / 1e6:.1f}M"
        )
        axes.annotate(
            label,
            (float(x[rank]), float(values[rank])),
            xytext=(6, 10 + 11 * (rank % 3)),
            textcoords="offset points",
            fontsize=10,
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
