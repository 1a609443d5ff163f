"""Conditions on calls beyond the search window (evaluated by read_model/predicates.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cnvbeacon.shared.vocabulary import CNV, GAIN, LOSS, Direction, descendants

# The EFO terms a call of each stored variant_type can carry (classify_copy_number): a
# variant type is matched exactly by this set, so it is a plain efo_ids filter.
EFO_IDS_OF_VARIANT_TYPE: Final[dict[str, frozenset[str]]] = {
    Direction.LOSS.value: descendants(LOSS.id),
    Direction.GAIN.value: descendants(GAIN.id),
    Direction.UNKNOWN.value: frozenset({CNV.id}),
}


@dataclass(frozen=True, slots=True)
class CallFilters:
    """Conditions beyond the window; all optional, combined with AND."""

    efo_ids: frozenset[str] | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_copy_number: float | None = None
    max_copy_number: float | None = None
    pass_only: bool = False
    biosample_ids: frozenset[str] | None = None
    sexes: frozenset[str] | None = None
    populations: frozenset[str] | None = None
    superpopulations: frozenset[str] | None = None

    def attribute_sets(self) -> tuple[tuple[str, frozenset[str] | None], ...]:
        """(call field, allowed values or None) for the attribute conditions."""
        return (
            ("biosample_id", self.biosample_ids),
            ("sex", self.sexes),
            ("population", self.populations),
            ("superpopulation", self.superpopulations),
        )
