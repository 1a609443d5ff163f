"""The change log of a dataset: what each data_version bump changed.

Every write that changes what a dataset's calls say bumps the dataset's `data_version`
and, in the same single-document update, appends a `Change` naming what changed to the
dataset's `changes` array (the last CHANGE_LOG_LENGTH kept). One atomic update means the
log has no gaps: a reader holding version v applies the changes v+1 .. current in order
and is then exactly current; a reader further behind than the log reaches reloads the
dataset. The query service's read model is that reader (cnvbeacon.query.read_model).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict
from pymongo import ReturnDocument

from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import DATASETS

CHANGE_LOG_LENGTH: Final = 2000
# A change naming more biosamples than this names none: it stands for all of them.
MAX_NAMED_BIOSAMPLES: Final = 200
CHANGES_FIELD: Final = "changes"
# Projection that leaves the change log out of a dataset document (every reader but the
# read model's sync wants only the dataset's own fields).
WITHOUT_CHANGES: Final = {CHANGES_FIELD: 0}


class ChangeKind(StrEnum):
    # These biosamples' calls are now the stored calls of the file with this digest.
    CALLS = "calls"
    # These biosamples' individual attributes (individual, sex, populations) changed.
    INDIVIDUALS = "individuals"
    # Anything else: the dataset's calls must be read again.
    DATASET = "dataset"


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int
    kind: ChangeKind
    # None: every biosample of the dataset.
    biosample_ids: list[str] | None = None
    file_digest: str | None = None
    job_id: str | None = None
    at: datetime


async def record_change(
    db: Database,
    dataset_id: str,
    kind: ChangeKind,
    *,
    biosample_ids: Collection[str] | None = None,
    file_digest: str | None = None,
    job_id: str | None = None,
    set_fields: Mapping[str, Any] | None = None,
    set_on_insert: Mapping[str, Any] | None = None,
    upsert: bool = False,
) -> int | None:
    """Bump the dataset's data_version and log the change; returns the new version (None
    when the dataset does not exist and upsert is off)."""
    now = datetime.now(UTC)
    named = sorted(biosample_ids) if biosample_ids is not None else None
    if named is not None and len(named) > MAX_NAMED_BIOSAMPLES:
        named = None
    entry = {
        "kind": kind.value,
        "biosample_ids": named,
        "file_digest": file_digest,
        "job_id": job_id,
        "at": now,
    }
    update: dict[str, Any] = {
        "$inc": {"data_version": 1},
        "$set": {"updated_at": now, **(set_fields or {})},
        # The version is not known before the update: an entry is numbered by its place
        # in the log (see changes_since).
        "$push": {CHANGES_FIELD: {"$each": [entry], "$slice": -CHANGE_LOG_LENGTH}},
    }
    if set_on_insert:
        update["$setOnInsert"] = dict(set_on_insert)
    document = await db[DATASETS].find_one_and_update(
        {"_id": dataset_id},
        update,
        projection={"data_version": 1},
        upsert=upsert,
        return_document=ReturnDocument.AFTER,
    )
    return None if document is None else int(document["data_version"])


def changes_since(document: Mapping[str, Any], version: int) -> list[Change] | None:
    """The changes after `version` up to the document's data_version, oldest first; None
    when the log no longer reaches back that far (or the version is ahead of the log).

    The log's last entry is the change that made the current version, so entry i of n
    made version data_version - (n - 1 - i).
    """
    current = int(document.get("data_version", 0))
    if version == current:
        return []
    log = list(document.get(CHANGES_FIELD) or [])
    wanted = current - version
    if wanted < 0 or wanted > len(log):
        return None
    first_version = current - len(log) + 1
    return [
        Change.model_validate({**entry, "version": first_version + index})
        for index, entry in enumerate(log)
        if first_version + index > version
    ]
