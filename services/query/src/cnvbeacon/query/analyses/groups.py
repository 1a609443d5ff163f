"""Sample groups results are broken down by: everyone, each superpopulation, each population."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.arrays import distinct
from cnvbeacon.query.analyses.cohort import Samples

ALL: Final = "all"
SUPERPOPULATION: Final = "superpopulation"
POPULATION: Final = "population"


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    kind: str  # ALL, SUPERPOPULATION or POPULATION
    samples: int

    def describe(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "samples": self.samples}


def sample_groups(samples: Samples) -> list[Group]:
    groups = [Group(ALL, ALL, len(samples))]
    for kind, codes, names in (
        (SUPERPOPULATION, samples.superpopulation, samples.superpopulations),
        (POPULATION, samples.population, samples.populations),
    ):
        sizes = np.bincount(codes[codes >= 0], minlength=len(names))
        groups.extend(Group(name, kind, int(size)) for name, size in zip(names, sizes, strict=True))
    return groups


def counts_by_group(
    unit: npt.NDArray[np.int64], sample: npt.NDArray[np.int32], units: int, samples: Samples
) -> npt.NDArray[np.int32]:
    """(units x groups) counts of the distinct (unit, sample) pairs given, groups in the
    order of sample_groups()."""
    width = max(len(samples), 1)
    pairs = distinct(unit.astype(np.int64) * width + sample)
    unit, sample = pairs // width, (pairs % width).astype(np.int32)
    columns = [np.bincount(unit, minlength=units)[:, None]]
    for codes, names in (
        (samples.superpopulation, samples.superpopulations),
        (samples.population, samples.populations),
    ):
        code = codes[sample].astype(np.int64)
        known = code >= 0
        flat = np.bincount(unit[known] * len(names) + code[known], minlength=units * len(names))
        columns.append(flat.reshape(units, len(names)))
    return np.hstack(columns).astype(np.int32)
