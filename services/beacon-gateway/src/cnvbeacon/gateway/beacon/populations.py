"""1000 Genomes Project populations and superpopulations, and how records name them.

No ontology has terms that reliably match each of the 26 sampled populations (HANCESTRO
has related ethnicity terms, but not one per 1kGP population), so records and filters use
custom CURIE-style terms: ``population:GBR`` and ``superpopulation:EUR``. The prefix says
which level is meant, the local part is the 1kGP code, the label is the 1kGP description.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.shared.frequencies import GroupLevel


@dataclass(frozen=True, slots=True)
class Population:
    code: str
    label: str
    level: GroupLevel
    superpopulation: str | None = None  # code of the superpopulation, for populations

    @property
    def term_id(self) -> str:
        return ancestry_term_id(self.level, self.code)

    def term(self) -> JsonObject:
        return {"id": self.term_id, "label": self.label}


def ancestry_term_id(level: GroupLevel, code: str) -> str:
    """``population:GBR``, ``superpopulation:EUR``."""
    return f"{level.value}:{code}"


def ancestry_term(level: GroupLevel, code: str, label: str | None) -> JsonObject:
    """The ontology-term-shaped object records use for a (super)population."""
    known = KNOWN_ANCESTRY.get((level, code))
    text = label or (known.label if known else code)
    return {"id": ancestry_term_id(level, code), "label": text}


def _superpopulation(code: str, label: str) -> Population:
    return Population(code, label, GroupLevel.SUPERPOPULATION)


def _population(code: str, label: str, superpopulation: str) -> Population:
    return Population(code, label, GroupLevel.POPULATION, superpopulation)


SUPERPOPULATIONS: tuple[Population, ...] = (
    _superpopulation("AFR", "African"),
    _superpopulation("AMR", "Admixed American"),
    _superpopulation("EAS", "East Asian"),
    _superpopulation("EUR", "European"),
    _superpopulation("SAS", "South Asian"),
)

POPULATIONS: tuple[Population, ...] = (
    _population("ACB", "African Caribbean in Barbados", "AFR"),
    _population("ASW", "African Ancestry in Southwest US", "AFR"),
    _population("ESN", "Esan in Nigeria", "AFR"),
    _population("GWD", "Gambian in Western Division, The Gambia", "AFR"),
    _population("LWK", "Luhya in Webuye, Kenya", "AFR"),
    _population("MSL", "Mende in Sierra Leone", "AFR"),
    _population("YRI", "Yoruba in Ibadan, Nigeria", "AFR"),
    _population("CLM", "Colombian in Medellin, Colombia", "AMR"),
    _population("MXL", "Mexican Ancestry in Los Angeles, California", "AMR"),
    _population("PEL", "Peruvian in Lima, Peru", "AMR"),
    _population("PUR", "Puerto Rican in Puerto Rico", "AMR"),
    _population("CDX", "Chinese Dai in Xishuangbanna, China", "EAS"),
    _population("CHB", "Han Chinese in Beijing, China", "EAS"),
    _population("CHS", "Southern Han Chinese, China", "EAS"),
    _population("JPT", "Japanese in Tokyo, Japan", "EAS"),
    _population("KHV", "Kinh in Ho Chi Minh City, Vietnam", "EAS"),
    _population("CEU", "Utah residents with Northern and Western European ancestry", "EUR"),
    _population("FIN", "Finnish in Finland", "EUR"),
    _population("GBR", "British in England and Scotland", "EUR"),
    _population("IBS", "Iberian populations in Spain", "EUR"),
    _population("TSI", "Toscani in Italia", "EUR"),
    _population("BEB", "Bengali in Bangladesh", "SAS"),
    _population("GIH", "Gujarati Indian in Houston, Texas", "SAS"),
    _population("ITU", "Indian Telugu in the UK", "SAS"),
    _population("PJL", "Punjabi in Lahore, Pakistan", "SAS"),
    _population("STU", "Sri Lankan Tamil in the UK", "SAS"),
)

KNOWN_ANCESTRY: dict[tuple[GroupLevel, str], Population] = {
    (p.level, p.code): p for p in (*SUPERPOPULATIONS, *POPULATIONS)
}
