"""A random cohort for the query tests, stored once per test module, and brute force.

Calls of two GRCh38 datasets on chromosome 1 and 2: mostly short, some longer than 10 Mb,
some touching either chromosome end; shared breakpoints (so distinct variants group
several calls); random attributes, copy numbers (some missing) and filters.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from pymongo import AsyncMongoClient

from cnvbeacon.ingest import call_writer
from cnvbeacon.query.app import create_app
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.intervals import length_class
from cnvbeacon.shared.models import CnvCall
from cnvbeacon.shared.reference import chromosome_length
from cnvbeacon.shared.store.client import Database, MongoClient
from cnvbeacon.shared.store.collections import ensure_indexes
from cnvbeacon.shared.vocabulary import Direction, classify_copy_number
from tests.support.services import read_model_directory, serve, wait_ready

DATASETS = ("cohort-a", "cohort-b")
CHROMS = ("1", "2")
LENGTHS = {c: chromosome_length(c, "GRCh38") for c in CHROMS}
SPAN = 40_000_000  # most calls start in the first 40 Mb, so windows hit many
POPULATIONS = {"GBR": "EUR", "FIN": "EUR", "YRI": "AFR", "CHB": "EAS"}


def _length(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.04:
        return rng.randrange(10_000_001, 25_000_000)
    if roll < 0.07:
        return rng.randrange(1, 100)
    return int(10 ** rng.uniform(2, 6.5))


def random_calls(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    samples = [f"NA{n:05d}" for n in range(30)]
    attributes = {
        s: (rng.choice(["female", "male", None]), rng.choice([*POPULATIONS, None])) for s in samples
    }
    sites: list[tuple[str, int, int]] = []
    calls = []
    for index in range(count):
        if sites and rng.random() < 0.3:
            chrom, start, end = rng.choice(sites)  # a shared variant
        else:
            chrom = rng.choice(CHROMS)
            length = min(_length(rng), LENGTHS[chrom] - 1)
            start = rng.choice(
                [0, LENGTHS[chrom] - length, *(rng.randrange(0, SPAN) for _ in range(8))]
            )
            end = start + length
            sites.append((chrom, start, end))
        dataset = rng.choice(DATASETS)
        sample = rng.choice(samples)
        sex, population = attributes[sample]
        direction = rng.choice([Direction.LOSS, Direction.LOSS, Direction.GAIN, Direction.UNKNOWN])
        copy_number = None if rng.random() < 0.1 else float(rng.choice([0, 1, 3, 4, 5]))
        is_pass = rng.random() < 0.6
        calls.append(
            {
                "_id": f"{dataset}:{index:06d}",
                "dataset_id": dataset,
                "assembly": "GRCh38",
                "chrom": chrom,
                "start": start,
                "end": end,
                "length": end - start,
                "length_class": length_class(end - start),
                "variant_type": direction.value,
                "efo_id": classify_copy_number(direction, copy_number, 2),
                "copy_number": copy_number,
                "copy_ratio": None if copy_number is None else copy_number / 2,
                "genotype": "0/1",
                "zygosity_id": "GENO:0000135",
                "quality": 30.0,
                "filters": ["PASS"] if is_pass else ["cnvQual"],
                "is_pass": is_pass,
                "vcf_id": None,
                "biosample_id": sample,
                "individual_id": sample,
                "sex": sex,
                "population": population,
                "superpopulation": POPULATIONS.get(population or ""),
                "file_digest": "0" * 64,
                "job_id": "job-test",
                "source_line": index + 1,
            }
        )
    return calls


def individuals(calls: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Registry rows per dataset, as the ingest API would load them (names included)."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for call in calls:
        rows.setdefault(call["dataset_id"], {})[call["biosample_id"]] = {
            "individual_id": call["individual_id"],
            "biosample_ids": [call["biosample_id"]],
            "sex": call["sex"] or "unknown",
            "population": call["population"],
            "population_name": f"name of {call['population']}" if call["population"] else None,
            "superpopulation": call["superpopulation"],
            "superpopulation_name": None,
        }
    return {d: list(r.values()) for d, r in rows.items()}


@dataclass
class StoredCohort:
    database: Database
    calls: list[dict[str, Any]]
    url: str  # a query service, caught up with the cohort
    replica_url: str  # a second replica with its own read model


async def store_cohort(db: Database, calls: list[dict[str, Any]]) -> None:
    await ensure_indexes(db)
    for call in calls[:5]:
        CnvCall.model_validate(call)
    for dataset in DATASETS:
        rows = [c for c in calls if c["dataset_id"] == dataset]
        # Individuals first, then calls: the stored calls keep their own attributes.
        await call_writer.insert_calls(db, dataset, rows)
        await call_writer.touch_dataset(db, dataset, "GRCh38")
    for dataset, rows in individuals(calls).items():
        registered = [r for r in rows if r["individual_id"] != "NA00029"]  # one unregistered
        await db["individuals"].insert_many(
            [
                {"_id": f"{dataset}:{r['individual_id']}", "dataset_id": dataset, **r}
                for r in registered
            ]
        )


@asynccontextmanager
async def cohort_services(mongodb_url: str, seed: int, count: int) -> AsyncIterator[StoredCohort]:
    """A private database holding the cohort, and two query replicas over it."""
    name = f"cnvb_test_{uuid.uuid4().hex[:12]}"
    client: MongoClient = AsyncMongoClient(mongodb_url, tz_aware=True)
    calls = random_calls(seed, count)
    try:
        await store_cohort(client[name], calls)
        common = {
            "mongodb_url": mongodb_url,
            "mongodb_database": name,
            "log_json": False,
            "max_page_size": 100_000,
        }
        first, second = (
            create_app(
                QuerySettings.model_validate(
                    {**common, "read_model_directory": read_model_directory()}
                )
            )
            for _ in range(2)
        )
        async with serve(first) as url, serve(second) as replica_url:
            async with ClientSession() as session:
                for service in (url, replica_url):
                    await wait_ready(session, service)
            yield StoredCohort(client[name], calls, url, replica_url)
    finally:
        await client.drop_database(name)
        await client.close()


LOSS = frozenset({"EFO:0030067", "EFO:0030068", "EFO:0030069"})
GAIN = frozenset({"EFO:0030070", "EFO:0030071", "EFO:0030072", "EFO:0030073"})
# Written out here, not taken from the vocabulary module: the tests' own definition.
VARIANT_TYPE_TERMS = {
    "DEL": LOSS,
    "DUP": GAIN,
    "CNV": LOSS | GAIN | {"EFO:0030066"},
    "EFO:0030067": LOSS,
    "EFO:0030070": GAIN,
    "EFO:0030072": frozenset({"EFO:0030072", "EFO:0030073"}),
    "SO:0001743": LOSS,
    "SO:0001742": GAIN,
}


@dataclass(frozen=True)
class Query:
    """A lookup as request parameters, and its definition evaluated call by call."""

    chrom: str
    start: int
    end: int
    match: str = "overlap"
    start_max: int | None = None
    end_min: int | None = None
    datasets: tuple[str, ...] = ()
    variant_type: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_copy_number: float | None = None
    max_copy_number: float | None = None
    pass_only: bool = False
    biosample_ids: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    superpopulations: tuple[str, ...] = ()

    def params(self) -> dict[str, str]:
        given: dict[str, object] = {
            "chrom": f"chr{self.chrom}",
            "start": self.start,
            "end": self.end,
            "match": self.match,
            "start_max": self.start_max,
            "end_min": self.end_min,
            "datasets": ",".join(self.datasets),
            "variant_type": self.variant_type,
            "min_length": self.min_length,
            "max_length": self.max_length,
            "min_copy_number": self.min_copy_number,
            "max_copy_number": self.max_copy_number,
            "pass_only": "true" if self.pass_only else None,
            "biosample_id": ",".join(self.biosample_ids),
            "sex": ",".join(self.sexes),
            "population": ",".join(self.populations),
            "superpopulation": ",".join(self.superpopulations),
        }
        return {k: str(v) for k, v in given.items() if v not in (None, "")}

    def _in_window(self, start: int, end: int) -> bool:
        s, e = self.start, self.end
        match self.match:
            case "overlap":
                # A zero-length window is a position: calls covering bases on both sides.
                return start < s < end if s == e else start < e and end > s
            case "contained":
                return s <= start and end <= e
            case "spanning":
                return start <= s and e <= end
            case "exact":
                return (start, end) == (s, e)
            case "bracket":
                assert self.start_max is not None
                assert self.end_min is not None
                return s <= start < self.start_max and self.end_min <= end < e
        raise AssertionError(self.match)

    def accepts(self, call: dict[str, Any]) -> bool:
        cn = call["copy_number"]
        return (
            call["chrom"] == self.chrom
            and (not self.datasets or call["dataset_id"] in self.datasets)
            and self._in_window(call["start"], call["end"])
            and (
                self.variant_type is None or call["efo_id"] in VARIANT_TYPE_TERMS[self.variant_type]
            )
            and (self.min_length is None or call["end"] - call["start"] >= self.min_length)
            and (self.max_length is None or call["end"] - call["start"] <= self.max_length)
            and (self.min_copy_number is None or (cn is not None and cn >= self.min_copy_number))
            and (self.max_copy_number is None or (cn is not None and cn <= self.max_copy_number))
            and (not self.pass_only or call["is_pass"])
            and (not self.biosample_ids or call["biosample_id"] in self.biosample_ids)
            and (not self.sexes or call["sex"] in self.sexes)
            and (not self.populations or call["population"] in self.populations)
            and (not self.superpopulations or call["superpopulation"] in self.superpopulations)
        )


def sort_key(call: dict[str, Any]) -> tuple[int, int, str]:
    return (call["start"], call["end"], call["_id"])


def brute_force(calls: Iterable[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """Matching calls by the definition (no index, no length class), in result order."""
    return sorted((c for c in calls if query.accepts(c)), key=sort_key)


def expected_counts(matching: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "calls": len(matching),
        "variants": len({(c["chrom"], c["start"], c["end"], c["variant_type"]) for c in matching}),
        "biosamples": len({(c["dataset_id"], c["biosample_id"]) for c in matching}),
        "individuals": len({(c["dataset_id"], c["individual_id"]) for c in matching}),
    }


def expected_variants(matching: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(variant id, its call ids) ordered by (start, end, type DEL < DUP < CNV)."""
    order = {"DEL": 0, "DUP": 1, "CNV": 2}
    groups: dict[tuple[str, int, int, str], list[str]] = {}
    for call in matching:
        key = (call["chrom"], call["start"], call["end"], call["variant_type"])
        groups.setdefault(key, []).append(call["_id"])
    ordered = sorted(groups, key=lambda k: (k[1], k[2], order[k[3]]))
    return [(f"GRCh38:{k[0]}:{k[1]}-{k[2]}:{k[3]}", groups[k]) for k in ordered]
