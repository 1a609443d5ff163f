"""Gain/loss frequency plots: gains up, losses down, in percent of samples."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from cnvbeacon.query.analyses.columns import Table
from cnvbeacon.query.analyses.plots.genome_axis import GenomeAxis
from cnvbeacon.query.analyses.plots.ideogram import draw_ideogram
from cnvbeacon.query.analyses.plots.style import megabases, new_figure
from cnvbeacon.query.analyses.records import GroupColumn
from cnvbeacon.shared.colours import GAIN, LOSS


def frequency_figure(
    bins: Table, meta: dict[str, Any], groups: list[GroupColumn], chrom: str | None, title: str
) -> Figure:
    """One track per group (several groups: a population comparison), the whole genome or
    one chromosome with its ideogram."""
    axis = GenomeAxis.of(meta)
    rows = np.arange(len(bins["start"]))
    if chrom is not None:
        rows = np.flatnonzero(bins["chrom"] == axis.chromosomes.index(chrom))
    x_start, x_end = _x(bins, rows, axis, chrom)
    gain = 100 * bins["gain"][rows][:, [g.index for g in groups]] / _sizes(groups)
    loss = 100 * bins["loss"][rows][:, [g.index for g in groups]] / _sizes(groups)
    limit = _nice_limit(max(float(gain.max(initial=0)), float(loss.max(initial=0))))
    tracks = len(groups)
    single = tracks == 1
    height = (4.8 if single else 1.0 + 1.05 * tracks) + (0.9 if chrom else 0)
    figure = new_figure(height)
    ratios = [3.0] * tracks + ([0.55] if chrom else [])
    axes_list = figure.subplots(len(ratios), 1, sharex=True, height_ratios=ratios, squeeze=False)
    tracks_axes = [a[0] for a in axes_list[:tracks]]
    for index, (axes, group) in enumerate(zip(tracks_axes, groups, strict=True)):
        # Many tracks of thousands of steps: drawn as images, or the SVG runs to megabytes.
        _track(axes, x_start, x_end, gain[:, index], loss[:, index], limit, not single)
        label = "% samples" if single else f"{group.id}\n(n={group.samples:,})"
        axes.set_ylabel(
            label, rotation=90 if single else 0, ha="center" if single else "right", va="center"
        )
        if chrom is None:
            axis.decorate(axes, shade=True)
        if index < tracks - 1 or chrom is not None:
            axes.tick_params(axis="x", labelbottom=False)
            axes.set_xlabel("")
    if chrom is not None:
        ideogram_axes = axes_list[-1][0]
        draw_ideogram(ideogram_axes, chrom, str(meta["assembly"]))
        ideogram_axes.set_xlim(0, axis.lengths[axis.chromosomes.index(chrom)])
        ideogram_axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: megabases(v)))
        ideogram_axes.tick_params(axis="x", labelbottom=True)
        ideogram_axes.set_xlabel(f"chromosome {chrom} (Mb)")
    tracks_axes[0].legend(
        handles=[
            _patch(GAIN, "gain, blue (copy number above baseline)"),
            _patch(LOSS, "loss, red (copy number below baseline)"),
        ],
        loc="upper right",
        ncols=2,
        frameon=False,
        bbox_to_anchor=(1.0, 1.18 if single else 1.6),
    )
    if not single:
        figure.supylabel("% of samples: gains up, losses down", fontsize=12)
    figure.suptitle(title)
    return figure


def _x(
    bins: Table, rows: npt.NDArray[np.intp], axis: GenomeAxis, chrom: str | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    if chrom is not None:
        return bins["start"][rows], bins["end"][rows]
    return axis.position(bins["chrom"][rows], bins["start"][rows]), axis.position(
        bins["chrom"][rows], bins["end"][rows]
    )


def _sizes(groups: list[GroupColumn]) -> npt.NDArray[np.float64]:
    return np.array([max(g.samples, 1) for g in groups], dtype=np.float64)


def _track(
    axes: Axes,
    x_start: npt.NDArray[np.int64],
    x_end: npt.NDArray[np.int64],
    gain: npt.NDArray[np.float64],
    loss: npt.NDArray[np.float64],
    limit: float,
    rasterized: bool,
) -> None:
    # Bins are contiguous, so their starts plus the last end are the step edges.
    edges = np.append(x_start, x_end[-1:]) if len(x_start) else np.array([0, 1])
    for values, colour in ((gain, GAIN), (-loss, LOSS)):
        axes.stairs(
            *_runs(values, edges), fill=True, color=colour, baseline=0, lw=0, rasterized=rasterized
        )
    axes.axhline(0, color="#444444", lw=0.6)
    axes.set_ylim(-limit, limit)
    axes.set_xlim(edges[0], edges[-1])
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):g}"))
    axes.grid(axis="y", color="#DDDDDD", lw=0.5)


def _runs(
    values: npt.NDArray[np.float64], edges: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Neighbouring bins of equal value as one step: the same picture, a far smaller SVG."""
    if len(values) == 0:
        return values, edges
    changes = np.flatnonzero(np.diff(values)) + 1
    firsts = np.concatenate([[0], changes])
    return values[firsts], np.append(edges[firsts], edges[-1])


def _nice_limit(value: float) -> float:
    """The axis limit: the next round number at or above the largest frequency."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return float(min(step * magnitude, 100.0))
    return 100.0


def _patch(colour: str, label: str) -> Patch:
    return Patch(color=colour, label=label)
