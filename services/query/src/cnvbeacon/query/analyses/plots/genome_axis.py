"""Genome-wide x axes: chromosomes end to end, shaded alternately, labelled at their centres."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes

from cnvbeacon.query.analyses.plots.style import CHROMOSOME_SHADE


@dataclass(frozen=True, slots=True)
class GenomeAxis:
    chromosomes: list[str]
    lengths: list[int]

    @classmethod
    def of(cls, meta: dict[str, Any]) -> GenomeAxis:
        return cls(list(meta["chromosomes"]), [int(n) for n in meta["chromosome_lengths"]])

    @property
    def offsets(self) -> npt.NDArray[np.int64]:
        return np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)

    @property
    def total(self) -> int:
        return int(sum(self.lengths))

    def position(
        self, chrom: npt.NDArray[np.integer], coordinate: npt.NDArray[np.integer]
    ) -> npt.NDArray[np.int64]:
        return self.offsets[chrom.astype(np.intp)] + coordinate.astype(np.int64)

    def decorate(self, axes: Axes, *, shade: bool = True) -> None:
        offsets = self.offsets
        for index, (offset, length) in enumerate(zip(offsets.tolist(), self.lengths, strict=True)):
            if shade and index % 2 == 1:
                axes.axvspan(offset, offset + length, color=CHROMOSOME_SHADE, zorder=0, lw=0)
        centres = offsets + np.array(self.lengths) / 2
        # Short chromosomes side by side (19-22, Y) would run their labels together, so
        # every other one of them is set a line lower.
        short = np.array(self.lengths) < self.total / 40
        labels = [
            f"\n{name}" if short[i] and i % 2 == 1 else name
            for i, name in enumerate(self.chromosomes)
        ]
        axes.set_xticks(centres, labels=labels, fontsize=10)
        axes.tick_params(axis="x", length=0)
        axes.set_xlim(0, self.total)
        axes.set_xlabel("chromosome")
