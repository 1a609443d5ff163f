"""Counts of a lookup's result: calls, distinct variants, biosamples and individuals.

Two ways to the same exact numbers: from current count summaries (vectorised, any size),
or by tallying the calls of a scan (cost proportional to the calls scanned).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from cnvbeacon.query.calls import CallLookup
from cnvbeacon.query.summary import Bools, DatasetSummary, select, variant_keys
from cnvbeacon.shared.store.client import Document


@dataclass(frozen=True, slots=True)
class Counts:
    calls: int
    variants: int
    biosamples: int
    individuals: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Tally:
    """Counts of the calls fed to it (one scan's worth)."""

    def __init__(self) -> None:
        self.calls = 0
        self._variants: set[tuple[str, int, int, str]] = set()
        self._biosamples: set[tuple[str, str]] = set()
        self._individuals: set[tuple[str, str]] = set()

    def add(self, calls: Sequence[Document]) -> None:
        self.calls += len(calls)
        for call in calls:
            dataset = call["dataset_id"]
            self._variants.add((call["chrom"], call["start"], call["end"], call["variant_type"]))
            self._biosamples.add((dataset, call["biosample_id"]))
            self._individuals.add((dataset, call["individual_id"]))

    def counts(self) -> Counts:
        return Counts(
            self.calls, len(self._variants), len(self._biosamples), len(self._individuals)
        )


def summary_counts(
    summaries: Mapping[str, DatasetSummary], lookups: Sequence[CallLookup]
) -> Counts:
    calls = variants = 0
    # Per (field, dataset): which codes occur. Codes are small (a vocabulary's index), so
    # marking them is linear where a distinct over the rows would sort or hash them.
    seen: dict[tuple[str, str], Bools] = {}
    for lookup in lookups:
        selections = select(summaries, lookup)
        calls += sum(len(s.rows) for s in selections)
        variants += len(variant_keys(selections))
        for s in selections:
            for field in ("biosample_id", "individual_id"):
                key = (field, s.summary.dataset_id)
                marks = seen.get(key)
                if marks is None:
                    size = len(s.summary.vocabularies[field].values)
                    marks = seen[key] = np.zeros(size, dtype=np.bool_)
                marks[s.columns.codes[field][s.rows]] = True
    distinct = {"biosample_id": 0, "individual_id": 0}
    for (field, _), marks in seen.items():
        distinct[field] += int(np.count_nonzero(marks))
    return Counts(calls, variants, distinct["biosample_id"], distinct["individual_id"])
