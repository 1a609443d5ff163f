"""The carriers of a lookup's matching calls (the registry of individuals is read by
read_model/registry.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Carrier:
    """A biosample with matching calls, with the attributes its calls carry."""

    dataset_id: str
    biosample_id: str
    individual_id: str
    sex: str | None
    population: str | None
    superpopulation: str | None
    calls: int  # matching calls
