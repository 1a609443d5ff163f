"""The web UI: plain HTML, CSS and JavaScript modules (``static/``), served by :mod:`routes`."""
