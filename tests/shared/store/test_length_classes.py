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
