"""The ontologies our filtering terms come from (``resources`` of ``/filtering_terms``)."""

from __future__ import annotations

from dataclasses import dataclass

from cnvbeacon.gateway.beacon.json_types import JsonObject


@dataclass(frozen=True, slots=True)
class OntologyResource:
    id: str
    name: str
    namespace_prefix: str
    iri_prefix: str
    url: str
    version: str | None = None

    def to_json(self) -> JsonObject:
        resource: JsonObject = {
            "id": self.id,
            "name": self.name,
            "nameSpacePrefix": self.namespace_prefix,
            "iriPrefix": self.iri_prefix,
            "url": self.url,
        }
        if self.version is not None:
            resource["version"] = self.version
        return resource


NCIT = OntologyResource(
    id="ncit",
    name="NCI Thesaurus OBO Edition",
    namespace_prefix="NCIT",
    iri_prefix="http://purl.obolibrary.org/obo/NCIT_",
    url="http://purl.obolibrary.org/obo/ncit.owl",
)
EFO = OntologyResource(
    id="efo",
    name="Experimental Factor Ontology",
    namespace_prefix="EFO",
    iri_prefix="http://www.ebi.ac.uk/efo/EFO_",
    url="http://www.ebi.ac.uk/efo/efo.owl",
)

ONTOLOGY_RESOURCES: tuple[OntologyResource, ...] = (NCIT, EFO)
