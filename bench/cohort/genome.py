"""Where synthetic calls may go on GRCh38: chromosomes, placeable segments, ploidy by sex.

Calls are placed uniformly within the cytogenetic bands of chromosomes 1-22, X and Y that are
not centromeric (acen), heterochromatic (gvar) or acrocentric stalks, at least ``MARGIN`` from
chromosome ends, never in Y's pseudo-autosomal regions (DRAGEN reports those on X) and never
across a PAR boundary of X, so the ploidy of every call is unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import numpy.typing as npt

from cnvbeacon.shared.reference import bands, chromosome_length

ASSEMBLY = "GRCh38"
CHROMOSOMES: tuple[str, ...] = (*(str(n) for n in range(1, 23)), "X", "Y")
X_INDEX = CHROMOSOMES.index("X")
Y_INDEX = CHROMOSOMES.index("Y")
# Pseudo-autosomal regions of GRCh38, 0-based half-open (as the ingest parser uses them).
PSEUDOAUTOSOMAL = {
    "X": ((10_000, 2_781_479), (155_701_382, 156_030_895)),
    "Y": ((10_000, 2_781_479), (56_887_902, 57_217_415)),
}
# Distance kept from chromosome ends and PAR boundaries; larger than any breakpoint jitter.
MARGIN = 20_000
_UNPLACEABLE_STAINS = frozenset({"acen", "gvar", "stalk"})

# Ploidy of a region by kind: autosome or PAR, X outside the PARs, Y outside the PARs.
AUTOSOMAL, X_LINKED, Y_LINKED = 0, 1, 2


def sex_chromosome_kind(
    chrom_index: npt.NDArray[np.int64], start: npt.NDArray[np.int64], end: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """AUTOSOMAL, X_LINKED or Y_LINKED by the call's midpoint, as the ingest parser decides."""
    midpoint = (start + end) // 2
    kinds = np.full(chrom_index.shape, AUTOSOMAL, dtype=np.int64)
    for index, chrom, kind in ((X_INDEX, "X", X_LINKED), (Y_INDEX, "Y", Y_LINKED)):
        on = chrom_index == index
        in_par = np.zeros(chrom_index.shape, dtype=bool)
        for par_start, par_end in PSEUDOAUTOSOMAL[chrom]:
            in_par |= (midpoint >= par_start) & (midpoint < par_end)
        kinds[on & ~in_par] = kind
    return kinds


def ploidy(kinds: npt.NDArray[np.int64], *, male: bool) -> npt.NDArray[np.int64]:
    """Copies of a region in a sample: 2, or for males 1 on X_LINKED and Y_LINKED, and for
    females 0 on Y_LINKED."""
    if male:
        return np.where(kinds == AUTOSOMAL, 2, 1)
    return np.where(kinds == Y_LINKED, 0, 2)


@dataclass(frozen=True)
class Genome:
    lengths: npt.NDArray[np.int64]  # by chromosome index
    segment_chrom: npt.NDArray[np.int64]
    segment_start: npt.NDArray[np.int64]
    segment_end: npt.NDArray[np.int64]
    # Placeable bases before each segment within its chromosome, and per chromosome.
    segment_offset: npt.NDArray[np.int64]
    placeable: npt.NDArray[np.int64]

    @cached_property
    def chromosome_offset(self) -> npt.NDArray[np.int64]:
        """Placeable bases of all chromosomes before each one."""
        return np.concatenate([[0], np.cumsum(self.placeable)[:-1]]).astype(np.int64)

    @cached_property
    def segment_global_offset(self) -> npt.NDArray[np.int64]:
        """Placeable bases before each segment, over the whole genome (increasing)."""
        return self.chromosome_offset[self.segment_chrom] + self.segment_offset

    def place(
        self,
        rng: np.random.Generator,
        lengths: npt.NDArray[np.int64],
        chromosome_weights: npt.NDArray[np.float64],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(chromosome index, 0-based start) for calls of these lengths: the chromosome by
        weight, the start uniform over its placeable bases; redrawn while a call would leave
        the chromosome or cross a PAR boundary."""
        count = lengths.size
        chrom = np.zeros(count, dtype=np.int64)
        start = np.zeros(count, dtype=np.int64)
        todo = np.arange(count)
        probabilities = chromosome_weights / chromosome_weights.sum()
        for _ in range(100):
            if todo.size == 0:
                return chrom, start
            chosen = rng.choice(len(CHROMOSOMES), size=todo.size, p=probabilities)
            offset = (rng.random(todo.size) * self.placeable[chosen]).astype(np.int64)
            segment = (
                np.searchsorted(
                    self.segment_global_offset,
                    self.chromosome_offset[chosen] + offset,
                    side="right",
                )
                - 1
            )
            chrom[todo] = chosen
            start[todo] = self.segment_start[segment] + offset - self.segment_offset[segment]
            todo = todo[~self._fits(chrom[todo], start[todo], lengths[todo])]
        raise ValueError("could not place every call; are some longer than a chromosome?")

    def _fits(
        self,
        chrom: npt.NDArray[np.int64],
        start: npt.NDArray[np.int64],
        length: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.bool_]:
        end = start + length
        fits = (start >= MARGIN) & (end <= self.lengths[chrom] - MARGIN)
        for index, name in ((X_INDEX, "X"), (Y_INDEX, "Y")):
            for par_start, par_end in PSEUDOAUTOSOMAL[name]:
                for boundary in (par_start, par_end):
                    crosses = (start - MARGIN < boundary) & (end + MARGIN > boundary)
                    fits &= ~((chrom == index) & crosses)
                if name == "Y":
                    inside = (start < par_end) & (end > par_start)
                    fits &= ~((chrom == index) & inside)
        return fits


@cache
def grch38() -> Genome:
    lengths = np.array([chromosome_length(c, ASSEMBLY) for c in CHROMOSOMES], dtype=np.int64)
    chroms: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, chrom in enumerate(CHROMOSOMES):
        for band in bands(chrom, ASSEMBLY):
            if band.stain in _UNPLACEABLE_STAINS:
                continue
            if chroms and chroms[-1] == index and ends[-1] == band.start:
                ends[-1] = band.end  # merge touching bands
                continue
            chroms.append(index)
            starts.append(band.start)
            ends.append(band.end)
    segment_chrom = np.array(chroms, dtype=np.int64)
    segment_start = np.array(starts, dtype=np.int64)
    segment_end = np.array(ends, dtype=np.int64)
    sizes = segment_end - segment_start
    offsets = np.zeros(sizes.size, dtype=np.int64)
    placeable = np.zeros(len(CHROMOSOMES), dtype=np.int64)
    for index in range(len(CHROMOSOMES)):
        on = np.flatnonzero(segment_chrom == index)
        offsets[on] = np.concatenate([[0], np.cumsum(sizes[on])[:-1]])
        placeable[index] = sizes[on].sum()
    return Genome(lengths, segment_chrom, segment_start, segment_end, offsets, placeable)
