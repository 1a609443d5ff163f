"""Collection names and their indexes, created idempotently at start-up."""

from __future__ import annotations

from typing import Final

from pymongo import ASCENDING, IndexModel

from cnvbeacon.shared.store.client import Database

CALLS: Final = "calls"
JOBS: Final = "jobs"
BATCHES: Final = "batches"
DATASETS: Final = "datasets"
INDIVIDUALS: Final = "individuals"
LENGTH_CLASS_MAX: Final = "length_class_max"
INBOX_FILES: Final = "inbox_files"
UPLOADS_BUCKET: Final = "uploads"
UPLOAD_DIGESTS: Final = "upload_digests"  # content digest -> the stored upload's file id
LEASES: Final = "leases"  # work one replica at a time does (the ingest reconciler)
ANALYSES: Final = "analyses"

INDEXES: Final[dict[str, list[IndexModel]]] = {
    CALLS: [
        # The overlap index: equality on dataset, chromosome and length class, one range on
        # start (see shared.intervals). It is the only shape SecantusDB and mongod both
        # answer with a tight index scan.
        IndexModel(
            [
                ("dataset_id", ASCENDING),
                ("chrom", ASCENDING),
                ("length_class", ASCENDING),
                ("start", ASCENDING),
            ],
            name="overlap",
        ),
        # Replacing a biosample's calls when a new file for it arrives.
        IndexModel(
            [("dataset_id", ASCENDING), ("biosample_id", ASCENDING), ("file_digest", ASCENDING)],
            name="biosample",
        ),
    ],
    JOBS: [
        IndexModel([("batch_id", ASCENDING), ("created_at", ASCENDING)], name="batch"),
        IndexModel([("state", ASCENDING), ("created_at", ASCENDING)], name="state"),
    ],
    INDIVIDUALS: [
        IndexModel([("dataset_id", ASCENDING), ("individual_id", ASCENDING)], name="individual"),
        IndexModel([("dataset_id", ASCENDING), ("biosample_ids", ASCENDING)], name="biosamples"),
    ],
    ANALYSES: [
        # Population analyses: one "run" document per (dataset, variant) naming its current
        # run_id, and that run's "part" documents (result tables in chunks), which are found
        # and removed by this equality prefix.
        IndexModel(
            [("dataset_id", ASCENDING), ("kind", ASCENDING), ("run_id", ASCENDING)],
            name="analysis_parts",
        ),
    ],
    LENGTH_CLASS_MAX: [],
    BATCHES: [],
    DATASETS: [],
    UPLOAD_DIGESTS: [],
    LEASES: [],
}


async def ensure_indexes(db: Database) -> None:
    """Create every index we rely on; a no-op when they already exist."""
    for collection, indexes in INDEXES.items():
        if indexes:
            await db[collection].create_indexes(indexes)
