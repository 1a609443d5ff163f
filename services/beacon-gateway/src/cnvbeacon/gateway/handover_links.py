"""Handovers of a variant query: its result as files (our streaming export endpoints) and
in the web UI (``/`` with the lookup in the URL)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from cnvbeacon.gateway.beacon.handovers import Handover

EXPORTS_PATH = "/api/exports"
# format -> (handover type, label): EDAM formats where EDAM has one.
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "vcf": ("EDAM:format_3016", "VCF"),
    "bed": ("EDAM:format_3003", "BED"),
    "pgxseg": ("CUSTOM:pgxseg", "Progenetix segments (pgxseg)"),
    "tsv": ("EDAM:format_3475", "TSV"),
}
WEB_UI = ("EDAM:format_2331", "HTML")


def export_url(public_url: str, grouping: str, params: Mapping[str, str], output: str) -> str:
    query = urlencode({**params, "format": output})
    return f"{public_url.rstrip('/')}{EXPORTS_PATH}/{grouping}?{query}"


def variant_handovers(public_url: str, params: Mapping[str, str]) -> list[Handover]:
    """Downloads of the distinct variants a lookup finds, and the lookup in the web UI."""
    handovers = [
        Handover(
            type_id=type_id,
            type_label=label,
            url=export_url(public_url, "variants", params, output),
            note=f"the matching variants as {label}, streamed",
        )
        for output, (type_id, label) in EXPORT_FORMATS.items()
    ]
    handovers.append(
        Handover(
            type_id=WEB_UI[0],
            type_label="cnvbeacon web UI",
            url=f"{public_url.rstrip('/')}/?{urlencode(params)}",
            note="the same query in the web UI",
        )
    )
    return handovers
