from __future__ import annotations

import json
import logging

from cnvbeacon.shared import logs


def test_json_lines_carry_ids_and_extra_fields() -> None:
    formatter = logs.JsonFormatter("ingest")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.rows = 5
    token = logs.job_id.set("job-1")
    try:
        line = json.loads(formatter.format(record))
    finally:
        logs.job_id.reset(token)
    assert line["message"] == "hello world"
    assert line["service"] == "ingest"
    assert line["job_id"] == "job-1"
    assert line["rows"] == 5
    assert "request_id" not in line
