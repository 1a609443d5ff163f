"""CNVR boundaries, classes and CNV events on a cohort whose answers are worked out by hand."""

from __future__ import annotations

import bioframe
import numpy as np
import pandas as pd
import pytest

from cnvbeacon.query.analyses.pipeline import Parameters, analyse
from cnvbeacon.query.analyses.regions import CLASSES, find_regions
from tests.query.analyses.builders import Person, cohort

PEOPLE = [Person(f"S{i}") for i in range(5)]
CALLS = [
    # [100, 250): two overlapping deletions (one homozygous) -> a deletion CNVR
    ("S0", "1", 100, 200, "DEL", 1),
    ("S1", "1", 150, 250, "DEL", 0),
    # [250, 300): adjacent to the first, not overlapping -> its own duplication CNVR
    ("S2", "1", 250, 300, "DUP", 3),
    # [1000, 2000): a loss and a gain of the same interval -> deletion+duplication
    ("S0", "1", 1000, 2000, "DUP", 3),
    ("S1", "1", 1000, 2000, "DEL", 1),
    # [5000, 8000): a loss and a gain overlapping by 100 bp -> two events, complex
    ("S3", "1", 5000, 6000, "DEL", 1),
    ("S4", "1", 5900, 8000, "DUP", 3),
    # [10000, 11000): 1, 3 and 4 copies -> three changed states, multi-allelic
    ("S0", "1", 10_000, 11_000, "DEL", 1),
    ("S1", "1", 10_000, 11_000, "DUP", 3),
    ("S2", "1", 10_000, 11_000, "DUP", 4),
    # chr2 [0, 500): a CNV call without copy number -> undetermined
    ("S3", "2", 0, 500, "CNV", None),
]


def regions_of(calls: list[tuple[str, str, int, int, str, float | None]]) -> dict[str, list]:
    built = cohort(PEOPLE, calls)
    found = find_regions(built.calls, len(built.samples), 0.5)
    table = found.regions
    return {
        "span": list(
            zip(
                table["chrom"].tolist(), table["start"].tolist(), table["end"].tolist(), strict=True
            )
        ),
        "class": [CLASSES[c] for c in table["class"].tolist()],
        "calls": table["calls"].tolist(),
        "samples": table["samples"].tolist(),
        "losses": table["loss_samples"].tolist(),
        "gains": table["gain_samples"].tolist(),
        "events": table["events"].tolist(),
        "copy_numbers": table["copy_numbers"].tolist(),
        "singleton": table["singleton"].tolist(),
    }


def test_cnvr_boundaries_counts_and_classes() -> None:
    found = regions_of(CALLS)
    assert found["span"] == [
        (0, 100, 250),
        (0, 250, 300),
        (0, 1000, 2000),
        (0, 5000, 8000),
        (0, 10_000, 11_000),
        (1, 0, 500),
    ]
    assert found["class"] == [
        "deletion",
        "duplication",
        "deletion+duplication",
        "complex",
        "multi-allelic",
        "undetermined",
    ]
    assert found["calls"] == [2, 1, 2, 2, 3, 1]
    assert found["samples"] == [2, 1, 2, 2, 3, 1]
    assert found["losses"] == [2, 0, 1, 1, 1, 0]
    assert found["gains"] == [0, 1, 1, 1, 2, 0]
    assert found["events"] == [1, 1, 1, 2, 1, 1]
    assert found["copy_numbers"] == ["0,1", "3", "1,3", "1,3", "1,3,4", ""]
    assert found["singleton"] == [False, True, False, False, False, True]


def test_cnvr_spans_are_bioframes_merge() -> None:
    built = cohort(PEOPLE, CALLS)
    table = find_regions(built.calls, len(built.samples), 0.5).regions
    frame = pd.DataFrame(
        {"chrom": built.calls.chrom.astype(str), "start": built.calls.start, "end": built.calls.end}
    )
    merged = bioframe.merge(frame, min_dist=None).sort_values(["chrom", "start"])
    assert merged["start"].tolist() == table["start"].tolist()
    assert merged["end"].tolist() == table["end"].tolist()
    assert merged["n_intervals"].tolist() == table["calls"].tolist()


def test_a_sample_counts_once_however_many_calls_it_has_in_a_region() -> None:
    calls = [("S0", "3", 0, 100, "DEL", 1), ("S0", "3", 50, 150, "DEL", 1)]
    found = regions_of(calls)
    assert found["calls"] == [2]
    assert found["samples"] == [1]
    assert found["singleton"] == [True]


def test_a_third_changed_state_makes_a_deletion_multi_allelic() -> None:
    deletion = [("S0", "1", 0, 100, "DEL", 0), ("S1", "1", 0, 100, "DEL", 1)]
    assert regions_of(deletion)["class"] == ["deletion"]
    assert regions_of([*deletion, ("S2", "1", 0, 100, "DUP", 3)])["class"] == ["multi-allelic"]


def test_male_x_copy_numbers_are_changes_from_one_copy() -> None:
    people = [Person("M", sex="male"), Person("F", sex="female")]
    calls = [
        ("M", "X", 5_000_000, 5_001_000, "DUP", 2),  # one extra copy on a male X
        ("F", "X", 5_000_000, 5_001_000, "DUP", 3),  # one extra copy on a female X
        ("M", "X", 6_000_000, 6_001_000, "DEL", 0),
    ]
    built = cohort(people, calls)
    assert built.calls.delta.tolist() == [1, 1, -1]
    table = find_regions(built.calls, 2, 0.5).regions
    assert table["changed_states"].tolist() == [1, 1]
    assert [CLASSES[c] for c in table["class"].tolist()] == ["duplication", "deletion"]


EVENT_CALLS = [
    ("S0", "1", 0, 1000, "DEL", 1),
    ("S1", "1", 0, 1000, "DEL", 1),
    ("S2", "1", 0, 1000, "DEL", 1),
    ("S3", "1", 0, 1100, "DEL", 1),  # 1000/1100 = 0.91 of [0, 1000)
    ("S0", "1", 500, 3000, "DUP", 3),  # 500/2500 = 0.2 of [0, 1000): a new event
    ("S4", "1", 600, 2900, "DUP", 3),  # 2300/2500 = 0.92 of [500, 3000)
]


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (0.5, [(0, 1000, 0, 1100, 4), (500, 3000, 500, 3000, 2)]),
        (
            0.95,
            [
                (0, 1000, 0, 1000, 3),
                (0, 1100, 0, 1100, 1),
                (500, 3000, 500, 3000, 1),
                (600, 2900, 600, 2900, 1),
            ],
        ),
    ],
)
def test_events_split_juxtaposed_variants_by_reciprocal_overlap(
    threshold: float, expected: list[tuple[int, int, int, int, int]]
) -> None:
    built = cohort(PEOPLE, EVENT_CALLS)
    found = find_regions(built.calls, len(built.samples), threshold)
    events = found.events
    rows = sorted(
        zip(
            events["start"].tolist(),
            events["end"].tolist(),
            events["span_start"].tolist(),
            events["span_end"].tolist(),
            events["calls"].tolist(),
            strict=True,
        )
    )
    assert rows == sorted(expected)
    assert found.regions["events"].tolist() == [len(expected)]
    # Losses and gains sit in different events: juxtaposed, so the region is complex.
    assert [CLASSES[c] for c in found.regions["class"].tolist()] == ["complex"]


def test_the_pipeline_lists_genes_of_each_region() -> None:
    # chr17 7,668,402-7,687,550 is TP53 (GENCODE v44); a region inside it overlaps only TP53.
    built = cohort(PEOPLE, [("S0", "17", 7_670_000, 7_671_000, "DEL", 1)])
    result = analyse(built, Parameters())
    assert result.tables["cnvrs"]["genes"].tolist() == ["TP53"]
    assert result.tables["cnvrs"]["gene_count"].tolist() == [1]
    assert np.isnan(result.tables["cnvrs"]["vst_superpopulation"]).all()


def test_states_of_different_loci_do_not_make_a_region_multi_allelic() -> None:
    # Two duplication loci chained into one CNVR: +1/+2 at one, +3 at the other.
    calls = [
        ("S0", "1", 0, 1000, "DUP", 3),
        ("S1", "1", 0, 1000, "DUP", 4),
        ("S2", "1", 900, 5000, "DUP", 5),
    ]
    found = regions_of(calls)
    assert found["events"] == [2]
    assert found["class"] == ["duplication"]
