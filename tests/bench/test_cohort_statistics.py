"""The synthetic cohort against the real HG00096 file, statistic by statistic.

Both sides are read from the written VCFs by bench.cohort.statistics (not from the
generator's internals). Tolerances are stated per statistic; the reference is one real
sample, so they are loose enough for its sampling noise and tight enough to catch a
generator that drifts (e.g. a loss fraction off by 5 points fails).
"""

from __future__ import annotations

import pytest

from bench.cohort.calls import SUPERPOPULATION_CALL_FACTOR
from bench.cohort.generate import Cohort
from bench.cohort.reference_profile import REFERENCE_VCF
from bench.cohort.statistics import (
    CohortSummary,
    FileStatistics,
    read_file_statistics,
    summarize,
)

CALLS_PER_SAMPLE_TOLERANCE = 0.10  # relative
FRACTION_TOLERANCE = 0.03  # absolute, loss and PASS fractions
LENGTH_QUANTILE_TOLERANCE = 0.20  # relative, each of the 10/25/50/75/90th percentiles
COPY_NUMBER_TOLERANCE = 0.03  # absolute, share of each copy-number class
SEX_LINKED_TOLERANCE = 0.5  # relative, male calls on X/Y outside the PARs per sample


@pytest.fixture(scope="module")
def real() -> FileStatistics:
    return read_file_statistics(REFERENCE_VCF)


@pytest.fixture(scope="module")
def files(small_cohort: Cohort) -> list[FileStatistics]:
    return [read_file_statistics(path) for path in small_cohort.vcf_paths()]


@pytest.fixture(scope="module")
def synthetic(files: list[FileStatistics]) -> CohortSummary:
    return summarize(files)


@pytest.fixture(scope="module")
def reference(real: FileStatistics) -> CohortSummary:
    return summarize([real])


def test_the_reference_is_the_real_hg00096(real: FileStatistics) -> None:
    assert (real.sample, real.sex, real.calls, real.synthetic) == ("HG00096", "male", 591, False)


def test_calls_per_sample(
    small_cohort: Cohort, files: list[FileStatistics], real: FileStatistics
) -> None:
    superpopulation = {
        row["sample"]: row["superpopulation"] for row in small_cohort.manifest_rows()
    }
    # Per-sample counts divided by the assumed population factor (AFR carry more calls).
    normalised = [
        f.calls / SUPERPOPULATION_CALL_FACTOR.get(superpopulation[f.sample], 1.0) for f in files
    ]
    mean = sum(normalised) / len(normalised)
    assert mean == pytest.approx(real.calls, rel=CALLS_PER_SAMPLE_TOLERANCE)
    european = [f.calls for f in files if superpopulation[f.sample] == "EUR"]
    assert len(european) >= 10
    assert sum(european) / len(european) == pytest.approx(
        real.calls, rel=CALLS_PER_SAMPLE_TOLERANCE
    )
    # Samples differ, as real ones do.
    assert len({f.calls for f in files}) > len(files) // 2


def test_african_samples_carry_more_calls(
    small_cohort: Cohort, files: list[FileStatistics]
) -> None:
    superpopulation = {
        row["sample"]: row["superpopulation"] for row in small_cohort.manifest_rows()
    }
    african = [f.calls for f in files if superpopulation[f.sample] == "AFR"]
    others = [f.calls for f in files if superpopulation[f.sample] != "AFR"]
    assert sum(african) / len(african) > 1.05 * sum(others) / len(others)


def test_loss_and_pass_fractions(synthetic: CohortSummary, reference: CohortSummary) -> None:
    assert synthetic.loss_fraction == pytest.approx(reference.loss_fraction, abs=FRACTION_TOLERANCE)
    assert synthetic.pass_fraction == pytest.approx(reference.pass_fraction, abs=FRACTION_TOLERANCE)


@pytest.mark.parametrize("quantile", [10, 25, 50, 75, 90])
def test_length_quantiles(
    synthetic: CohortSummary, reference: CohortSummary, quantile: int
) -> None:
    assert synthetic.length_quantiles[quantile] == pytest.approx(
        reference.length_quantiles[quantile], rel=LENGTH_QUANTILE_TOLERANCE
    )


def test_copy_number_distribution(synthetic: CohortSummary, reference: CohortSummary) -> None:
    for copy_number, share in reference.copy_number_fractions.items():
        assert synthetic.copy_number_fractions[copy_number] == pytest.approx(
            share, abs=COPY_NUMBER_TOLERANCE
        ), copy_number


def test_sex_chromosomes(
    synthetic: CohortSummary, reference: CohortSummary, files: list[FileStatistics]
) -> None:
    # Males: every call on X outside the PARs and on Y is haploid (GT "1"), like HG00096's.
    assert reference.male_haploid_share == 1.0
    assert synthetic.male_haploid_share == 1.0
    assert synthetic.male_sex_linked_per_sample == pytest.approx(
        reference.male_sex_linked_per_sample, rel=SEX_LINKED_TOLERANCE
    )
    # Nowhere else, and females have no haploid calls and nothing on Y.
    assert synthetic.misplaced_haploid == 0
    assert synthetic.female_y_calls == 0
    females = [f for f in files if f.sex == "female"]
    assert females
    assert all(f.genotypes.get("1", 0) == 0 for f in females)
    assert sum(f.chromosomes.get("X", 0) for f in females) > 0


def test_genotypes_follow_the_dragen_conventions(files: list[FileStatistics]) -> None:
    genotypes = set().union(*(f.genotypes for f in files))
    assert genotypes == {"0/1", "1/1", "./1", "1"}
