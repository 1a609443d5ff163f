"""What a search box's text resolves to (/api/resolve), against the shipped gene table."""

from __future__ import annotations

import pytest

from cnvbeacon.gateway.beacon.errors import BeaconRequestError
from cnvbeacon.gateway.public_api import resolve_text
from cnvbeacon.shared.reference.genes import gene_loci


@pytest.mark.parametrize("text", ["LCE3B/LCE3C", "LCE3C/LCE3B", "LCE3B, LCE3C", "lce3b lce3c"])
def test_genes_searched_together_resolve_to_their_span(text: str) -> None:
    (first,), (second,) = gene_loci("LCE3B", "GRCh38"), gene_loci("LCE3C", "GRCh38")
    resolved = resolve_text(text, "GRCh38")
    assert resolved.kind == "genes"
    assert resolved.chrom == first.chrom == second.chrom
    assert (resolved.start, resolved.end) == (
        min(first.start, second.start),
        max(first.end, second.end),
    )
    assert sorted(resolved.label.split("/")) == ["LCE3B", "LCE3C"]


def test_one_gene_stays_a_gene() -> None:
    resolved = resolve_text("UGT2B17", "GRCh38")
    (locus,) = gene_loci("UGT2B17", "GRCh38")
    assert (resolved.kind, resolved.start, resolved.end) == ("gene", locus.start, locus.end)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("LCE3B/UGT2B17", "must share a chromosome"),
        ("LCE3B/NOSUCHGENE1", "no gene 'NOSUCHGENE1'"),
        ("/".join(["LCE3B"] * 21), "at most 20 genes"),
    ],
)
def test_genes_that_cannot_be_searched_together_are_refused_saying_why(
    text: str, said: str
) -> None:
    with pytest.raises(BeaconRequestError) as raised:
        resolve_text(text, "GRCh38")
    assert raised.value.status == 400
    assert said in str(raised.value)
