"""Filters of a request, parsed into typed objects against the :class:`FilterCatalogue`.

A filter arrives as a string (GET ``filters=NCIT:C16576,sex=female``, also accepted in
POST) or as an object (``{"id": ...}``, ``{"id", "operator", "value"}``, with optional
``scope``, ``includeDescendantTerms`` and ``similarity``). Multiple filters are ANDed.
Unknown ids, operators, values or scopes raise a 400 :class:`BeaconRequestError` naming the
filter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict

from cnvbeacon.gateway.beacon.entry_types import normalise_scope
from cnvbeacon.gateway.beacon.errors import BeaconRequestError, bad_request
from cnvbeacon.gateway.beacon.filter_catalogue import (
    ComparisonOperator,
    FilterCatalogue,
    FilterField,
    FilterKind,
    SupportedField,
    SupportedTerm,
)

FILTERS_PARAMETER = "filters"
_FILTER_KEYS = frozenset(
    {"id", "operator", "value", "scope", "includeDescendantTerms", "similarity"}
)
# "<field><operator><value>", longest operators first so that ">=" is not read as ">".
_ALPHANUMERIC_TEXT = re.compile(
    r"^(?P<id>[A-Za-z_][\w.]*?)(?P<operator>>=|<=|=|<|>|!)(?P<value>.+)$"
)


class FilterCondition(BaseModel):
    """What a filter asks of a record: ``field`` in ``values`` (or not in, if ``negated``)."""

    model_config = ConfigDict(frozen=True)

    field: FilterField
    values: frozenset[str]
    negated: bool = False


class OntologyFilter(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal[FilterKind.ONTOLOGY] = FilterKind.ONTOLOGY
    id: str
    include_descendant_terms: bool = True
    scope: str | None = None
    condition: FilterCondition


class CustomFilter(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal[FilterKind.CUSTOM] = FilterKind.CUSTOM
    id: str
    scope: str | None = None
    condition: FilterCondition


class AlphanumericFilter(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal[FilterKind.ALPHANUMERIC] = FilterKind.ALPHANUMERIC
    id: str
    operator: ComparisonOperator
    value: str
    scope: str | None = None
    condition: FilterCondition


BeaconFilter: TypeAlias = OntologyFilter | CustomFilter | AlphanumericFilter


def filter_summary(beacon_filter: BeaconFilter) -> str:
    """The filter as echoed in ``receivedRequestSummary.filters`` (a list of strings).

    Term filters echo their id, alphanumeric ones ``<id><operator><value>``, the same
    syntax a GET request may use.
    """
    if isinstance(beacon_filter, AlphanumericFilter):
        return f"{beacon_filter.id}{beacon_filter.operator.value}{beacon_filter.value}"
    return beacon_filter.id


def parse_filters(
    raw_filters: Sequence[object], catalogue: FilterCatalogue
) -> tuple[BeaconFilter, ...]:
    """Parse every filter of a request; the first invalid one raises."""
    return tuple(parse_filter(raw, catalogue) for raw in raw_filters)


def parse_filter(raw: object, catalogue: FilterCatalogue) -> BeaconFilter:
    if isinstance(raw, str):
        return _parse_filter_text(raw.strip(), catalogue)
    if isinstance(raw, Mapping):
        return _parse_filter_object(raw, catalogue)
    raise bad_request(
        f"a filter must be a string or an object, got {type(raw).__name__}", FILTERS_PARAMETER
    )


def filters_not_applicable(
    filters: Sequence[BeaconFilter], catalogue: FilterCatalogue, entry_type_id: str
) -> list[str]:
    """Ids of the filters that cannot select records of this entry type."""
    return [f.id for f in filters if entry_type_id not in _scopes_of(f, catalogue)]


def _scopes_of(beacon_filter: BeaconFilter, catalogue: FilterCatalogue) -> tuple[str, ...]:
    supported = (
        catalogue.field(beacon_filter.id)
        if isinstance(beacon_filter, AlphanumericFilter)
        else catalogue.term(beacon_filter.id)
    )
    return supported.scopes if supported is not None else ()


def _unknown_filter(filter_id: str) -> BeaconRequestError:
    return bad_request(
        f"unknown filter {filter_id!r}: see /filtering_terms for the filters this Beacon supports",
        filter_id,
    )


def _parse_filter_text(text: str, catalogue: FilterCatalogue) -> BeaconFilter:
    if not text:
        raise bad_request("empty filter", FILTERS_PARAMETER)
    term = catalogue.term(text)
    if term is not None:
        return _term_filter(term, scope=None, include_descendants=True)
    if catalogue.field(text) is not None:
        raise _missing_value(text)
    match = _ALPHANUMERIC_TEXT.match(text)
    if match is not None:
        field = catalogue.field(match["id"])
        if field is not None:
            return _alphanumeric_filter(field, match["operator"], match["value"], scope=None)
    raise _unknown_filter(text)


def _parse_filter_object(raw: Mapping[object, object], catalogue: FilterCatalogue) -> BeaconFilter:
    filter_id = raw.get("id")
    if not isinstance(filter_id, str) or not filter_id:
        raise bad_request("every filter object needs a string 'id'", FILTERS_PARAMETER)
    unknown_keys = sorted(str(key) for key in raw if key not in _FILTER_KEYS)
    if unknown_keys:
        raise bad_request(
            f"filter {filter_id!r} has unknown attribute(s) {', '.join(unknown_keys)}", filter_id
        )
    scope = _parse_scope(raw.get("scope"), filter_id)
    if "operator" in raw or "value" in raw:
        field = catalogue.field(filter_id)
        if field is None:
            raise _unknown_filter(filter_id)
        operator, value = raw.get("operator", ComparisonOperator.EQUAL.value), raw.get("value")
        if not isinstance(operator, str) or not isinstance(value, str):
            raise _missing_value(filter_id)
        return _alphanumeric_filter(field, operator, value, scope)
    term = catalogue.term(filter_id)
    if term is None:
        if catalogue.field(filter_id) is not None:
            raise _missing_value(filter_id)
        raise _unknown_filter(filter_id)
    _check_similarity(raw.get("similarity", "exact"), filter_id)
    include = raw.get("includeDescendantTerms", True)
    if not isinstance(include, bool):
        raise bad_request(
            f"includeDescendantTerms of filter {filter_id!r} must be true or false", filter_id
        )
    return _term_filter(term, scope, include)


def _missing_value(filter_id: str) -> BeaconRequestError:
    return bad_request(
        f"filter {filter_id!r} compares a field: give an operator and a string value, "
        f'e.g. {{"id": "{filter_id}", "operator": "=", "value": ...}}',
        filter_id,
    )


def _parse_scope(raw_scope: object, filter_id: str) -> str | None:
    if raw_scope is None:
        return None
    scope = normalise_scope(raw_scope) if isinstance(raw_scope, str) else None
    if scope is None:
        raise bad_request(f"filter {filter_id!r} has an unknown scope {raw_scope!r}", filter_id)
    return scope


def _check_similarity(similarity: object, filter_id: str) -> None:
    if similarity != "exact":
        raise bad_request(
            f"filter {filter_id!r}: only similarity 'exact' is supported, got {similarity!r}",
            filter_id,
        )


def _check_scope(scope: str | None, scopes: tuple[str, ...], filter_id: str) -> None:
    if scope is not None and scope not in scopes:
        raise bad_request(
            f"filter {filter_id!r} does not apply to scope {scope!r} (it applies to "
            f"{', '.join(scopes)})",
            filter_id,
        )


def _term_filter(term: SupportedTerm, scope: str | None, include_descendants: bool) -> BeaconFilter:
    _check_scope(scope, term.scopes, term.id)
    condition = FilterCondition(field=term.field, values=term.matched_values(include_descendants))
    if term.kind is FilterKind.CUSTOM:
        return CustomFilter(id=term.id, scope=scope, condition=condition)
    return OntologyFilter(
        id=term.id, include_descendant_terms=include_descendants, scope=scope, condition=condition
    )


def _alphanumeric_filter(
    field: SupportedField, operator_text: str, value_text: str, scope: str | None
) -> AlphanumericFilter:
    _check_scope(scope, field.scopes, field.id)
    try:
        operator = ComparisonOperator(operator_text)
    except ValueError:
        raise bad_request(
            f"filter {field.id!r} has an unknown operator {operator_text!r}", field.id
        ) from None
    if operator not in field.operators:
        allowed = " or ".join(sorted(op.value for op in field.operators))
        raise bad_request(
            f"filter {field.id!r} supports only the operators {allowed}, got {operator.value!r}",
            field.id,
        )
    value = field.canonical_value(value_text.strip())
    if value is None:
        raise bad_request(
            f"filter {field.id!r}: unknown value {value_text!r} (one of {', '.join(field.values)})",
            field.id,
        )
    condition = FilterCondition(
        field=field.field,
        values=frozenset({value}),
        negated=operator is ComparisonOperator.NOT_EQUAL,
    )
    return AlphanumericFilter(
        id=field.id, operator=operator, value=value, scope=scope, condition=condition
    )
