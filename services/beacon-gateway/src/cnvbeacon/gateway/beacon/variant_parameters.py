"""The ``g_variant`` request parameters: which are accepted, and their validation.

Supported: ``referenceName``, ``start``, ``end``, ``variantType``, ``variantMinLength``,
``variantMaxLength``, ``geneId``, ``assemblyId`` and our extension ``cytoBand``. ``geneid``
(the spelling of the spec's OpenAPI GET parameter) and ``cytoband`` are accepted as
aliases. Sequence-level parameters (``referenceBases``, ``alternateBases``,
``aminoacidChange``, ``genomicAlleleShortForm``/``allele``, ``mateName``) are rejected:
this Beacon holds copy-number variants only.

Positions (0-based, end exclusive): one ``start`` and one ``end`` make a range query, two
of each a bracket query; both need ``referenceName``.
"""

from __future__ import annotations

from collections.abc import Mapping

from cnvbeacon.gateway.beacon.errors import bad_request
from cnvbeacon.gateway.beacon.query import GenomicBracket, GenomicRange, VariantQuery
from cnvbeacon.gateway.beacon.request_values import to_integer, to_integer_list, to_text
from cnvbeacon.shared import vocabulary

SUPPORTED_VARIANT_PARAMETERS: tuple[str, ...] = (
    "referenceName",
    "start",
    "end",
    "variantType",
    "variantMinLength",
    "variantMaxLength",
    "geneId",
    "assemblyId",
    "cytoBand",
)
VARIANT_PARAMETER_ALIASES: dict[str, str] = {"geneid": "geneId", "cytoband": "cytoBand"}
UNSUPPORTED_VARIANT_PARAMETERS: frozenset[str] = frozenset(
    {
        "referenceBases",
        "alternateBases",
        "aminoacidChange",
        "genomicAlleleShortForm",
        "allele",
        "mateName",
    }
)


def canonical_variant_parameter(name: str) -> str | None:
    """The canonical name of a supported variant parameter, ``None`` if it is not one.

    Raises a 400 error for the sequence-level parameters we do not support.
    """
    if name in UNSUPPORTED_VARIANT_PARAMETERS:
        raise bad_request(
            f"{name} is not supported: this Beacon holds copy-number variants only; query "
            "with referenceName, start, end and variantType (e.g. DEL, DUP, EFO:0030067)",
            name,
        )
    if name in SUPPORTED_VARIANT_PARAMETERS:
        return name
    return VARIANT_PARAMETER_ALIASES.get(name)


def build_variant_query(parameters: Mapping[str, object]) -> VariantQuery | None:
    """Validate the variant parameters (by canonical name); ``None`` when there are none."""
    if not parameters:
        return None
    text = {
        name: to_text(parameters[name], name)
        for name in ("referenceName", "variantType", "geneId", "assemblyId", "cytoBand")
        if name in parameters
    }
    min_length = _optional_integer(parameters, "variantMinLength", minimum=0)
    max_length = _optional_integer(parameters, "variantMaxLength", minimum=1)
    if min_length is not None and max_length is not None and min_length > max_length:
        raise bad_request(
            f"variantMinLength ({min_length}) exceeds variantMaxLength ({max_length})",
            "variantMinLength",
        )
    location = _location(parameters)
    if location is not None and "referenceName" not in text:
        raise bad_request("start and end need a referenceName", "referenceName")
    variant_type = text.get("variantType")
    return VariantQuery(
        reference_name=text.get("referenceName"),
        location=location,
        variant_type=variant_type,
        variant_type_ids=_variant_type_ids(variant_type),
        variant_min_length=min_length,
        variant_max_length=max_length,
        gene_id=text.get("geneId"),
        assembly_id=text.get("assemblyId"),
        cytoband=text.get("cytoBand"),
    )


def _optional_integer(parameters: Mapping[str, object], name: str, minimum: int) -> int | None:
    return to_integer(parameters[name], name, minimum) if name in parameters else None


def _variant_type_ids(variant_type: str | None) -> frozenset[str]:
    if variant_type is None:
        return frozenset()
    try:
        return vocabulary.expand_variant_types([variant_type])
    except ValueError as error:
        raise bad_request(str(error), "variantType") from None


def _location(parameters: Mapping[str, object]) -> GenomicRange | GenomicBracket | None:
    if "start" not in parameters and "end" not in parameters:
        return None
    if "end" not in parameters:
        raise bad_request(
            "start needs an end: a start alone (with alternateBases) is a sequence query, "
            "which this copy-number Beacon does not support",
            "end",
        )
    if "start" not in parameters:
        raise bad_request("end needs a start", "start")
    starts = to_integer_list(parameters["start"], "start", minimum=0)
    ends = to_integer_list(parameters["end"], "end", minimum=1)
    if len(starts) != len(ends):
        # Blame the parameter with two values: it is the one that does not make a range.
        raise bad_request(
            "give one start and one end (range query) or two of each (bracket query), "
            f"got {len(starts)} start(s) and {len(ends)} end(s)",
            "end" if len(starts) == 1 else "start",
        )
    if len(starts) == 1:
        return _range(starts[0], ends[0])
    return _bracket(starts, ends)


def _range(start: int, end: int) -> GenomicRange:
    if start > end:
        raise bad_request(f"start ({start}) is after end ({end})", "start")
    return GenomicRange(start=start, end=end)


def _bracket(starts: tuple[int, ...], ends: tuple[int, ...]) -> GenomicBracket:
    (start_min, start_max), (end_min, end_max) = starts, ends
    if start_min > start_max:
        raise bad_request(f"start bracket [{start_min}, {start_max}] is reversed", "start")
    if end_min > end_max:
        raise bad_request(f"end bracket [{end_min}, {end_max}] is reversed", "end")
    if start_min > end_max:
        raise bad_request(
            f"no variant can start at or after {start_min} and end by {end_max}", "end"
        )
    return GenomicBracket(
        start_min=start_min, start_max=start_max, end_min=end_min, end_max=end_max
    )
