"""Run the gateway: ``python -m cnvbeacon.gateway`` or ``cnvbeacon-gateway``."""

from __future__ import annotations

from cnvbeacon.gateway.app import create_app
from cnvbeacon.gateway.settings import GatewaySettings
from cnvbeacon.shared.web import run


def main() -> None:
    settings = GatewaySettings()
    run("gateway", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
