"""docker-compose.yml checked statically (no Docker engine here): services, images, env,
health-gated start order, ports, and the same commands the local stack runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import localstack
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"ingest": 8082, "query": 8081, "gateway": 8080}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_backing_services_use_real_images_with_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    mongo_image = services["mongo"]["image"]
    assert mongo_image.startswith("mongo:")
    assert int(mongo_image.split(":")[1].split(".")[0]) in (7, 8)
    rabbit_image = services["rabbitmq"]["image"]
    major, minor = rabbit_image.split(":")[1].split("-")[0].split(".")[:2]
    assert (int(major), int(minor)) >= (3, 13)
    assert "management" in rabbit_image
    for name in ("mongo", "rabbitmq"):
        assert services[name]["healthcheck"]["test"]
    assert "mongo-data" in compose["volumes"]
    assert any(v.startswith("mongo-data:") for v in services["mongo"]["volumes"])


@pytest.mark.parametrize(("name", "port"), SERVICES.items())
def test_service_definition(compose: dict[str, Any], name: str, port: int) -> None:
    service = compose["services"][name]
    assert service["build"]["target"] == name
    assert service["command"] == ["python", "-m", f"cnvbeacon.{name}"]
    assert service["command"][1:] == localstack.service_command(name)[1:]
    env = service["environment"]
    assert env["CNVB_PORT"] == str(port)
    assert env["CNVB_MONGODB_URL"].startswith("mongodb://mongo:27017")
    assert env["CNVB_AMQP_URL"].startswith("amqp://")
    assert "@rabbitmq:5672" in env["CNVB_AMQP_URL"]
    assert f"{port}:{port}" in service["ports"]
    for dependency in ("mongo", "rabbitmq"):
        assert service["depends_on"][dependency]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(service["healthcheck"]["test"])
    assert f":{port}/readyz" in " ".join(service["healthcheck"]["test"])


def test_gateway_reaches_the_other_services_by_name(compose: dict[str, Any]) -> None:
    gateway = compose["services"]["gateway"]
    assert gateway["environment"]["CNVB_QUERY_URL"] == "http://query:8081"
    assert gateway["environment"]["CNVB_INGEST_URL"] == "http://ingest:8082"
    assert gateway["depends_on"]["query"]["condition"] == "service_healthy"


def test_dockerfile_targets_run_the_same_commands() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for name in SERVICES:
        assert f"FROM base AS {name}" in dockerfile
        assert f'CMD ["python", "-m", "cnvbeacon.{name}"]' in dockerfile
    assert "secantus" not in dockerfile.lower().replace("no secantusdb", "")
