"""The datasets a query service knows: those its read model holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnvbeacon.shared.reference.assemblies import normalise_assembly


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    id: str
    assembly: str  # as the dataset's document names it
    data_version: int
    document: dict[str, Any]  # the dataset's own fields (no `_id`, no change log)

    @property
    def normalised_assembly(self) -> str:
        """The assembly's canonical name (as given when it is not one we know)."""
        try:
            return normalise_assembly(self.assembly)
        except ValueError:
            return self.assembly
