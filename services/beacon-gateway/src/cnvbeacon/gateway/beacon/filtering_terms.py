"""The ``/filtering_terms`` response: the filters a client may use, and their ontologies."""

from __future__ import annotations

from collections.abc import Sequence

from cnvbeacon.gateway.beacon.filter_catalogue import FilteringTerm
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.ontology_resources import ONTOLOGY_RESOURCES, OntologyResource
from cnvbeacon.gateway.beacon.response_meta import build_informational_meta


def build_filtering_terms_response(
    identity: BeaconIdentity,
    filtering_terms: Sequence[FilteringTerm],
    resources: Sequence[OntologyResource] = ONTOLOGY_RESOURCES,
) -> JsonObject:
    return {
        "meta": build_informational_meta(identity),
        "response": {
            "filteringTerms": [term.to_json() for term in filtering_terms],
            "resources": [resource.to_json() for resource in resources],
        },
    }
