"""Validation of a :class:`RawRequest` into a :class:`BeaconQuery`.

:func:`build_query` is strict: the first unfit part raises a 400 ``BeaconRequestError``.
:func:`build_query_leniently` never raises: each part that does not validate is replaced
by its default, so that an error response can still echo what was understood.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cnvbeacon.gateway.beacon.errors import BeaconRequestError, bad_request
from cnvbeacon.gateway.beacon.filter_catalogue import FilterCatalogue
from cnvbeacon.gateway.beacon.filters import BeaconFilter, parse_filter
from cnvbeacon.gateway.beacon.query import BeaconQuery, Pagination, RequestedSchema, VariantQuery
from cnvbeacon.gateway.beacon.raw_request import RawRequest
from cnvbeacon.gateway.beacon.request_policy import RequestPolicy
from cnvbeacon.gateway.beacon.request_values import (
    to_boolean,
    to_choice,
    to_integer,
    to_string_list,
    to_text,
)
from cnvbeacon.gateway.beacon.spec import Granularity, IncludeResultsetResponses
from cnvbeacon.gateway.beacon.variant_parameters import build_variant_query

Part = TypeVar("Part")
NO_REQUESTED_SCHEMAS: tuple[RequestedSchema, ...] = ()
NO_DATASET_IDS: tuple[str, ...] = ()


def build_query(raw: RawRequest, catalogue: FilterCatalogue, policy: RequestPolicy) -> BeaconQuery:
    return BeaconQuery(
        api_version=_api_version(raw),
        requested_schemas=_requested_schemas(raw),
        pagination=_pagination(raw, policy),
        requested_granularity=_granularity(raw, policy),
        include_resultset_responses=_include_resultset_responses(raw),
        test_mode=_test_mode(raw),
        filters=tuple(parse_filter(item, catalogue) for item in raw.filters),
        variant=build_variant_query(raw.variant_parameters),
        dataset_ids=_dataset_ids(raw),
    )


def build_query_leniently(
    raw: RawRequest, catalogue: FilterCatalogue, policy: RequestPolicy
) -> BeaconQuery:
    return BeaconQuery(
        api_version=_or_default(lambda: _api_version(raw), None),
        requested_schemas=_or_default(lambda: _requested_schemas(raw), NO_REQUESTED_SCHEMAS),
        pagination=_lenient_pagination(raw, policy),
        requested_granularity=_or_default(
            lambda: _granularity(raw, policy), policy.default_granularity
        ),
        include_resultset_responses=_or_default(
            lambda: _include_resultset_responses(raw), IncludeResultsetResponses.HIT
        ),
        test_mode=_or_default(lambda: _test_mode(raw), False),
        filters=_valid_filters(raw.filters, catalogue),
        variant=_or_default(lambda: _variant(raw), None),
        dataset_ids=_or_default(lambda: _dataset_ids(raw), NO_DATASET_IDS),
    )


def _or_default(parse: Callable[[], Part], default: Part) -> Part:
    try:
        return parse()
    except BeaconRequestError:
        return default


def _valid_filters(
    raw_filters: list[object], catalogue: FilterCatalogue
) -> tuple[BeaconFilter, ...]:
    valid: list[BeaconFilter] = []
    for item in raw_filters:
        try:
            valid.append(parse_filter(item, catalogue))
        except BeaconRequestError:
            continue
    return tuple(valid)


def _variant(raw: RawRequest) -> VariantQuery | None:
    return build_variant_query(raw.variant_parameters)


def _api_version(raw: RawRequest) -> str | None:
    return None if raw.api_version is None else to_text(raw.api_version, "apiVersion")


def _requested_schemas(raw: RawRequest) -> tuple[RequestedSchema, ...]:
    return tuple(_requested_schema(item) for item in raw.requested_schemas)


def _requested_schema(item: object) -> RequestedSchema:
    if isinstance(item, str):
        return RequestedSchema(schema_id=to_text(item, "requestedSchema"))
    if isinstance(item, dict):
        unknown = sorted(str(key) for key in item if key not in ("entityType", "schema"))
        if unknown:
            raise bad_request(
                f"requestedSchemas items take entityType and schema, not {', '.join(unknown)}",
                "requestedSchemas",
            )
        entity_type = item.get("entityType")
        return RequestedSchema(
            entity_type=None if entity_type is None else to_text(entity_type, "entityType"),
            schema_id=to_text(item.get("schema"), "requestedSchemas"),
        )
    raise bad_request("requestedSchemas items must be objects", "requestedSchemas")


def _pagination(raw: RawRequest, policy: RequestPolicy) -> Pagination:
    return _page(_skip(raw), _limit(raw, policy), policy)


def _lenient_pagination(raw: RawRequest, policy: RequestPolicy) -> Pagination:
    skip = _or_default(lambda: _skip(raw), 0)
    return _page(skip, _or_default(lambda: _limit(raw, policy), policy.default_limit), policy)


def _page(skip: int, limit: int, policy: RequestPolicy) -> Pagination:
    """A limit above the maximum is capped at it (the response says so: Pagination.capped)."""
    return Pagination(
        skip=skip, limit=limit, page_size=min(limit, policy.max_limit) or policy.max_limit
    )


def _skip(raw: RawRequest) -> int:
    return 0 if raw.skip is None else to_integer(raw.skip, "skip")


def _limit(raw: RawRequest, policy: RequestPolicy) -> int:
    limit = policy.default_limit if raw.limit is None else to_integer(raw.limit, "limit")
    if limit < 0:
        raise bad_request(f"limit must be 0 (the maximum) or more, got {limit}", "limit")
    return limit


def _granularity(raw: RawRequest, policy: RequestPolicy) -> Granularity:
    if raw.requested_granularity is None:
        return policy.default_granularity
    return to_choice(raw.requested_granularity, Granularity, "requestedGranularity")


def _include_resultset_responses(raw: RawRequest) -> IncludeResultsetResponses:
    if raw.include_resultset_responses is None:
        return IncludeResultsetResponses.HIT
    return to_choice(
        raw.include_resultset_responses, IncludeResultsetResponses, "includeResultsetResponses"
    )


def _test_mode(raw: RawRequest) -> bool:
    return False if raw.test_mode is None else to_boolean(raw.test_mode, "testMode")


def _dataset_ids(raw: RawRequest) -> tuple[str, ...]:
    ids: list[str] = []
    for item in raw.dataset_ids:
        for dataset_id in to_string_list(item, "datasetIds"):
            if dataset_id not in ids:
                ids.append(dataset_id)
    return tuple(ids)
