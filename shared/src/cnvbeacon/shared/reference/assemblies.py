"""Genome assembly names: every alias a user, a VCF header or another Beacon may send.

Only the two assemblies of the 1000 Genomes DRAGEN re-analysis and its liftover are
supported. hg19 and GRCh37 share their nuclear sequences (they differ in chrM only, see
chromosomes.py), so they are one assembly here.
"""

from __future__ import annotations

import re
from typing import Final, Literal

Assembly = Literal["GRCh38", "GRCh37"]

GRCH38: Final = "GRCh38"
GRCH37: Final = "GRCh37"
ASSEMBLIES: Final[tuple[Assembly, ...]] = (GRCH38, GRCH37)

_ALIASES: Final[dict[Assembly, tuple[str, ...]]] = {
    GRCH38: ("GRCh38", "hg38", "hs38", "hs38DH"),
    GRCH37: ("GRCh37", "hg19", "hs37", "hs37d5", "b37", "human_g1k_v37"),
}
_BY_LOWER_ALIAS: Final[dict[str, Assembly]] = {
    alias.lower(): assembly for assembly, aliases in _ALIASES.items() for alias in aliases
}
# Patch releases only add alternate/fix contigs and never change the chromosomes.
_PATCH_RELEASE: Final = re.compile(r"^(grch3[78])\.p\d+$")


def accepted_assembly_names() -> list[str]:
    """Names normalise_assembly() accepts (case-insensitively), for help and error texts."""
    names = [alias for aliases in _ALIASES.values() for alias in aliases]
    return [*names, "GRCh38.pN", "GRCh37.pN"]


def normalise_assembly(name: str) -> Assembly:
    """Canonical assembly name, "GRCh38" or "GRCh37", for any accepted alias.

    >>> normalise_assembly("GRCh38.p13"), normalise_assembly("hs37d5")
    ('GRCh38', 'GRCh37')
    """
    if name in ASSEMBLIES:  # fast path: called on every lookup
        return name
    key = name.strip().lower()
    patch = _PATCH_RELEASE.match(key)
    if patch:
        key = patch.group(1)
    try:
        return _BY_LOWER_ALIAS[key]
    except KeyError:
        accepted = ", ".join(accepted_assembly_names())
        raise ValueError(
            f"unknown genome assembly {name!r}; accepted (case-insensitive): {accepted}"
        ) from None
