"""The product's colours of copy-number changes, as the web UI's (css/app.css --loss,
--loss-deep, --gain, --gain-high, --other): losses red, gains blue, complete deletions and
high-level gains darker. Plots and exported browser tracks use them, so a figure, a
genome-browser track and the page around them read alike."""

from __future__ import annotations

from typing import Final

LOSS: Final = "#C62828"
LOSS_DEEP: Final = "#6D0F0F"  # copy number 0
GAIN: Final = "#1565C0"
GAIN_HIGH: Final = "#0A2A66"  # copy number 4 or more
OTHER: Final = "#6B7280"


def call_colour(variant_type: str, copy_number: float | None) -> str:
    """A call's colour (region-plot.js segmentClass): by direction, darker at the extremes."""
    if variant_type == "DEL":
        return LOSS_DEEP if copy_number == 0 else LOSS
    if variant_type == "DUP":
        return GAIN_HIGH if copy_number is not None and copy_number >= 4 else GAIN
    return OTHER


def rgb(colour: str) -> str:
    """'#C62828' as BED's itemRgb '198,40,40'."""
    value = colour.lstrip("#")
    return ",".join(str(int(value[i : i + 2], 16)) for i in (0, 2, 4))
