"""What one stored analysis is of: a subset of the cohort and the parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

from cnvbeacon.query.analyses.cohort import Subset
from cnvbeacon.query.analyses.pipeline import Parameters


@dataclass(frozen=True, slots=True)
class Variant:
    subset: Subset = field(default_factory=Subset)
    parameters: Parameters = field(default_factory=Parameters)

    @property
    def key(self) -> str:
        return f"{self.subset.key()}|{self.parameters.key()}"

    @property
    def is_default(self) -> bool:
        """The analysis the job computes for every data version; others are on demand."""
        return self == Variant()


DEFAULT = Variant()
