"""What a lookup asks of the calls: datasets, chromosomes, a window, filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.windows import Window


@dataclass(frozen=True, slots=True)
class CallQuery:
    """Calls of these datasets on these chromosomes that match the window (None: anywhere
    on them) and the filters. A window is on one chromosome."""

    dataset_ids: tuple[str, ...]
    chroms: tuple[str, ...]
    window: Window | None = None
    filters: CallFilters = field(default_factory=CallFilters)

    def __post_init__(self) -> None:
        if self.window is not None and len(self.chroms) != 1:
            raise ValueError("a window is on one chromosome")
