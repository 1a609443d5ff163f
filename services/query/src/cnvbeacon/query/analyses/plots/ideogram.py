"""Cytoband ideograms under per-chromosome plots."""

from __future__ import annotations

from typing import Final

from matplotlib.axes import Axes
from matplotlib.patches import Polygon, Rectangle

from cnvbeacon.shared.reference import bands

STAIN_COLOURS: Final = {
    "gneg": "#FFFFFF",
    "gpos25": "#C8C8C8",
    "gpos50": "#969696",
    "gpos75": "#646464",
    "gpos100": "#1E1E1E",
    "gvar": "#B4C8DC",
    "stalk": "#8CA0B4",
}
CENTROMERE: Final = "#C0392B"


def draw_ideogram(axes: Axes, chrom: str, assembly: str) -> None:
    """Bands of one chromosome across the axes' x range (bases), labels of major bands."""
    found = bands(chrom, assembly)
    for band in found:
        width = band.end - band.start
        if band.stain == "acen":
            # Centromere halves as triangles pointing at the centromere.
            p_arm = band.band.startswith("p")
            tip = band.end if p_arm else band.start
            base = band.start if p_arm else band.end
            axes.add_patch(
                Polygon([(base, 0), (base, 1), (tip, 0.5)], closed=True, color=CENTROMERE, lw=0)
            )
            continue
        axes.add_patch(
            Rectangle(
                (band.start, 0),
                width,
                1,
                facecolor=STAIN_COLOURS.get(band.stain, "#FFFFFF"),
                edgecolor="#555555",
                linewidth=0.3,
            )
        )
    if found:
        length = found[-1].end
        for band in found:
            # Label bands wide enough to hold their name at 1200 px.
            if (band.end - band.start) / length > 0.035 and band.stain != "acen":
                axes.text(
                    (band.start + band.end) / 2,
                    -0.25,
                    band.band,
                    ha="center",
                    va="top",
                    fontsize=8,
                    rotation=90,
                )
    axes.set_ylim(-1.6, 1.05)
    axes.set_yticks([])
    for side in ("left", "right", "top", "bottom"):
        axes.spines[side].set_visible(False)
