"""Run the ingest service: ``python -m cnvbeacon.ingest`` or ``cnvbeacon-ingest``."""

from __future__ import annotations

from cnvbeacon.ingest.app import create_app
from cnvbeacon.ingest.settings import IngestSettings
from cnvbeacon.shared.web import run


def main() -> None:
    settings = IngestSettings()
    run("ingest", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
