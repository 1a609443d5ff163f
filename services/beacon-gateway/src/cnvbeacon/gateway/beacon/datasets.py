"""Dataset records (models/.../datasets/defaultSchema.json) from stored documents.

``info`` carries what the schema has no member for: the assembly of the calls, whether
the data are synthetic, and the data version (bumped whenever calls change).
"""

from __future__ import annotations

from collections.abc import Mapping

from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.timestamps import format_timestamp
from cnvbeacon.shared.models import Dataset


def build_dataset(document: Mapping[str, object]) -> JsonObject:
    """The Beacon record of a stored :class:`Dataset` document.

    Raises ``pydantic.ValidationError`` for a document that is not one.
    """
    dataset = Dataset.model_validate(document)
    record: JsonObject = {
        "id": dataset.id,
        "name": dataset.name,
        "createDateTime": format_timestamp(dataset.created_at),
        "updateDateTime": format_timestamp(dataset.updated_at),
        "info": {
            "assembly": dataset.assembly,
            "synthetic": dataset.synthetic,
            "dataVersion": dataset.data_version,
        },
    }
    if dataset.description:
        record["description"] = dataset.description
    return record
