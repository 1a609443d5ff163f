"""The OpenAPI document kept in the repo describes the routes and parameters the service has."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import ClientSession
from jsonschema import Draft202012Validator

from cnvbeacon.query import api, read_model_api
from cnvbeacon.query.api import openapi_document
from cnvbeacon.query.app import create_app
from cnvbeacon.query.params import (
    ATTRIBUTE_PARAMETERS,
    CALL_PARAMETERS,
    LOOKUP_PARAMETERS,
    PAGE_PARAMETERS,
    REGION_OPTIONS,
    SAMPLE_FILTER_PARAMETERS,
    VARIANT_PARAMETERS,
)
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.web import base_app
from tests.conftest import Backends
from tests.support.services import read_model_directory, serve


def parameters(document: dict[str, Any], path: str) -> set[str]:
    names = set()
    for parameter in document["paths"][path]["get"].get("parameters", []):
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].split("/")[-1]]
        if parameter["in"] == "query":
            names.add(parameter["name"])
    return names


def test_every_route_is_documented() -> None:
    """The lookup API's routes (and the health routes every service has); the population
    analyses mounted in the same app document their own."""
    document = openapi_document()
    app = base_app(QuerySettings())
    api.add_routes(app)
    read_model_api.add_routes(app)
    routes = {
        route.resource.canonical
        for route in app.router.routes()
        if route.method in ("GET", "POST") and route.resource is not None
    }
    assert routes == set(document["paths"])
    served = {r.resource.canonical for r in create_app().router.routes() if r.resource}
    assert routes <= served


def test_documented_parameters_are_the_accepted_ones() -> None:
    document = openapi_document()
    lookup = set(LOOKUP_PARAMETERS)
    assert parameters(document, "/calls") == (
        lookup | PAGE_PARAMETERS | CALL_PARAMETERS | {"format"}
    )
    assert parameters(document, "/variants") == (
        lookup | PAGE_PARAMETERS | VARIANT_PARAMETERS | {"format"}
    )
    assert parameters(document, "/counts") == lookup
    assert parameters(document, "/variant_regions") == (
        (lookup - SAMPLE_FILTER_PARAMETERS) | PAGE_PARAMETERS | REGION_OPTIONS | {"format"}
    )
    # Registry listings accept a subset of the carrier lookups' parameters.
    for path in ("/biosamples", "/individuals"):
        assert parameters(document, path) == lookup | PAGE_PARAMETERS
        assert ATTRIBUTE_PARAMETERS | PAGE_PARAMETERS | {"datasets"} <= parameters(document, path)
    assert parameters(document, "/biosamples/{id}/calls") == (
        PAGE_PARAMETERS | CALL_PARAMETERS | {"datasets"}
    )


def test_schemas_are_valid_json_schema() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.integration
async def test_served_at_openapi_json(backends_env: Backends) -> None:
    settings = QuerySettings.model_validate(
        {
            "mongodb_url": backends_env.mongodb_url,
            "mongodb_database": backends_env.database,
            "read_model_directory": read_model_directory(),
        }
    )
    async with (
        serve(create_app(settings)) as url,
        ClientSession() as session,
        session.get(f"{url}/openapi.json") as response,
    ):
        assert response.status == 200
        assert await response.json() == openapi_document()
