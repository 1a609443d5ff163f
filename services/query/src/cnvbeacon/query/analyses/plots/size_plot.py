"""Size distributions of deletion and duplication calls and of CNVRs (log-scaled lengths)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from cnvbeacon.query.analyses.plots.style import new_figure
from cnvbeacon.shared.colours import GAIN, LOSS

_SIZE_LABELS = {
    1: "10 bp",
    2: "100 bp",
    3: "1 kb",
    4: "10 kb",
    5: "100 kb",
    6: "1 Mb",
    7: "10 Mb",
    8: "100 Mb",
    9: "1 Gb",
}


def size_figure(summary: dict[str, Any], title: str) -> Figure:
    histogram = summary["size_histogram"]
    edges = np.array(histogram["log10_edges"])
    figure = new_figure(5.0)
    axes = figure.subplots()
    sizes = summary["sizes"]
    for key, size_key, colour, label, style in (
        ("deletion_calls", "deletion_calls", LOSS, "deletion calls (red)", "-"),
        ("duplication_calls", "duplication_calls", GAIN, "duplication calls (blue)", "-"),
        ("cnvrs", "cnvrs", "#555555", "CNVRs", ":"),
    ):
        counts = np.array(histogram[key])
        median = sizes[size_key]["median"]
        median_text = f", median {_length(median)}" if median else ""
        axes.stairs(
            counts,
            edges,
            color=colour,
            lw=2,
            ls=style,
            label=f"{label} (n={counts.sum():,}{median_text})",
        )
        if median:
            axes.axvline(np.log10(median), color=colour, lw=1, ls="--", alpha=0.8)
    used = [
        i
        for i, key in enumerate(edges[:-1])
        if any(histogram[k][i] for k in ("deletion_calls", "duplication_calls", "cnvrs"))
    ]
    low = float(np.floor(edges[used[0]])) if used else 2.0
    high = float(np.ceil(edges[used[-1] + 1])) if used else 7.0
    axes.set_xlim(low, high)
    ticks = [t for t in range(int(low), int(high) + 1) if t in _SIZE_LABELS]
    axes.set_xticks(ticks, labels=[_SIZE_LABELS[t] for t in ticks])
    axes.set_xlabel("length (log scale)")
    axes.set_ylabel("count per 0.1 decade")
    axes.legend(frameon=False, loc="upper right")
    axes.grid(axis="y", color="#DDDDDD", lw=0.5)
    figure.suptitle(title)
    return figure


def _length(value: float) -> str:
    for unit, size in (("Mb", 1e6), ("kb", 1e3)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.0f} bp"
