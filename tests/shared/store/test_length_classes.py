"""Stored length-class maxima against the real store: they only ever grow."""

from __future__ import annotations

import pytest

from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database

pytestmark = pytest.mark.integration


async def test_maxima_grow_and_never_shrink(database: Database) -> None:
    await length_classes.raise_maxima(database, "d", {("1", 3): 5000, ("2", 4): 20000})
    await length_classes.raise_maxima(database, "d", {("1", 3): 4000, ("1", 5): 300000})
    await length_classes.raise_maxima(database, "d", {("1", 3): 9999})
    await length_classes.raise_maxima(database, "other", {("1", 3): 1000})
    assert await length_classes.maxima_for(database, ["d", "other"], "1") == {
        "d": {3: 9999, 5: 300000},
        "other": {3: 1000},
    }
    assert await length_classes.maxima_for(database, ["d"], "2") == {"d": {4: 20000}}


async def test_known_maxima_skip_what_is_stored_and_still_raise_what_grows(
    database: Database,
) -> None:
    known = length_classes.KnownMaxima()
    await length_classes.raise_maxima(database, "d", {("1", 3): 5000}, known)
    # Stored behind the writer's back (another worker): a covered batch does not look.
    await database["length_class_max"].update_one({"_id": "d|1|3"}, {"$set": {"max_length": 7000}})
    await length_classes.raise_maxima(database, "d", {("1", 3): 4000}, known)
    assert await length_classes.maxima_for(database, ["d"], "1") == {"d": {3: 7000}}
    # A longer call than the writer knows of is written, never lowering the stored value.
    await length_classes.raise_maxima(database, "d", {("1", 3): 6000, ("1", 4): 20000}, known)
    assert await length_classes.maxima_for(database, ["d"], "1") == {"d": {3: 7000, 4: 20000}}
    # ...and the writer learnt both the stored value and its own.
    assert known.covers({"d|1|3": 7000, "d|1|4": 20000})
    assert not known.covers({"d|1|3": 7001})
    assert not known.covers({"d|2|3": 1})
