"""Streaming exports of a lookup's result: TSV, BED, JSON lines, VCF and Progenetix pgxseg.

Each format turns a batch of items (calls, or distinct variants) into text; the response
is written batch by batch (chunked), so no export holds its whole result in memory.
Coordinates: stored calls are 0-based half-open. TSV, JSON lines, BED and pgxseg keep
them; VCF writes POS = start (the padding base before the event, 1-based) and END = end,
with symbolic <DEL>/<DUP>/<CNV> alleles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from cnvbeacon.query.carriers import Carrier
from cnvbeacon.query.variants import Variant, VariantGrouper
from cnvbeacon.query.views import call_view, dumps, variant_view
from cnvbeacon.shared.formats import (
    CALL_TSV_COLUMNS,
    PGXSEG_COLUMNS,
    call_tsv_row,
    cell,
    pgxseg_row,
    ucsc_chrom,
)
from cnvbeacon.shared.reference.chromosomes import chromosome_length, chromosomes
from cnvbeacon.shared.store.client import Document
from cnvbeacon.shared.vocabulary import HEMIZYGOUS, HETEROZYGOUS, HOMOZYGOUS

Item = Document | Variant  # a call or a distinct variant


class Format(StrEnum):
    JSON = "json"  # the paged JSON response, not an export
    JSONL = "jsonl"
    TSV = "tsv"
    BED = "bed"
    VCF = "vcf"
    PGXSEG = "pgxseg"


CONTENT_TYPES: Final = {
    Format.JSONL: "application/x-ndjson",
    Format.TSV: "text/tab-separated-values",
    Format.BED: "text/plain",
    Format.VCF: "text/plain",
    Format.PGXSEG: "text/tab-separated-values",
}


@dataclass(frozen=True, slots=True)
class ExportContext:
    assembly: str
    dataset_ids: tuple[str, ...]
    label: str


def _calls_of(item: Item) -> list[Document]:
    return item.calls if isinstance(item, Variant) else [item]


class Writer:
    """Header once, then the text of each batch of items."""

    def header(self) -> str:
        return ""

    def batch(self, items: Sequence[Item]) -> str:
        raise NotImplementedError

    def finish(self) -> str:
        return ""


class JsonLines(Writer):
    def batch(self, items: Sequence[Item]) -> str:
        return "".join(
            dumps(variant_view(i) if isinstance(i, Variant) else call_view(i)) + "\n" for i in items
        )


CALL_COLUMNS: Final = CALL_TSV_COLUMNS
VARIANT_COLUMNS: Final = (
    "id",
    "chrom",
    "start",
    "end",
    "length",
    "variant_type",
    "efo_ids",
    "dataset_ids",
    "call_count",
    "biosample_count",
)


class Tsv(Writer):
    def __init__(self, variants: bool) -> None:
        self.columns = VARIANT_COLUMNS if variants else CALL_COLUMNS

    def header(self) -> str:
        return "\t".join(self.columns) + "\n"

    def batch(self, items: Sequence[Item]) -> str:
        lines = []
        for item in items:
            if isinstance(item, Variant):
                view = variant_view(item)
                lines.append("\t".join(cell(view.get(c)) for c in self.columns) + "\n")
            else:
                lines.append(call_tsv_row(item))
        return "".join(lines)


class Bed(Writer):
    """BED6: chrom, chromStart, chromEnd (0-based half-open), name (call or variant id),
    score 0, strand '.'."""

    def batch(self, items: Sequence[Item]) -> str:
        lines = []
        for item in items:
            if isinstance(item, Variant):
                key = item.key
                chrom, start, end, name = key.chrom, key.start, key.end, key.id
            else:
                chrom, start, end, name = item["chrom"], item["start"], item["end"], item["_id"]
            lines.append(f"{ucsc_chrom(chrom)}\t{start}\t{end}\t{name}\t0\t.\n")
        return "".join(lines)


class Pgxseg(Writer):
    """Progenetix segments, one line per call; log2 is log2 of the copy ratio."""

    def __init__(self, context: ExportContext) -> None:
        self.context = context

    def header(self) -> str:
        return (
            f"#meta=>assembly={self.context.assembly};"
            f"datasets={','.join(self.context.dataset_ids)};"
            f'query="{self.context.label}";coordinates=0-based half-open\n'
            + "\t".join(PGXSEG_COLUMNS)
            + "\n"
        )

    def batch(self, items: Sequence[Item]) -> str:
        return "".join(pgxseg_row(call) for item in items for call in _calls_of(item))


_GENOTYPES: Final = {HOMOZYGOUS.id: "1/1", HETEROZYGOUS.id: "0/1", HEMIZYGOUS.id: "1"}
_NOT_CARRIED: Final = "./.:.:."
_SVTYPE_SIGN: Final = {"DEL": -1, "DUP": 1, "CNV": 1}


class Vcf(Writer):
    """VCFv4.2, one record per distinct variant, one column per carrier biosample (GT from
    the call's zygosity, CN, FT = the call's filters); '.' where a biosample does not carry
    the variant. Calls of one biosample at one variant: the first (by call id) is shown."""

    def __init__(self, context: ExportContext, carriers: Sequence[Carrier]) -> None:
        self.context = context
        several = len(context.dataset_ids) > 1
        self.columns = {(c.dataset_id, c.biosample_id): index for index, c in enumerate(carriers)}
        self.labels = [
            f"{c.dataset_id}:{c.biosample_id}" if several else c.biosample_id for c in carriers
        ]
        self.grouper = VariantGrouper()

    def header(self) -> str:
        assembly = self.context.assembly
        lines = [
            "##fileformat=VCFv4.2",
            "##source=cnvbeacon-query",
            f"##reference={assembly}",
            *(
                f"##contig=<ID={ucsc_chrom(c)},length={chromosome_length(c, assembly)},"
                f"assembly={assembly}>"
                for c in chromosomes(assembly)
            ),
            '##ALT=<ID=DEL,Description="Deletion relative to the reference">',
            '##ALT=<ID=DUP,Description="Duplication relative to the reference">',
            '##ALT=<ID=CNV,Description="Copy number variable region">',
            '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">',
            '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
            '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length of the variant '
            '(negative for deletions)">',
            '##INFO=<ID=EFO,Number=.,Type=String,Description="EFO copy-number terms of the calls">',
            '##INFO=<ID=NCALLS,Number=1,Type=Integer,Description="Matching calls">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
            '##FORMAT=<ID=CN,Number=1,Type=Float,Description="Copy number">',
            '##FORMAT=<ID=FT,Number=1,Type=String,Description="Filters of the call">',
            f'##cnvbeacon_query="{self.context.label}"',
            "\t".join(
                [
                    *("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"),
                    *self.labels,
                ]
            ),
        ]
        return "\n".join(lines) + "\n"

    def batch(self, items: Sequence[Item]) -> str:
        variants: list[Variant] = []
        for item in items:
            if isinstance(item, Variant):
                variants.append(item)
            else:
                variants.extend(self.grouper.feed([item]))
        return "".join(self._record(v) for v in variants)

    def finish(self) -> str:
        return "".join(self._record(v) for v in self.grouper.finish())

    def _record(self, variant: Variant) -> str:
        key = variant.key
        samples = [_NOT_CARRIED] * len(self.labels)
        for call in sorted(variant.calls, key=lambda c: c["_id"], reverse=True):
            column = self.columns.get((call["dataset_id"], call["biosample_id"]))
            if column is None:
                continue
            genotype = _GENOTYPES.get(call.get("zygosity_id") or "", "./1")
            filters = ";".join(call.get("filters") or []) or "."
            samples[column] = f"{genotype}:{cell(call.get('copy_number'))}:{filters}"
        efo = ",".join(sorted({c["efo_id"] for c in variant.calls}))
        length = key.end - key.start
        info = (
            f"END={key.end};SVTYPE={key.variant_type};"
            f"SVLEN={_SVTYPE_SIGN[key.variant_type] * length};EFO={efo};"
            f"NCALLS={len(variant.calls)}"
        )
        fields = [
            ucsc_chrom(key.chrom),
            str(key.start),
            key.id,
            "N",
            f"<{key.variant_type}>",
            ".",
            ".",
            info,
            "GT:CN:FT",
            *samples,
        ]
        return "\t".join(fields) + "\n"


EXTENSIONS: Final = {
    Format.JSONL: "jsonl",
    Format.TSV: "tsv",
    Format.BED: "bed",
    Format.VCF: "vcf",
    Format.PGXSEG: "pgxseg",
}
