"""Streaming exports of a lookup's result: TSV, BED, JSON lines, VCF and Progenetix pgxseg.

Formats that need more than the calls get it before the stream starts: the carriers (VCF
columns, pgxseg sample lines) and the allele numbers of the datasets (VCF AN).

Each format turns a batch of items (calls, or distinct variants) into text; the response
is written batch by batch (chunked), so no export holds its whole result in memory.
Coordinates: stored calls are 0-based half-open. TSV, JSON lines, BED and pgxseg keep
them; VCF writes POS = start (the padding base before the event, 1-based) and END = end,
with symbolic <DEL>/<DUP>/<CNV> alleles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from cnvbeacon.query.carriers import Carrier
from cnvbeacon.query.variants import Variant, VariantGrouper
from cnvbeacon.query.views import call_view, dumps, variant_view
from cnvbeacon.shared.colours import call_colour, rgb
from cnvbeacon.shared.formats import (
    CALL_TSV_COLUMNS,
    MISSING,
    PGXSEG_COLUMNS,
    call_tsv_row,
    cell,
    pgxseg_row,
    ucsc_chrom,
)
from cnvbeacon.shared.frequencies import GroupLevel, GroupSize, ploidy, variant_frequencies
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
    synthetic: tuple[str, ...] = ()  # of dataset_ids, those holding generated data

    @property
    def synthetic_notice(self) -> str:
        """What every export's header says of generated data ('' for real data only)."""
        if not self.synthetic:
            return ""
        return (
            f"SYNTHETIC DATA in {', '.join(self.synthetic)}: generated calls, "
            "not those of the individuals named"
        )


@dataclass(frozen=True, slots=True)
class ExportSample:
    """A carrier biosample of an export, with its population's name if registered."""

    dataset_id: str
    biosample_id: str
    population: str | None
    population_name: str | None


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


def comment_lines(context: ExportContext) -> str:
    """A TSV's '#' lines before its column names: only for synthetic data."""
    notice = context.synthetic_notice
    return f"# {notice}\n" if notice else ""


class Tsv(Writer):
    def __init__(self, context: ExportContext, variants: bool) -> None:
        self.context = context
        self.columns = VARIANT_COLUMNS if variants else CALL_COLUMNS

    def header(self) -> str:
        return comment_lines(self.context) + "\t".join(self.columns) + "\n"

    def batch(self, items: Sequence[Item]) -> str:
        lines = []
        for item in items:
            if isinstance(item, Variant):
                view = variant_view(item)
                lines.append("\t".join(cell(view.get(c)) for c in self.columns) + "\n")
            else:
                lines.append(call_tsv_row(item))
        return "".join(lines)


def _copies(copy_number: float | None) -> str:
    return "CN." if copy_number is None else f"CN{cell(copy_number)}"


def _quoted(text: str) -> str:
    """A value of a header's key="value" pair (no double quotes inside)."""
    return text.replace('"', "'")


def track_line(context: ExportContext, what: str) -> str:
    """A BED file's track line, naming the colours (and synthetic data)."""
    label = _quoted(context.label)
    notice = f"; {context.synthetic_notice}" if context.synthetic else ""
    return (
        f'track name="cnvbeacon {what}: {label}" description="cnvbeacon {what} of '
        f"{label} ({context.assembly}; {', '.join(context.dataset_ids)}): "
        f'losses red, gains blue, complete deletions and high-level gains darker{notice}" '
        'itemRgb="On"\n'
    )


class Bed(Writer):
    """BED9 with a track line (itemRgb: the product's colours): chrom, chromStart, chromEnd
    (0-based half-open), name, score 0, strand '.', thickStart, thickEnd, itemRgb. A call is
    named type:copy number:biosample (DEL:CN1:HG00096), a variant by its id."""

    def __init__(self, context: ExportContext, variants: bool) -> None:
        self.context = context
        self.variants = variants

    def header(self) -> str:
        return track_line(self.context, "variants" if self.variants else "calls")

    def batch(self, items: Sequence[Item]) -> str:
        lines = []
        for item in items:
            if isinstance(item, Variant):
                key = item.key
                chrom, start, end, name = key.chrom, key.start, key.end, key.id
                copies = {c.get("copy_number") for c in item.calls}
                colour = call_colour(key.variant_type, copies.pop() if len(copies) == 1 else None)
            else:
                chrom, start, end = item["chrom"], item["start"], item["end"]
                copy_number = item.get("copy_number")
                name = f"{item['variant_type']}:{_copies(copy_number)}:{item['biosample_id']}"
                colour = call_colour(item["variant_type"], copy_number)
            lines.append(
                f"{ucsc_chrom(chrom)}\t{start}\t{end}\t{name}\t0\t.\t{start}\t{end}\t{rgb(colour)}\n"
            )
        return "".join(lines)


class Pgxseg(Writer):
    """Progenetix segments, one line per call; log2 is log2 of the copy ratio, clamped (a
    complete deletion's ratio is near 0). A `#sample=>` line per biosample names its
    population as its group, as Progenetix groups samples for plots and frequencies."""

    def __init__(self, context: ExportContext, samples: Sequence[ExportSample]) -> None:
        self.context = context
        self.samples = samples

    def header(self) -> str:
        lines = [
            f"#meta=>assembly={self.context.assembly};"
            f"datasets={','.join(self.context.dataset_ids)};"
            f'query="{_quoted(self.context.label)}";coordinates=0-based half-open;'
            f"biosample_count={len(self.samples)}"
            + (f';synthetic="{self.context.synthetic_notice}"' if self.context.synthetic else ""),
            *(
                f"#sample=>biosample_id={sample.biosample_id};dataset_id={sample.dataset_id};"
                f"group_id={sample.population or 'NA'};"
                f'group_label="{_quoted(sample.population_name or sample.population or "NA")}"'
                for sample in self.samples
            ),
            "\t".join(PGXSEG_COLUMNS),
        ]
        return "\n".join(lines) + "\n"

    def batch(self, items: Sequence[Item]) -> str:
        return "".join(pgxseg_row(call) for item in items for call in _calls_of(item))


def vcf_meta_lines(context: ExportContext) -> list[str]:
    """A VCF's first header lines: format, source, reference, contigs, symbolic alleles,
    END/SVTYPE/SVLEN, the query (and synthetic data)."""
    assembly = context.assembly
    notice = context.synthetic_notice
    return [
        "##fileformat=VCFv4.2",
        "##source=cnvbeacon-query",
        f"##reference={assembly}",
        f'##cnvbeacon_query="{_quoted(context.label)}"',
        *([f'##cnvbeacon_synthetic="{notice}"'] if notice else []),
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
    ]


def frequency_info_lines(superpopulations: Sequence[str], allele_count: str) -> list[str]:
    """INFO declarations of AC, AN, AF overall and per superpopulation (AC_EUR, ...)."""
    return [
        f'##INFO=<ID=AC,Number=A,Type=Integer,Description="{allele_count}">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Alleles at the locus in the '
        'individuals with data in the datasets (by sex on X and Y)">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency: AC / AN">',
        *(
            f"##INFO=<ID={name}_{info_key(code)},Number={number},Type={kind},"
            f'Description="{name} in superpopulation {code}">'
            for code in superpopulations
            for name, number, kind in (
                ("AC", "A", "Integer"),
                ("AN", "1", "Integer"),
                ("AF", "A", "Float"),
            )
        ),
    ]


def frequency_info(code: str, allele_count: int, allele_number: int) -> list[str]:
    """AC, AN and AF of one group as INFO items ('all': no suffix)."""
    suffix = "" if code == GroupLevel.ALL.value else f"_{info_key(code)}"
    frequency = f"{allele_count / allele_number:.6g}" if allele_number else MISSING
    return [f"AC{suffix}={allele_count}", f"AN{suffix}={allele_number}", f"AF{suffix}={frequency}"]


_GENOTYPES: Final = {HOMOZYGOUS.id: "1/1", HETEROZYGOUS.id: "0/1", HEMIZYGOUS.id: "1"}


def info_key(code: str) -> str:
    """A group code as part of an INFO key (letters, digits, '_' and '.' only)."""
    return re.sub(r"[^0-9A-Za-z_.]", "_", code)


# A carrier biosample's entry at a variant it does not carry: called, no copy change.
_NOT_CARRIED: Final = {1: "0:.:.", 2: "0/0:.:.", None: "./.:.:."}
_SVTYPE_SIGN: Final = {"DEL": -1, "DUP": 1, "CNV": 1}


class Vcf(Writer):
    """VCFv4.2, one record per distinct variant, one column per carrier biosample (GT from
    the call's zygosity, CN, FT = the call's filters); '.' where a biosample does not carry
    the variant. Calls of one biosample at one variant: the first (by call id) is shown.
    AC, AN and AF as shared.frequencies defines them, over the individuals with data in the
    datasets (AC counts the carriers of the exported calls), overall and (AC_EUR, ...) per
    superpopulation. Every column is a biosample with data: one that does not carry a
    variant is a called non-carrier (0/0, or 0 where its ploidy is 1)."""

    def __init__(
        self,
        context: ExportContext,
        carriers: Sequence[Carrier],
        groups: Mapping[str, Sequence[GroupSize]],
    ) -> None:
        self.context = context
        # Each dataset's groups with data: all individuals, then each superpopulation.
        self.groups = {
            dataset_id: [
                g
                for g in sizes
                if g.level in (GroupLevel.ALL, GroupLevel.SUPERPOPULATION) and g.individuals
            ]
            for dataset_id, sizes in groups.items()
        }
        self.superpopulations = sorted(
            {g.code for sizes in self.groups.values() for g in sizes} - {GroupLevel.ALL.value}
        )
        self.sexes = [c.sex for c in carriers]
        several = len(context.dataset_ids) > 1
        self.columns = {(c.dataset_id, c.biosample_id): index for index, c in enumerate(carriers)}
        self.labels = [
            f"{c.dataset_id}:{c.biosample_id}" if several else c.biosample_id for c in carriers
        ]
        self.grouper = VariantGrouper()

    def header(self) -> str:
        lines = [
            *vcf_meta_lines(self.context),
            '##INFO=<ID=EFO,Number=.,Type=String,Description="EFO copy-number terms of the calls">',
            '##INFO=<ID=NCALLS,Number=1,Type=Integer,Description="Matching calls">',
            *frequency_info_lines(
                self.superpopulations,
                "Alleles of the variant carried by the individuals of its calls",
            ),
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
            '##FORMAT=<ID=CN,Number=1,Type=Float,Description="Copy number">',
            '##FORMAT=<ID=FT,Number=1,Type=String,Description="Filters of the call">',
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
        samples = [
            _NOT_CARRIED[ploidy(key.chrom, key.start, key.end, sex, key.assembly)]
            for sex in self.sexes
        ]
        for call in sorted(variant.calls, key=lambda c: c["_id"], reverse=True):
            column = self.columns.get((call["dataset_id"], call["biosample_id"]))
            if column is None:
                continue
            genotype = _GENOTYPES.get(call.get("zygosity_id") or "", "./1")
            filters = ";".join(call.get("filters") or []) or "."
            samples[column] = f"{genotype}:{cell(call.get('copy_number'))}:{filters}"
        efo = ",".join(sorted({c["efo_id"] for c in variant.calls}))
        length = key.end - key.start
        alleles = self._alleles(variant)
        info = [
            f"END={key.end}",
            f"SVTYPE={key.variant_type}",
            f"SVLEN={_SVTYPE_SIGN[key.variant_type] * length}",
            f"EFO={efo}",
            f"NCALLS={len(variant.calls)}",
        ]
        for code in (GroupLevel.ALL.value, *self.superpopulations):
            info += frequency_info(code, *alleles.get(code, (0, 0)))
        fields = [
            ucsc_chrom(key.chrom),
            str(key.start),
            key.id,
            "N",
            f"<{key.variant_type}>",
            ".",
            ".",
            ";".join(info),
            "GT:CN:FT",
            *samples,
        ]
        return "\t".join(fields) + "\n"

    def _alleles(self, variant: Variant) -> dict[str, tuple[int, int]]:
        """(AC, AN) by group code ('all' and each superpopulation), summed over the
        datasets, each counted by shared.frequencies."""
        key = variant.key
        found: dict[str, tuple[int, int]] = {}
        for dataset_id, sizes in self.groups.items():
            for frequency in variant_frequencies(
                [c for c in variant.calls if c["dataset_id"] == dataset_id],
                sizes,
                chrom=key.chrom,
                start=key.start,
                end=key.end,
                variant_type=key.variant_type,
                assembly=key.assembly,
            ):
                count, number = found.get(frequency.code, (0, 0))
                found[frequency.code] = (
                    count + frequency.allele_count,
                    number + frequency.allele_number,
                )
        return found


EXTENSIONS: Final = {
    Format.JSONL: "jsonl",
    Format.TSV: "tsv",
    Format.BED: "bed",
    Format.VCF: "vcf",
    Format.PGXSEG: "pgxseg",
}
