"""The samples of a synthetic cohort: real 1kGP identities, then synthetic ones.

Up to 3,202 samples: real 1kGP sample ids with their real sex, population and
superpopulation (``load_1kgp_samples()``), chosen evenly across the table sorted by
superpopulation and population, so every population is represented at any size. Beyond
3,202: all real samples, then SYN000001, SYN000002, ... each taking the sex and population of
the real sample at the same position modulo 3,202, so the population structure is reused
in exactly the real proportions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from cnvbeacon.shared.reference import SampleRecord, load_1kgp_samples

SYNTHETIC_PREFIX = "SYN"


@dataclass(frozen=True, slots=True)
class CohortSample:
    sample_id: str
    sex: str  # female or male
    population: str
    population_name: str
    superpopulation: str
    superpopulation_name: str
    # True for SYN ids beyond the real 3,202 (every call of every sample is synthetic anyway).
    synthetic_id: bool = False


@cache
def real_samples() -> tuple[CohortSample, ...]:
    """The 3,202 DRAGEN samples sorted by superpopulation, population and id."""
    records = sorted(
        load_1kgp_samples(),
        key=lambda r: (r.superpopulation_code or "", r.population_code or "", r.sample_id),
    )
    return tuple(_from_record(record) for record in records)


def _from_record(record: SampleRecord) -> CohortSample:
    if not (record.population_code and record.superpopulation_code):
        raise ValueError(f"1kGP sample {record.sample_id} has no population")
    return CohortSample(
        sample_id=record.sample_id,
        sex=record.sex,
        population=record.population_code,
        population_name=record.population_name or record.population_code,
        superpopulation=record.superpopulation_code,
        superpopulation_name=record.superpopulation_name or record.superpopulation_code,
    )


def cohort_samples(count: int) -> list[CohortSample]:
    if count < 1:
        raise ValueError(f"a cohort needs at least one sample, got {count}")
    real = real_samples()
    if count <= len(real):
        positions = np.linspace(0, len(real) - 1, count).round().astype(int)
        return [real[position] for position in positions]
    synthetic = [
        _synthetic(number, real[(number - 1) % len(real)])
        for number in range(1, count - len(real) + 1)
    ]
    return [*real, *synthetic]


def _synthetic(number: int, like: CohortSample) -> CohortSample:
    return CohortSample(
        sample_id=f"{SYNTHETIC_PREFIX}{number:06d}",
        sex=like.sex,
        population=like.population,
        population_name=like.population_name,
        superpopulation=like.superpopulation,
        superpopulation_name=like.superpopulation_name,
        synthetic_id=True,
    )


@cache
def populations() -> tuple[tuple[str, str], ...]:
    """(population, superpopulation) of the 1kGP populations, sorted."""
    return tuple(sorted({(s.population, s.superpopulation) for s in real_samples()}))
