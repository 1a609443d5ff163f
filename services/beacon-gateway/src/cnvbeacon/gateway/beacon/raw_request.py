"""A request's parts before validation: what the GET and POST readers hand to the builder.

Values are kept as received (strings from a query string, JSON values from a body); the
query builder converts and validates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawRequest:
    api_version: object = None
    requested_schemas: list[object] = field(default_factory=list)
    skip: object = None
    limit: object = None
    requested_granularity: object = None
    include_resultset_responses: object = None
    test_mode: object = None
    filters: list[object] = field(default_factory=list)
    variant_parameters: dict[str, object] = field(default_factory=dict)  # by canonical name
    dataset_ids: list[object] = field(default_factory=list)
