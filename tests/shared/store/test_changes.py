"""The dataset change log: numbering, reach, and the atomic bump on the real store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cnvbeacon.shared.store.changes import (
    CHANGES_FIELD,
    WITHOUT_CHANGES,
    ChangeKind,
    changes_since,
    record_change,
)
from cnvbeacon.shared.store.client import Database
from cnvbeacon.shared.store.collections import DATASETS

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def _entry(kind: str, *ids: str) -> dict[str, object]:
    return {"kind": kind, "biosample_ids": list(ids), "file_digest": "d", "job_id": None, "at": NOW}


def test_entries_are_numbered_back_from_the_current_version() -> None:
    document = {"data_version": 7, CHANGES_FIELD: [_entry("calls", "A"), _entry("calls", "B")]}
    assert [(c.version, c.biosample_ids) for c in changes_since(document, 5) or []] == [
        (6, ["A"]),
        (7, ["B"]),
    ]
    assert [c.version for c in changes_since(document, 6) or []] == [7]
    assert changes_since(document, 7) == []


def test_a_log_that_does_not_reach_back_is_no_answer() -> None:
    document = {"data_version": 7, CHANGES_FIELD: [_entry("calls", "A")]}
    assert changes_since(document, 5) is None
    assert changes_since(document, 9) is None
    assert changes_since({"data_version": 3}, 0) is None


@pytest.mark.integration
async def test_record_change_bumps_and_logs_in_one_update(database: Database) -> None:
    assert await record_change(database, "d", ChangeKind.DATASET) is None  # no upsert
    first = await record_change(database, "d", ChangeKind.DATASET, upsert=True)
    many = [f"S{n:04d}" for n in range(500)]
    second = await record_change(database, "d", ChangeKind.INDIVIDUALS, biosample_ids=many)
    third = await record_change(
        database, "d", ChangeKind.CALLS, biosample_ids=["S2", "S1"], file_digest="f", job_id="j"
    )
    assert (first, second, third) == (1, 2, 3)
    document = await database[DATASETS].find_one({"_id": "d"})
    assert document is not None
    changes = changes_since(document, 1)
    assert changes is not None
    assert [(c.version, c.kind, c.biosample_ids) for c in changes] == [
        (2, ChangeKind.INDIVIDUALS, None),  # too many to name: all of them
        (3, ChangeKind.CALLS, ["S1", "S2"]),
    ]
    assert changes[-1].file_digest == "f"
    plain = await database[DATASETS].find_one({"_id": "d"}, WITHOUT_CHANGES)
    assert plain is not None
    assert CHANGES_FIELD not in plain
