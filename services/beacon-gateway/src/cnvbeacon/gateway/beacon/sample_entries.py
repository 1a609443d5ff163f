"""Runs and analyses (models/.../runs|analyses/defaultSchema.json) of the sampled biosamples.

The store holds one call set per biosample and dataset (a new file replaces the old one),
the output of one sequencing run analysed by one CNV-calling pipeline. So each biosample
with calls has exactly one run and one analysis, named after it: ``HG00096.run`` and
``HG00096.cnv``. Neither the sequencing date nor the calling date is recorded by the
source VCFs we ingest; the schemas require both, so both carry the date the calls entered
the dataset (its creation), and ``info.dateOf`` says so.
"""

from __future__ import annotations

from datetime import date

from cnvbeacon.gateway.beacon.entry_types import ANALYSIS, RUN, EntryType
from cnvbeacon.gateway.beacon.json_types import JsonObject

RUN_SUFFIX = ".run"
ANALYSIS_SUFFIX = ".cnv"
_SUFFIXES = {RUN.id: RUN_SUFFIX, ANALYSIS.id: ANALYSIS_SUFFIX}
PIPELINE_NAME = "germline copy-number calling (calls as published in the sample's VCF)"
DATE_NOTE = "date the calls entered this dataset: the source VCFs record no run or calling date"


def run_id(biosample_id: str) -> str:
    return f"{biosample_id}{RUN_SUFFIX}"


def analysis_id(biosample_id: str) -> str:
    return f"{biosample_id}{ANALYSIS_SUFFIX}"


def biosample_of(entry_type: EntryType, entry_id: str) -> str | None:
    """The biosample id a run or analysis id names; ``None`` if it is not one of ours."""
    suffix = _SUFFIXES[entry_type.id]
    biosample = entry_id.removesuffix(suffix)
    return biosample if biosample != entry_id and biosample else None


def build_run(biosample_id: str, individual_id: str, recorded: date) -> JsonObject:
    return {
        "id": run_id(biosample_id),
        "biosampleId": biosample_id,
        "individualId": individual_id,
        "runDate": recorded.isoformat(),
        "info": {"dateOf": DATE_NOTE},
    }


def build_analysis(biosample_id: str, individual_id: str, recorded: date) -> JsonObject:
    return {
        "id": analysis_id(biosample_id),
        "runId": run_id(biosample_id),
        "biosampleId": biosample_id,
        "individualId": individual_id,
        "analysisDate": recorded.isoformat(),
        "pipelineName": PIPELINE_NAME,
        "info": {"dateOf": DATE_NOTE},
    }
