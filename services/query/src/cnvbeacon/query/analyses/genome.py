"""The genome an analysis runs over: chromosomes, their lengths, and the copy number a sample
has where it has no call (its baseline), which depends on sex on X and Y.

Only chromosomes 1-22, X and Y are analysed; calls elsewhere (the mitochondrion, contigs)
are left out, as genome_length() leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

from cnvbeacon.shared.reference import (
    chromosome_length,
    genome_length,
    normalise_assembly,
    pseudoautosomal_regions,
)

ANALYSED_CHROMOSOMES: Final = (*(str(n) for n in range(1, 23)), "X", "Y")


class Sex(IntEnum):
    FEMALE = 0
    MALE = 1
    UNKNOWN = 2


SEX_NAMES: Final = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.UNKNOWN: "unknown"}
SEX_BY_NAME: Final = {name: sex for sex, name in SEX_NAMES.items()}


@dataclass(frozen=True, slots=True)
class Genome:
    assembly: str
    chromosomes: tuple[str, ...]
    lengths: tuple[int, ...]

    @property
    def length(self) -> int:
        return sum(self.lengths)

    def index(self, chrom: str) -> int:
        return self.chromosomes.index(chrom)

    @property
    def x(self) -> int:
        return self.index("X")

    @property
    def y(self) -> int:
        return self.index("Y")

    def baselines(
        self, chrom: npt.NDArray[np.int16], start: npt.NDArray[np.int64], sex: npt.NDArray[np.int8]
    ) -> npt.NDArray[np.float64]:
        """Copy number without a call, per (chromosome, position, sex): 2 on autosomes and
        in the pseudoautosomal regions of X, else 2/1 (female/male) on X and 0/1 on Y;
        NaN on X and Y for a sample of unknown sex."""
        baseline = np.full(len(chrom), 2.0)
        on_x = chrom == self.x
        on_y = chrom == self.y
        pseudoautosomal = np.zeros(len(chrom), dtype=bool)
        for first, last in pseudoautosomal_regions("X", self.assembly):
            pseudoautosomal |= on_x & (start >= first) & (start < last)
        male = sex == Sex.MALE
        baseline[on_x & male & ~pseudoautosomal] = 1.0
        baseline[on_y] = np.where(male[on_y], 1.0, 0.0)
        baseline[(on_x | on_y) & (sex == Sex.UNKNOWN)] = np.nan
        return baseline


@cache
def genome(assembly: str) -> Genome:
    canonical = normalise_assembly(assembly)
    lengths = tuple(chromosome_length(c, canonical) for c in ANALYSED_CHROMOSOMES)
    built = Genome(canonical, ANALYSED_CHROMOSOMES, lengths)
    assert built.length == genome_length(canonical)
    return built
