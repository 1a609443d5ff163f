"""Counts of a lookup's result: calls, distinct variants, biosamples and individuals."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Counts:
    calls: int
    variants: int
    biosamples: int
    individuals: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
