"""The frequency definition (shared.frequencies) against a hand count and brute force."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnvbeacon.shared.frequencies import (
    GroupLevel,
    GroupSize,
    allele_count,
    group_sizes,
    ploidy,
    variant_frequencies,
)

PAR1_X = (100_000, 200_000)  # inside GRCh38's PAR1 on X (10,000-2,781,479)
OUTSIDE_PAR_X = (50_000_000, 50_100_000)


def test_ploidy_follows_sex_chromosomes_and_the_pars() -> None:
    assert ploidy("7", 1, 2, None, "GRCh38") == 2
    assert ploidy("X", *OUTSIDE_PAR_X, "female", "GRCh38") == 2
    assert ploidy("X", *OUTSIDE_PAR_X, "male", "GRCh38") == 1
    assert ploidy("X", *OUTSIDE_PAR_X, "unknown", "GRCh38") is None
    assert ploidy("X", *PAR1_X, "male", "GRCh38") == 2
    assert ploidy("Y", 20_000_000, 20_100_000, "male", "GRCh38") == 1
    assert ploidy("Y", 20_000_000, 20_100_000, "female", "GRCh38") == 0


@pytest.mark.parametrize(
    ("genotype", "copy_number", "variant_type", "copies", "expected"),
    [
        ("0/1", 1.0, "DEL", 2, 1),
        ("1/1", 0.0, "DEL", 2, 2),
        ("./1", 3.0, "DUP", 2, 1),
        ("1", 0.0, "DEL", 1, 1),  # a male's X
        ("1/1", 0.0, "DEL", 1, 1),  # never more than the ploidy
        (None, 0.0, "DEL", 2, 2),  # no genotype: the copies a loss removes
        (None, 1.0, "DEL", 2, 1),
        (None, 5.0, "DUP", 2, 1),
        ("./.", None, "CNV", 2, 1),
    ],
)
def test_allele_counts(
    genotype: str | None, copy_number: float | None, variant_type: str, copies: int, expected: int
) -> None:
    assert allele_count(genotype, copy_number, variant_type, copies) == expected


def _person(individual: str, sex: str, population: str, superpopulation: str) -> dict[str, Any]:
    return {
        "individual_id": individual,
        "sex": sex,
        "population": population,
        "superpopulation": superpopulation,
    }


def test_one_sample_with_data_among_many_registered_is_its_own_denominator() -> None:
    hg00096 = _person("HG00096", "male", "GBR", "EUR")
    registered = [hg00096, *(_person(f"R{n}", "female", "YRI", "AFR") for n in range(100))]
    sizes = group_sizes([hg00096], registered)
    assert [(s.level, s.code, s.individuals, s.registered) for s in sizes] == [
        (GroupLevel.ALL, "all", 1, 101),
        (GroupLevel.SUPERPOPULATION, "AFR", 0, 100),
        (GroupLevel.SUPERPOPULATION, "EUR", 1, 1),
        (GroupLevel.POPULATION, "GBR", 1, 1),
        (GroupLevel.POPULATION, "YRI", 0, 100),
    ]
    carrier = {**hg00096, "genotype": "1/1", "copy_number": 0.0}
    found = variant_frequencies(
        [carrier], sizes, chrom="1", start=0, end=10, variant_type="DEL", assembly="GRCh38"
    )
    assert [
        (f.code, f.carriers, f.individuals, f.allele_count, f.allele_number) for f in found
    ] == [
        ("all", 1, 1, 2, 2),
        ("EUR", 1, 1, 2, 2),
        ("GBR", 1, 1, 2, 2),
    ]
    assert found[0].carrier_frequency == 1.0
    assert found[0].allele_frequency == 1.0


people = st.lists(
    st.tuples(
        st.sampled_from(["female", "male", "unknown"]),
        st.sampled_from([("GBR", "EUR"), ("FIN", "EUR"), ("YRI", "AFR")]),
        st.booleans(),  # carries the variant
        st.sampled_from(["0/1", "1/1", "./1", "1", None]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(people)
def test_rows_counting_several_individuals_size_groups_as_those_individuals(
    cohort: list[tuple[str, tuple[str, str], bool, str | None]],
) -> None:
    rows = [
        _person(f"I{n}", sex, population, superpopulation)
        for n, (sex, (population, superpopulation), _, _) in enumerate(cohort)
    ]
    shared: dict[tuple[str | None, ...], int] = {}
    for row in rows:
        attributes = (row["sex"], row["population"], row["superpopulation"])
        shared[attributes] = shared.get(attributes, 0) + 1
    counted = [
        {"sex": sex, "population": population, "superpopulation": superpopulation, "individuals": n}
        for (sex, population, superpopulation), n in shared.items()
    ]
    assert group_sizes(counted, counted) == group_sizes(rows, rows)


@settings(max_examples=200, deadline=None)
@given(people, st.sampled_from(["7", "X", "Y"]), st.sampled_from(["DEL", "DUP"]))
def test_frequencies_equal_a_brute_force_count(
    cohort: list[tuple[str, tuple[str, str], bool, str | None]], chrom: str, variant_type: str
) -> None:
    start, end = OUTSIDE_PAR_X if chrom == "X" else (20_000_000, 20_100_000)
    rows = [
        _person(f"I{n}", sex, population, superpopulation)
        for n, (sex, (population, superpopulation), _, _) in enumerate(cohort)
    ]
    carriers = [
        {**rows[n], "genotype": genotype, "copy_number": 1.0}
        for n, (_, _, carries, genotype) in enumerate(cohort)
        if carries
    ]
    sizes = group_sizes(rows, rows)
    found = {
        f.code: f
        for f in variant_frequencies(
            carriers,
            sizes,
            chrom=chrom,
            start=start,
            end=end,
            variant_type=variant_type,
            assembly="GRCh38",
        )
    }
    for size in sizes:
        members = [
            n
            for n, row in enumerate(rows)
            if size.code in ("all", row["population"], row["superpopulation"])
        ]
        carrying = [n for n in members if cohort[n][2]]

        def copies(n: int) -> int:
            sex = cohort[n][0]
            if chrom == "7":
                return 2
            if sex == "unknown":
                return 0
            if chrom == "X":
                return 2 if sex == "female" else 1
            return 1 if sex == "male" else 0

        def alleles(n: int) -> int:
            genotype = cohort[n][3]
            alleles = genotype.replace("|", "/").split("/") if genotype else []
            # Without a called allele: 1 (a gain; a loss to copy number 1 loses one copy).
            called = sum(a not in ("0", ".") for a in alleles) or 1
            return min(called, copies(n))

        frequency = found[size.code]
        assert isinstance(size, GroupSize)
        assert (frequency.carriers, frequency.individuals) == (len(carrying), len(members))
        assert frequency.allele_number == sum(copies(n) for n in members)
        assert frequency.allele_count == sum(alleles(n) for n in carrying)
