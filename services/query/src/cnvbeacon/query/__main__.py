"""Run the query service: ``python -m cnvbeacon.query`` or ``cnvbeacon-query``."""

from __future__ import annotations

from cnvbeacon.query.app import create_app
from cnvbeacon.query.settings import QuerySettings
from cnvbeacon.shared.web import run


def main() -> None:
    settings = QuerySettings()
    run("query", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
