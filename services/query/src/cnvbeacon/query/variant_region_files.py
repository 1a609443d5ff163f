"""Variant regions as files: TSV (frequencies overall and per superpopulation), BED9 (the
span, with the founding interval thick), a sites-only VCF (one record per region and
direction carried, with INFO AC/AN/AF overall and per superpopulation) and JSON lines
(every group, as the JSON answer). Coordinates as the exports': 0-based half-open, VCF POS
the padding base."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from cnvbeacon.query.exports import (
    ExportContext,
    Format,
    comment_lines,
    frequency_info,
    frequency_info_lines,
    track_line,
    vcf_meta_lines,
)
from cnvbeacon.query.views import dumps
from cnvbeacon.shared.colours import GAIN, LOSS, OTHER, rgb
from cnvbeacon.shared.formats import MISSING, cell, ucsc_chrom
from cnvbeacon.shared.frequencies import GroupLevel
from cnvbeacon.shared.vocabulary import Direction

REGION_FORMATS: Final = (Format.TSV, Format.BED, Format.VCF, Format.JSONL)
REGION_COLUMNS: Final = (
    "id",
    "dataset_id",
    "chrom",
    "start",
    "end",
    "span_start",
    "span_end",
    "class",
    "calls",
    "carriers",
    "min_length",
    "max_length",
)
_GROUP_COLUMNS: Final = (
    ("individuals", None, "individuals"),
    ("loss_carriers", "loss", "carriers"),
    ("loss_carrier_frequency", "loss", "carrier_frequency"),
    ("loss_allele_frequency", "loss", "allele_frequency"),
    ("gain_carriers", "gain", "carriers"),
    ("gain_carrier_frequency", "gain", "carrier_frequency"),
    ("gain_allele_frequency", "gain", "allele_frequency"),
)
_CLASS_COLOURS: Final = {"deletion": LOSS, "duplication": GAIN}
_SVTYPES: Final = {"loss": Direction.LOSS.value, "gain": Direction.GAIN.value}


def _summary_groups(region: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A region's 'all' and superpopulation groups, by code."""
    return {
        g["code"]: g
        for g in region["groups"]
        if g["level"] in (GroupLevel.ALL.value, GroupLevel.SUPERPOPULATION.value)
    }


class RegionWriter:
    """Header once, then the text of each batch of region views."""

    def __init__(self, context: ExportContext, superpopulations: Sequence[str]) -> None:
        self.context = context
        self.codes = [GroupLevel.ALL.value, *superpopulations]

    def header(self) -> str:
        return ""

    def batch(self, regions: Sequence[Mapping[str, Any]]) -> str:
        raise NotImplementedError


class RegionJsonLines(RegionWriter):
    def batch(self, regions: Sequence[Mapping[str, Any]]) -> str:
        return "".join(dumps(region) + "\n" for region in regions)


class RegionTsv(RegionWriter):
    def header(self) -> str:
        columns = [
            *REGION_COLUMNS,
            *(f"{code}_{name}" for code in self.codes for name, _, _ in _GROUP_COLUMNS),
        ]
        return comment_lines(self.context) + "\t".join(columns) + "\n"

    def batch(self, regions: Sequence[Mapping[str, Any]]) -> str:
        lines = []
        for region in regions:
            groups = _summary_groups(region)
            cells = [cell(region[name]) for name in REGION_COLUMNS]
            for code in self.codes:
                group = groups.get(code)
                for _, direction, field in _GROUP_COLUMNS:
                    if group is None:
                        cells.append(MISSING)
                        continue
                    value = group[field] if direction is None else group[direction][field]
                    cells.append(cell(value))
            lines.append("\t".join(cells) + "\n")
        return "".join(lines)


class RegionBed(RegionWriter):
    """BED9: the region's span, the founding interval thick, named class:carriers."""

    def header(self) -> str:
        return track_line(self.context, "variant regions")

    def batch(self, regions: Sequence[Mapping[str, Any]]) -> str:
        lines = []
        for region in regions:
            colour = rgb(_CLASS_COLOURS.get(region["class"], OTHER))
            name = f"{region['class']}:{region['carriers']}"
            lines.append(
                f"{ucsc_chrom(region['chrom'])}\t{region['span_start']}\t{region['span_end']}"
                f"\t{name}\t0\t.\t{region['start']}\t{region['end']}\t{colour}\n"
            )
        return "".join(lines)


class RegionVcf(RegionWriter):
    """Sites only: per region, a <DEL> record if it has loss carriers and a <DUP> record if
    gain carriers, at its founding interval, with AC/AN/AF overall and per superpopulation
    (shared.frequencies, over the region's dataset)."""

    def header(self) -> str:
        lines = [
            *vcf_meta_lines(self.context),
            '##INFO=<ID=REGION_START,Number=1,Type=Integer,Description="Start of the span '
            "of the region's calls (0-based)\">",
            '##INFO=<ID=REGION_END,Number=1,Type=Integer,Description="End of the span of '
            "the region's calls\">",
            '##INFO=<ID=CLASS,Number=1,Type=String,Description="Class of the variant region">',
            '##INFO=<ID=NCALLS,Number=1,Type=Integer,Description="Calls in the region">',
            '##INFO=<ID=NCARRIERS,Number=1,Type=Integer,Description="Individuals carrying '
            'the direction of the record in the region">',
            *frequency_info_lines(
                self.codes[1:], "Alleles of this direction carried in the region"
            ),
            "\t".join(("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")),
        ]
        return "\n".join(lines) + "\n"

    def batch(self, regions: Sequence[Mapping[str, Any]]) -> str:
        lines = []
        for region in regions:
            groups = _summary_groups(region)
            everyone = groups.get(GroupLevel.ALL.value)
            for direction, svtype in _SVTYPES.items():
                carriers = everyone[direction]["carriers"] if everyone else 0
                if not carriers:
                    continue
                length = region["end"] - region["start"]
                info = [
                    f"END={region['end']}",
                    f"SVTYPE={svtype}",
                    f"SVLEN={-length if svtype == Direction.LOSS.value else length}",
                    f"REGION_START={region['span_start']}",
                    f"REGION_END={region['span_end']}",
                    f"CLASS={region['class'].replace('+', '_')}",
                    f"NCALLS={region['calls']}",
                    f"NCARRIERS={carriers}",
                ]
                for code in self.codes:
                    group = groups.get(code)
                    counts = group[direction] if group else {}
                    info += frequency_info(
                        code, counts.get("allele_count", 0), counts.get("allele_number", 0)
                    )
                fields = [
                    ucsc_chrom(region["chrom"]),
                    str(region["start"]),
                    f"{region['id']}:{svtype}",
                    "N",
                    f"<{svtype}>",
                    ".",
                    ".",
                    ";".join(info),
                ]
                lines.append("\t".join(fields) + "\n")
        return "".join(lines)


REGION_WRITERS: Final[dict[Format, type[RegionWriter]]] = {
    Format.TSV: RegionTsv,
    Format.BED: RegionBed,
    Format.VCF: RegionVcf,
    Format.JSONL: RegionJsonLines,
}
