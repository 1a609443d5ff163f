"""The gateway's OpenAPI document: a well-formed OpenAPI 3.1 document of exactly the routes
the app registers."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from cnvbeacon.gateway.app import create_app
from cnvbeacon.gateway.public_api import openapi_document
from cnvbeacon.gateway.settings import GatewaySettings
from cnvbeacon.gateway.web import routes as web_ui

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"{([^}]+)}")


def resolve(document: dict[str, Any], value: Any) -> Any:
    """An object with its local ``$ref`` followed (``KeyError`` if it dangles)."""
    while isinstance(value, dict) and "$ref" in value and value["$ref"].startswith("#/"):
        target: Any = document
        for part in value["$ref"][2:].split("/"):
            target = target[part]
        value = target
    return value


def local_refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in local_refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in local_refs(item)]
    return []


def structure_problems(document: dict[str, Any]) -> list[str]:
    """What makes the document not a usable OpenAPI 3.1 description."""
    problems = []
    if not str(document.get("openapi", "")).startswith("3.1"):
        problems.append("openapi is not 3.1.x")
    info = document.get("info", {})
    if not info.get("title") or not info.get("version"):
        problems.append("info needs title and version")
    for ref in local_refs(document):
        if ref.startswith("#/"):
            try:
                resolve(document, {"$ref": ref})
            except KeyError:
                problems.append(f"dangling reference {ref}")
    for path, raw_item in document.get("paths", {}).items():
        if not path.startswith("/"):
            problems.append(f"{path}: paths start with /")
        try:
            item = resolve(document, raw_item)
        except KeyError:
            continue
        operations = {m: op for m, op in item.items() if m in METHODS}
        if not operations:
            problems.append(f"{path}: no operation")
        for method, operation in operations.items():
            if not operation.get("responses"):
                problems.append(f"{path} {method}: no responses")
            declared = {
                resolve(document, p)["name"]
                for p in [*item.get("parameters", []), *operation.get("parameters", [])]
                if resolve(document, p)["in"] == "path"
            }
            if declared != set(_TEMPLATE.findall(path)):
                problems.append(f"{path} {method}: path parameters {sorted(declared)}")
    return problems


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in resolve(document, item)
        if method in METHODS
    }


# The web UI's HTML pages and static files are not API operations.
UI_PATHS = frozenset({*web_ui.PAGES, "/static/{path}", "/favicon.ico"})


def routed_operations() -> set[tuple[str, str]]:
    app = create_app(GatewaySettings())
    return {
        (route.resource.canonical, route.method)
        for route in app.router.routes()
        if route.resource is not None
        and route.method != "HEAD"
        and route.resource.canonical not in UI_PATHS
    }


def test_the_document_is_well_formed_openapi_3_1() -> None:
    assert structure_problems(openapi_document()) == []


def test_every_route_is_documented_and_every_documented_path_is_routed() -> None:
    documented, routed = documented_operations(openapi_document()), routed_operations()
    assert routed - documented == set(), "routes missing from the document"
    assert documented - routed == set(), "documented operations the app does not have"
    assert ("/api/g_variants/{id}/biosamples", "POST") in routed
    assert ("/api/exports/variants", "GET") in routed


def test_the_checks_catch_a_broken_document() -> None:
    broken = copy.deepcopy(openapi_document())
    del broken["paths"]["/api/resolve"]
    broken["paths"]["/api/genes/suggest"]["get"]["responses"] = {}
    broken["paths"]["/api/query/analyses/{path}"]["parameters"] = []
    broken["paths"]["/api/map"] = {"$ref": "#/components/pathItems/Nothing"}
    problems = structure_problems(broken)
    assert "/api/genes/suggest get: no responses" in problems
    assert "/api/query/analyses/{path} get: path parameters []" in problems
    assert "dangling reference #/components/pathItems/Nothing" in problems
    assert ("/api/resolve", "GET") in routed_operations() - documented_operations(
        {**broken, "paths": {k: v for k, v in broken["paths"].items() if k != "/api/map"}}
    )


@pytest.mark.parametrize("path", ["/api/g_variants", "/api/individuals/{id}/g_variants"])
def test_beacon_entry_paths_take_get_and_post_with_the_beacon_parameters(path: str) -> None:
    document = openapi_document()
    item = resolve(document, document["paths"][path])
    names = {resolve(document, p)["name"] for p in item["get"]["parameters"]}
    assert {"referenceName", "start", "end", "variantType", "filters", "skip", "limit"} <= names
    assert "requestBody" in item["post"]
